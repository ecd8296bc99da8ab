"""What is new in a clerk's inbox: the cases that reached it since the clerk
last looked, until the clerk opens them; and the clerk's own preferences
(the bell when a case lands). Per-clerk state, kept in the database so it
follows the clerk from terminal to terminal. Neither is an audited change:
reading a case changes nothing of it, and the change token stays as it was
(no needless refresh for anyone)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, or_, select

from soptui.db.engine import Database
from soptui.db.models import Case, CaseRead, StepAttempt, UserPreference
from soptui.errors import InputError
from soptui.identity import Actor

LOOKED_KEY = "inbox.looked_at"  # when the clerk's previous session began looking
# Preferences a clerk may set, and the values each takes.
PREFERENCES: dict[str, tuple[str, ...]] = {"bell": ("on", "off")}
DEFAULTS = {"bell": "on"}


class InboxMarks:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def begin_session(self, actor: Actor) -> datetime:
        """Since when cases count as new in this session: when the clerk's
        previous session began (the first session: now, nothing is new)."""
        now = self.clock()
        with self.db.write() as s:
            row = s.get(UserPreference, (actor.id, LOOKED_KEY))
            since = datetime.fromisoformat(row.value) if row is not None else now
            s.merge(UserPreference(user_id=actor.id, key=LOOKED_KEY, value=now.isoformat()))
        return since

    def unread(self, actor: Actor, since: datetime) -> list[int]:
        """The cases waiting on the clerk's roles that reached them after
        `since` and that they have not opened since."""
        roles = sorted(actor.roles)
        if not roles:
            return []
        query = (
            select(Case.id)
            .join(StepAttempt, StepAttempt.id == Case.current_attempt_id)
            .outerjoin(CaseRead, and_(CaseRead.case_id == Case.id, CaseRead.user_id == actor.id))
            .where(
                Case.status == "open",
                Case.waiting_role.in_(roles),
                StepAttempt.started_at > since,
                or_(CaseRead.read_at.is_(None), CaseRead.read_at < StepAttempt.started_at),
            )
            .order_by(Case.id)
        )
        with self.db.read_rows() as conn:
            return [int(case_id) for (case_id,) in conn.execute(query)]

    def mark_read(self, actor: Actor, case_id: int) -> None:
        with self.db.write() as s:
            if s.get(Case, case_id) is not None:
                s.merge(CaseRead(user_id=actor.id, case_id=case_id, read_at=self.clock()))

    def preference(self, actor: Actor, key: str) -> str:
        _check(key)
        with self.db.read() as s:
            row = s.get(UserPreference, (actor.id, key))
            return row.value if row is not None else DEFAULTS[key]

    def set_preference(self, actor: Actor, key: str, value: str) -> None:
        _check(key, value)
        with self.db.write() as s:
            s.merge(UserPreference(user_id=actor.id, key=key, value=value))


def _check(key: str, value: str | None = None) -> None:
    if key not in PREFERENCES:
        raise InputError("err.bad_preference", name=key)
    if value is not None and value not in PREFERENCES[key]:
        raise InputError("err.bad_preference_value", name=key, choices=", ".join(PREFERENCES[key]))
