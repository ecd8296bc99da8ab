"""The audit key: HMAC-SHA256 secrets kept outside the database.

A key file holds one key a line, ``<key_id> <64 hex digits>``; the last line
is the key in use, the lines above it are retired keys, kept so that seals
made with them still verify (rotation: ``rotate_key(path)`` appends a line).
The file is the server account's alone: 0600 in a 0700 folder, and a file
that group or others may read is refused.

``DEV_KEY`` is public (it is in this source): it seals demo and test
databases and any database the server has not yet sealed with a real key.
Once a real key has sealed a trail, the development key may neither write to
it nor pass a seal after that point (see soptui.audit.seal and verify).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from soptui.errors import RuleError

DEV_KEY_ID = "dev"


class AuditKeyError(RuleError):
    """The key file is missing, unreadable, malformed or not private."""


def key_id_of(secret: bytes) -> str:
    """A short public name for a secret (no use to anyone without the secret)."""
    return hashlib.sha256(b"soptui-audit-key-id:" + secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKey:
    """The key that seals new writes, and every key that verifies old seals."""

    key_id: str
    secret: bytes = field(repr=False)
    retired: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)

    @property
    def is_dev(self) -> bool:
        return self.key_id == DEV_KEY_ID

    def secret_for(self, key_id: str) -> bytes | None:
        if key_id == self.key_id:
            return self.secret
        if key_id == DEV_KEY_ID:
            return DEV_KEY.secret
        return dict(self.retired).get(key_id)

    def mac(self, message: bytes, key_id: str | None = None) -> str:
        secret = self.secret if key_id is None else self.secret_for(key_id)
        if secret is None:
            raise KeyError(key_id)
        return hmac.new(secret, message, hashlib.sha256).hexdigest()


DEV_KEY = AuditKey(DEV_KEY_ID, hashlib.sha256(b"soptui public development audit key").digest())


def _check_private(path: Path) -> None:
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(
            "err.audit_key_mode", path=str(path), mode=oct(stat.S_IMODE(info.st_mode))
        )
    if info.st_uid != os.geteuid():
        raise AuditKeyError("err.audit_key_owner", path=str(path))


def _parse(path: Path, text: str) -> AuditKey:
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        try:
            if len(parts) != 2 or len(parts[1]) != 64:
                raise ValueError(line)
            secret = bytes.fromhex(parts[1])
        except ValueError:
            raise AuditKeyError("err.audit_key_bad", path=str(path), line=number) from None
        if parts[0] != key_id_of(secret):
            raise AuditKeyError("err.audit_key_bad", path=str(path), line=number)
        keys.append((parts[0], secret))
    if not keys:
        raise AuditKeyError("err.audit_key_bad", path=str(path), line=0)
    key_id, secret = keys[-1]
    return AuditKey(key_id, secret, tuple(keys[:-1]))


def _line(secret: bytes) -> str:
    return f"{key_id_of(secret)} {secret.hex()}\n"


def load_or_create_key(path: str | os.PathLike[str]) -> AuditKey:
    """Read the key file, or create it (a fresh 32-byte random key, file
    0600, its folder 0700 when made here). Refuses a file that group or others
    may read or that belongs to another account."""
    key_path = Path(path)
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(_line(secrets.token_bytes(32)))
                out.flush()
                os.fsync(out.fileno())
    _check_private(key_path)
    try:
        text = key_path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise AuditKeyError("err.audit_key_bad", path=str(key_path), line=0) from None
    return _parse(key_path, text)


def rotate_key(path: str | os.PathLike[str]) -> AuditKey:
    """Append a new key (it seals from now on); the old ones stay to verify."""
    key_path = Path(path)
    load_or_create_key(key_path)
    with key_path.open("a", encoding="ascii") as out:
        out.write(_line(secrets.token_bytes(32)))
        out.flush()
        os.fsync(out.fileno())
    return load_or_create_key(key_path)


def load_key(path: str | os.PathLike[str]) -> AuditKey:
    """Read an existing key file (never creates one): for verifying."""
    key_path = Path(path)
    if not key_path.is_file():
        raise AuditKeyError("err.audit_key_missing", path=str(key_path))
    return load_or_create_key(key_path)
