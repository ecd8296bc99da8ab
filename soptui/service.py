"""The one object the CLI and the screens talk to."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select, text

from soptui import audit
from soptui.audit.keys import AuditKey
from soptui.calendar_store import CalendarStore
from soptui.cases import CaseService, Clock, utcnow
from soptui.catalog import SopDefinition
from soptui.catalog_store import CatalogStore
from soptui.db import schema
from soptui.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database
from soptui.db.models import Case, Setting, User
from soptui.errors import RuleError
from soptui.identity import Actor, session_login
from soptui.letters import LetterService
from soptui.narasumber import NarasumberService
from soptui.reports import ReportService
from soptui.users import DEMO_KEY, UserService, os_full_name
from soptui.views import ChainReport, HeadLine, SopSummary


class Soptui:
    def __init__(
        self,
        url: str,
        *,
        clock: Clock = utcnow,
        tz: str = "Asia/Jakarta",
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        unsafe: bool = False,
        audit_key: AuditKey | None = None,
    ) -> None:
        """audit_key seals every write (soptui.audit.keys.load_or_create_key;
        the server passes its own). None is the public development key: fine
        for demo and test databases and for a trail no real key has sealed
        yet; once the server has sealed it, that key is refused (writes fail
        with err.audit_dev_key, and verify with a real key fails a dev seal)."""
        self.audit_key = audit_key or audit.DEV_KEY
        self.db = Database(
            url, busy_timeout_ms=busy_timeout_ms, unsafe=unsafe, audit_key=self.audit_key
        )
        self.clock = clock
        self.tz = tz
        self.catalogs = CatalogStore()
        self.calendars = CalendarStore(tz)
        self.users = UserService(self.db, self.catalogs, clock)
        self.cases = CaseService(self.db, self.catalogs, self.calendars, clock)
        self.letters = LetterService(self.db, clock)
        self.reports = ReportService(self.db, self.catalogs, clock)
        self.narasumber = NarasumberService(self.db, self.catalogs, self.cases, clock, tz)
        self.narasumber.install_hooks(self.cases)

    def init(self, *, admin_login: str | None = None) -> tuple[int, str | None]:
        """Create or upgrade the schema and load the bundled catalog (idempotent).
        On an empty database whoever runs it becomes the first admin.
        Returns (number of bundled SOPs, login of a newly created admin)."""
        schema.upgrade(self.db)
        with self.db.write() as s:
            count = self.catalogs.publish_bundled(s, self.clock())
        created = None
        if self.users.count() == 0:
            login = admin_login or self.session_login()
            self.users.add(None, login, name=os_full_name(login), roles=["admin"])
            created = login
        return count, created

    def ensure_ready(self) -> None:
        """Refuse to run on a database whose schema is missing or old."""
        if schema.needs_upgrade(self.db):
            raise RuleError("err.not_initialised")

    def is_empty(self) -> bool:
        if schema.current_revision(self.db) is None:
            return True
        with self.db.read() as s:
            users = s.execute(select(func.count()).select_from(User)).scalar_one()
            cases = s.execute(select(func.count()).select_from(Case)).scalar_one()
            return users == 0 and cases == 0

    def mark_demo(self) -> None:
        with self.db.write() as s:
            s.merge(Setting(key=DEMO_KEY, value="1"))
            audit.append(s, at=self.clock(), kind="setting", data={"key": DEMO_KEY, "value": "1"})

    def sop_summaries(self) -> list[SopSummary]:
        """The newest version of every SOP (for pickers and listings)."""
        with self.db.read() as s:
            return self.catalogs.summaries(s)

    def sop_definition(self, code: str) -> SopDefinition:
        """The newest version of one SOP."""
        with self.db.read() as s:
            return self.catalogs.definition(s, self.catalogs.latest(s, code).id)

    def session_login(self) -> str:
        """Who is at the keyboard (see soptui.identity.session_login).

        With SOPTUI_IDENTITY=database on PostgreSQL the login is the database
        session user, as authenticated by the server (peer authentication with
        an ident map): nothing the client sends can change it."""
        if not self.db.is_sqlite and os.environ.get("SOPTUI_IDENTITY") == "database":
            with self.db.read() as s:
                return str(s.execute(text("SELECT session_user")).scalar_one())
        owner = None
        database = self.db.engine.url.database
        if self.db.is_sqlite and database and database != ":memory:":
            try:
                owner = Path(database).stat().st_uid
            except OSError:
                owner = None
        return session_login(owner)

    def identify(self, requested: str | None = None) -> Actor:
        return self.users.identify(requested, login=self.session_login())

    # --- the audit trail (the server calls these; see soptui.audit) ---

    def audit_verify(self, against: list[str] | None = None) -> ChainReport:
        """Chain, seals, SOP hashes, state against the seals, and, given the
        lines of a head log, every logged head (soptui.audit.verify)."""
        with self.db.read() as s:
            return audit.verify(s, self.audit_key, against)

    def audit_head_line(self) -> HeadLine:
        """The head as a head-log line, keyed with this service's key."""
        from soptui.audit import headlog

        with self.db.read() as s:
            head = s.get(Setting, audit.HEAD_KEY)
        seq, event_hash = (head.value if head else f"0:{audit.GENESIS}").split(":", 1)
        return headlog.make_line(self.audit_key, int(seq), event_hash, self.clock())

    def trail_problem(self) -> str | None:
        """One line when the trail is damaged so writes are refused (the server
        says it at start), else None."""
        with self.db.read() as s:
            head = s.get(Setting, audit.HEAD_KEY)
            problem = audit.damage(s, head.value if head else f"0:{audit.GENESIS}")
        if problem is None:
            return None
        return audit.TrailDamaged("err.audit_damaged", problem=problem).message()

    def seal_trail(self) -> bool:
        """Seal the trail with this key now if it is not yet (a trail from
        before the seals, or sealed with the development key only): a
        baseline of every row. The server calls it at start. True if sealed."""
        with self.db.write() as s:
            from soptui.audit.seal import last_seal

            previous = last_seal(s)
            if self.audit_key.is_dev or (
                previous is not None and previous.key_id != audit.DEV_KEY.key_id
            ):
                return False
            data = {"key_id": self.audit_key.key_id}
            audit.append(s, at=self.clock(), kind="trail_sealed", data=data)
            audit.touch_all(s)
        return True

    def audit_repair_tail(self, actor: Actor) -> int:
        """Admin: move forged rows after the head out of the trail, recorded in
        a sealed "trail_repaired" event (soptui.audit.repair). Returns how many
        rows; refused for any other damage."""
        from soptui.audit.repair import repair_tail
        from soptui.errors import PermissionDenied

        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        with self.db.write() as s:
            return repair_tail(s, at=self.clock(), actor_id=actor.id)

    def close(self) -> None:
        self.db.dispose()
