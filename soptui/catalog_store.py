"""SOP definitions in the database: published versions are immutable and a
case stays pinned to the version it started on."""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from importlib import resources

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from soptui.catalog import SopDefinition, parse_catalog
from soptui.db.models import SopVersion
from soptui.errors import NotFoundError, RuleError
from soptui.views import SopSummary


def content_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def bundled_sources() -> list[tuple[str, str]]:
    """(file name, TOML text) of every SOP shipped in the package, by name."""
    files = sorted(
        (f for f in resources.files("soptui.sops").iterdir() if f.name.endswith(".toml")),
        key=lambda f: f.name,
    )
    return [(f"soptui/sops/{f.name}", f.read_text(encoding="utf-8")) for f in files]


class CatalogStore:
    def __init__(self) -> None:
        # Parsed definitions by version id; versions never change, so the
        # cache never goes stale.
        self._parsed: dict[int, SopDefinition] = {}
        self._lock = threading.Lock()

    def definition(self, session: Session | Connection, version_id: int) -> SopDefinition:
        found = self._parsed.get(version_id)
        if found is not None:
            return found
        row = session.execute(
            select(SopVersion.code, SopVersion.version, SopVersion.source).where(
                SopVersion.id == version_id
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError("err.sop_not_found", code=str(version_id))
        parsed = parse_catalog(row.source, source=f"{row.code}@{row.version}")
        with self._lock:
            self._parsed[version_id] = parsed
        return parsed

    def latest(self, session: Session, code: str) -> SopVersion:
        row = session.execute(
            select(SopVersion)
            .where(func.upper(SopVersion.code) == code.strip().upper())
            .order_by(SopVersion.version.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError("err.sop_not_found", code=code)
        return row

    def publish(
        self,
        session: Session,
        source: str,
        *,
        origin: str,
        at: datetime,
        by: int | None = None,
        bundled: bool = False,
    ) -> tuple[SopVersion, bool]:
        """Add a new SOP or a new version. Returns (row, created). The same
        version with the same text is a no-op; with other text it is refused,
        except that a bundled file whose comments alone changed (the same
        definition) is the bundled version already published: the stored text
        stays as it was published."""
        definition = parse_catalog(source, source=origin)
        digest = content_hash(source)
        existing = session.execute(
            select(SopVersion).where(
                SopVersion.code == definition.code, SopVersion.version == definition.version
            )
        ).scalar_one_or_none()
        if existing is not None:
            if existing.content_hash == digest:
                return existing, False
            if bundled and existing.bundled and self._same_definition(existing, definition):
                return existing, False
            raise RuleError(
                "err.sop_version_exists", code=definition.code, version=definition.version
            )
        row = SopVersion(
            code=definition.code,
            version=definition.version,
            name=definition.name,
            short_name=definition.short_name,
            nomor=definition.nomor,
            step_count=len(definition.steps),
            source=source,
            content_hash=digest,
            bundled=bundled,
            imported_at=at,
            imported_by=by,
        )
        session.add(row)
        session.flush()
        from soptui import audit

        audit.append(
            session,
            at=at,
            kind="sop_imported",
            actor_id=by,
            data={
                "id": row.id,
                "code": row.code,
                "version": row.version,
                "content_hash": digest,
                "origin": origin,
            },
        )
        return row, True

    def _same_definition(self, row: SopVersion, definition: SopDefinition) -> bool:
        return parse_catalog(row.source, source=f"{row.code}@{row.version}") == definition

    def publish_bundled(self, session: Session, at: datetime) -> int:
        """Publish every bundled SOP version the database lacks (``soptui init``
        on a new or an existing database): a bundled file with a higher
        version becomes that SOP's newest version; the older versions stay for
        the cases pinned to them."""
        sources = bundled_sources()
        if self.has_published(session, [source for _, source in sources]):
            return len(sources)  # every file as published: nothing to parse or write
        for name, source in sources:
            self.publish(session, source, origin=name, at=at, bundled=True)
        return len(sources)

    @staticmethod
    def has_published(session: Session | Connection, sources: list[str]) -> bool:
        """Whether every one of these texts is a published version already
        (one query on the hashes; a server starts without parsing the catalog)."""
        digests = {content_hash(source) for source in sources}
        found = session.execute(
            select(SopVersion.content_hash).where(SopVersion.content_hash.in_(digests))
        ).scalars()
        return digests <= set(found)

    def summaries(self, session: Session) -> list[SopSummary]:
        """The newest version of every SOP, by code."""
        newest = (
            select(SopVersion.code, func.max(SopVersion.version).label("v"))
            .group_by(SopVersion.code)
            .subquery()
        )
        rows = session.execute(
            select(SopVersion)
            .join(newest, (SopVersion.code == newest.c.code) & (SopVersion.version == newest.c.v))
            .order_by(SopVersion.code)
        ).scalars()
        return [
            SopSummary(r.id, r.code, r.version, r.name, r.short_name, r.nomor, r.step_count)
            for r in rows
        ]

    def all_role_keys(self, session: Session) -> dict[str, str]:
        """Every role key of every loaded SOP, with its name."""
        roles: dict[str, str] = {}
        for row_id in session.execute(select(SopVersion.id)).scalars():
            for role in self.definition(session, row_id).roles:
                roles.setdefault(role.key, role.name)
        return roles
