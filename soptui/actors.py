"""Who is at the keyboard, decided from four plain look-ups: a user by login,
their roles, the demo flag and today's delegations to them.

UserService.identify runs the look-ups through SQLAlchemy; the rules live
here, apart from how the rows are read. No SQLAlchemy in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from soptui.errors import IdentityError, NotFoundError
from soptui.identity import ADMIN_ROLE, Actor

DEMO_KEY = "demo"
OFFICE_TZ = ZoneInfo("Asia/Jakarta")

# run(name, **inputs) -> rows: executes one of the named identity statements
# (UserService.IDENTITY_QUERIES) and returns its rows as tuples.
Runner = Callable[..., Sequence[Sequence[Any]]]


class UserRecord(NamedTuple):
    id: int
    login: str
    name: str
    active: bool


def office_today(now: datetime) -> date:
    """The office's calendar date at `now` (delegations run by office days)."""
    return now.astimezone(OFFICE_TZ).date()


class Lookups:
    """The look-ups, over a runner of the named statements."""

    def __init__(self, run: Runner) -> None:
        self.run = run

    def user(self, login: str) -> UserRecord | None:
        rows = self.run("user", login=login)
        return UserRecord(*rows[0]) if rows else None

    def roles(self, user_id: int) -> set[str]:
        return {key for (key,) in self.run("roles", user_id=user_id)}

    def is_demo(self) -> bool:
        rows = self.run("demo")
        return bool(rows) and rows[0][0] == "1"

    def delegated(self, user_id: int, today: date) -> Iterable[Sequence[Any]]:
        """(principal login, principal's role) for today's delegations to the
        user, oldest delegation first."""
        return self.run("delegations", user_id=user_id, today=today)


def actor_of(look: Lookups, user: UserRecord, today: date) -> Actor:
    """The user with their own roles plus those delegated to them for today."""
    own = look.roles(user.id)
    delegated: dict[str, str] = {}
    for principal, role in look.delegated(user.id, today):
        if role != ADMIN_ROLE and role not in own:
            delegated.setdefault(role, principal)
    return Actor(user.id, user.login, user.name, frozenset(own | delegated.keys()), delegated)


def identify(look: Lookups, requested: str | None, me_login: str, today: date) -> Actor:
    """The clerk at the keyboard (`me_login`). Acting as another login is
    honoured only on a demo database or for an admin."""
    me = look.user(me_login)
    if requested and requested != me_login:
        if not look.is_demo() and not (me is not None and ADMIN_ROLE in look.roles(me.id)):
            raise IdentityError("err.impersonation", login=me_login)
        target = look.user(requested)
        if target is None:
            raise NotFoundError("err.user_not_found", login=requested)
        return actor_of(look, target, today)
    if me is None or not me.active:
        raise IdentityError("err.not_registered", login=me_login)
    return actor_of(look, me, today)
