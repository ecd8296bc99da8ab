"""The one object the CLI and the screens talk to."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from soptui import audit
from soptui.audit.keys import AuditKey
from soptui.calendar_store import CalendarStore
from soptui.cases import CaseService, Clock, utcnow
from soptui.catalog import SopDefinition
from soptui.catalog_store import CatalogStore
from soptui.db import schema
from soptui.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database
from soptui.db.models import Case, Setting, SopVersion, User
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError
from soptui.identity import Actor, session_login
from soptui.letters import LetterService
from soptui.narasumber import NarasumberService
from soptui.reports import ReportService
from soptui.users import DEMO_KEY, UserService, os_full_name
from soptui.validate import guarded
from soptui.views import ChainReport, HeadLine, Report, SopSummary
from soptui.workcal import DayInfo


@guarded
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

    def init(
        self, *, admin_login: str | None = None, create_admin: bool = True
    ) -> tuple[int, str | None]:
        """Create or upgrade the schema and load the bundled catalog (idempotent).
        On an empty database whoever runs it becomes the first admin (unless
        create_admin is False: the office server starting up).
        Returns (number of bundled SOPs, login of a newly created admin)."""
        if schema.needs_upgrade(self.db):  # Alembic only then: loading it costs a start
            schema.upgrade(self.db)
        with self.db.write() as s:
            count = self.catalogs.publish_bundled(s, self.clock())
        created = None
        if create_admin and self.users.count() == 0:
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

    # ----- what the CLI asked of the database directly, as operations ---------------

    def whoami(self, actor: Actor) -> Actor:
        return actor

    def token(self) -> str:
        """The change token now (the audit head): equal tokens, nothing written."""
        return self.cases.last_change()

    def sop_version(self, code: str, version: int | None = None) -> SopDefinition:
        """One SOP: its newest version, or the version asked for."""
        with self.db.read() as s:
            row = self.catalogs.latest(s, code)
            if version is not None and version != row.version:
                found = s.execute(
                    select(SopVersion).where(
                        SopVersion.code == row.code, SopVersion.version == version
                    )
                ).scalar_one_or_none()
                if found is None:
                    raise NotFoundError("err.sop_not_found", code=f"{code} v{version}")
                row = found
            return self.catalogs.definition(s, row.id)

    def sop_import(self, actor: Actor, source: str, origin: str) -> tuple[str, int, bool]:
        """Publish a SOP file's text as a new SOP or version (admin):
        (code, version, whether it was new)."""
        from soptui.catalog import CatalogError

        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        try:
            with self.db.write() as s:
                row, created = self.catalogs.publish(
                    s, source, origin=origin, at=self.clock(), by=actor.id
                )
                return row.code, row.version, created
        except CatalogError as exc:
            raise InputError("err.catalog", detail=str(exc)) from exc

    def calendar_days(self, start: date, end: date) -> list[DayInfo]:
        if end < start or (end - start).days > 3660:
            raise InputError("err.bad_range")
        with self.db.read() as s:
            return self.calendars.calendar(s).days(start, end)

    def calendar_override(
        self,
        actor: Actor,
        kind: str,
        start: date,
        end: date,
        note: str,
        *,
        week: dict[str, Any] | None = None,
        preset: str | None = None,
    ) -> None:
        """An office closure, an extra working day, or a range with its own
        weekly hours (a preset such as ramadan, or a week as JSON) (admin)."""
        from soptui.validate import NOTE_MAX, clean_text
        from soptui.workcal import WeekSchedule

        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        text = clean_text(note, "Catatan", max_len=NOTE_MAX, required=True)
        schedule = None
        if kind == "schedule":
            if preset == "ramadan":
                schedule = WeekSchedule.ramadan()
            elif week is not None:
                try:
                    schedule = WeekSchedule.from_json(week)
                except (ValueError, TypeError, AttributeError) as exc:
                    raise InputError("err.schedule", reason=str(exc)) from exc
            else:
                raise InputError("err.schedule", reason="--preset ramadan or --file FILE")
        elif kind not in ("closed", "open"):
            raise InputError("err.schedule", reason=kind)
        with self.db.write() as s:
            self.calendars.add_override(
                s,
                kind=kind,
                start=start,
                end=end,
                note=text or "",
                at=self.clock(),
                by=actor.id,
                schedule=schedule,
            )

    def role_key(self, value: str) -> str:
        """A role as typed (its key or its name) -> its key."""
        with self.db.read() as s:
            return self.users.resolve_role(s, value)

    def agenda(self, start: date, end: date) -> Report:
        return self.reports.agenda(start, end, self.letters)

    def audit_head(self) -> str:
        """The head as a head-log line (`seq key_id head_hmac time`), to keep
        outside the database (soptui.audit.headlog)."""
        return self.audit_head_line().text()

    def demo(self, *, force: bool = False) -> tuple[int, int]:
        """Fill an empty database with the demo (users, cases). With force, a
        database that is already a demo is wiped and filled again; a database
        with real records is never touched."""
        from soptui.demo import build_demo

        if not self.is_empty():
            if not self.users.is_demo():
                raise RuleError("err.demo_real_data")
            if not force:
                raise RuleError("err.demo_not_empty")
            self.wipe()
        return build_demo(self)

    def wipe(self) -> None:
        """Drop every table (a demo database's `demo --force`)."""
        from sqlalchemy import MetaData

        meta = MetaData()
        meta.reflect(self.db.engine)
        meta.drop_all(self.db.engine)
        self.catalogs = CatalogStore()
        self.__init__(  # type: ignore[misc]
            self.db.engine.url.render_as_string(hide_password=False),
            clock=self.clock,
            tz=self.tz,
            audit_key=self.audit_key,
        )

    def session_login(self) -> str:
        """This process's own login (see soptui.identity.session_login)."""
        return session_login()

    def identify(self, requested: str | None = None) -> Actor:
        return self.users.identify(requested, login=self.session_login())

    # --- the audit trail (the server calls these; see soptui.audit) ---

    def audit_verify(self, against: list[str] | None = None) -> ChainReport:
        """Chain, seals, SOP hashes, state against the seals, and, given the
        lines of a head log, every logged head (soptui.audit.check)."""
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
