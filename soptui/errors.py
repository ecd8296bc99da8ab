"""Errors the services raise. Each carries a message key (translated by
soptui.i18n) and the CLI exit code it maps to: 2 bad input, 1 refused by the rules."""

from __future__ import annotations

from typing import Any


class SoptuiError(Exception):
    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        from soptui.i18n import t

        return t(self.key, **{k: shown(v) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.message()


SHOWN_MAX = 200


def shown(value: Any) -> Any:
    """A value as an error message may echo it: what a clerk typed can be
    100 KB long, hold undecodable bytes, newlines or terminal escapes, and a
    message is one short line that must not drive the terminal. Control,
    invisible and undecodable characters are written as escapes; long values
    are cut."""
    if not isinstance(value, str):
        return value
    import unicodedata

    text = value if len(value) <= SHOWN_MAX else value[: SHOWN_MAX - 1] + "…"
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or (ch == " "):
            out.append(ch)
        elif unicodedata.category(ch) == "Cs":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")  # an undecodable byte, as Python escapes it
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


class InputError(SoptuiError):
    """Bad usage or input: nothing was written."""


class NotFoundError(InputError):
    """An id or code that does not exist."""


class RuleError(SoptuiError):
    """Refused by the rules: not your role, invalid transition, conflict."""

    exit_code = 1


class PermissionDenied(RuleError):
    pass


class StaleError(RuleError):
    """The case changed since it was read: the action was not applied."""


class BusyError(RuleError):
    """The database stayed locked too long: nothing was written, try again."""

    def __init__(self) -> None:
        super().__init__("err.busy")


class IdentityError(RuleError):
    """The OS login is not a registered clerk, or may not act as another."""


class ServerError(RuleError):
    """The server failed on a request (logged there); nothing was written."""
