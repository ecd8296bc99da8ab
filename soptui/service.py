"""The one object the CLI and the screens talk to."""

from __future__ import annotations

from sqlalchemy import func, select

from soptui.calendar_store import CalendarStore
from soptui.cases import CaseService, Clock, utcnow
from soptui.catalog import SopDefinition
from soptui.catalog_store import CatalogStore
from soptui.db import schema
from soptui.db.engine import Database
from soptui.db.models import Case, Setting, User
from soptui.errors import RuleError
from soptui.identity import Actor, os_login
from soptui.users import DEMO_KEY, UserService, os_full_name
from soptui.views import SopSummary


class Soptui:
    def __init__(self, url: str, *, clock: Clock = utcnow, tz: str = "Asia/Jakarta") -> None:
        self.db = Database(url)
        self.clock = clock
        self.tz = tz
        self.catalogs = CatalogStore()
        self.calendars = CalendarStore(tz)
        self.users = UserService(self.db, self.catalogs, clock)
        self.cases = CaseService(self.db, self.catalogs, self.calendars, clock)

    def init(self, *, admin_login: str | None = None) -> tuple[int, str | None]:
        """Create or upgrade the schema and load the bundled catalog (idempotent).
        On an empty database whoever runs it becomes the first admin.
        Returns (number of bundled SOPs, login of a newly created admin)."""
        schema.upgrade(self.db)
        with self.db.write() as s:
            count = self.catalogs.publish_bundled(s, self.clock())
        created = None
        if self.users.count() == 0:
            login = admin_login or os_login()
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

    def sop_summaries(self) -> list[SopSummary]:
        """The newest version of every SOP (for pickers and listings)."""
        with self.db.read() as s:
            return self.catalogs.summaries(s)

    def sop_definition(self, code: str) -> SopDefinition:
        """The newest version of one SOP."""
        with self.db.read() as s:
            return self.catalogs.definition(s, self.catalogs.latest(s, code).id)

    def identify(self, requested: str | None = None) -> Actor:
        return self.users.identify(requested)

    def close(self) -> None:
        self.db.dispose()
