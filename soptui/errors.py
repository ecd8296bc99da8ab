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

        return t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (key and params) - the terminal app's start-up helper
        # sends errors across a process boundary (soptui.prefetch).
        return (_restore, (type(self), self.key, self.params))


def _restore(cls: type[SoptuiError], key: str, params: dict[str, Any]) -> SoptuiError:
    error = cls.__new__(cls)
    SoptuiError.__init__(error, key, **params)
    return error


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
