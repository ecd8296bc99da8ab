"""Writing a printed paper where the clerk asked (client side: the CLI and
the screens call this, never a service)."""

from __future__ import annotations

from pathlib import Path

from soptui.errors import InputError


def write_pdf(path: str | Path, data: bytes) -> Path:
    """Write the PDF; a refusal is one InputError line in the UI's language."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError("err.pdf_write", path=str(target), reason="folder")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InputError(
            "err.pdf_write", path=str(target), reason=exc.strerror or type(exc).__name__
        ) from None
    return target
