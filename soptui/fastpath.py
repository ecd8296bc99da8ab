"""The start-up fast path: the first inbox page on SQLite without SQLAlchemy.

Importing SQLAlchemy and the services costs the start-up helper (see
soptui.prefetch) about 0.4 s, four times what its queries take. So whenever
the helper takes the normal path, it afterwards records what that path's
start-up statements compile to - the SQL text SQLAlchemy would send to
sqlite3, which parameters are constants and which are inputs (the login, the
clerk's id, today, now, the page size), and how each result column is
converted - in a small file in the user cache directory (SOPTUI_CACHE_DIR if
set, as for the holiday cache). The next start replays them with the standard
sqlite3 module and builds the page with the same code the services use:
soptui.actors decides who the clerk is, soptui.views.case_row builds the rows,
soptui.views.view_counts the counts. The SQL stays defined once, by the
services' statements (UserService.IDENTITY_QUERIES, CaseService.list_query,
counts_query and head_query).

The file also keeps the parsed SOP definitions (checked against each version's
content hash) and the office calendar (checked against the raw override
rows), as the services had them. Its key covers the soptui source files,
the SQLAlchemy and `holidays` installations and the Python version; the page
statements are kept per role set (recording checks that they depend on the
clerk through the roles only). A missing, stale, foreign or corrupt file,
another schema revision, a role set not seen before (a new role, a
delegation), a URL other than a plain file path, any error at all: the fast
path answers None and the helper takes the normal path, which
then records the file again. SOPTUI_NO_FASTPATH=1 turns it off.

Only the helper's first read takes this path; the app itself uses the services.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import sys
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soptui.actors import Lookups, identify, office_today
from soptui.identity import Actor, session_login
from soptui.prefetch import FirstPage, stamp_of
from soptui.views import case_row, view_counts

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select

    from soptui.service import Soptui

FORMAT = 1
PAGES_KEPT = 32  # role sets remembered per database
# The schema revision, read the way soptui.db.schema.current_revision does.
REVISION_SQL = "SELECT version_num FROM alembic_version"


class Refused(Exception):
    """A statement whose compiled form cannot be replayed safely."""


# ----- where the file is, and whether it is for this installation -------------------


def sqlite_file(url: str) -> str | None:
    """The database file the services would open for `url`, when `url` is a
    plain path (soptui.db.engine.normalise_url) that the fast path can use."""
    if not url or "://" in url or url == ":memory:" or any(c in url for c in "?#%"):
        return None
    return str(Path(url).expanduser().resolve())


def cache_dir() -> Path:
    base = os.environ.get("SOPTUI_CACHE_DIR")
    if not base:
        from platformdirs import user_cache_dir

        base = user_cache_dir("soptui", appauthor=False)
    return Path(base)


def cache_file(db_file: str) -> Path:
    digest = hashlib.sha256(db_file.encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return cache_dir() / f"startup-{digest}.pickle"


def _installed(name: str) -> str:
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return f"{name}:-"
    origin = spec.origin if spec and spec.origin else ""
    try:
        stamp = os.stat(origin).st_mtime_ns if origin else 0
    except OSError:
        stamp = 0
    return f"{name}:{origin}:{stamp}"


def code_key() -> str:
    """Changes whenever anything the recorded statements or objects depend on
    may have: a soptui source file, SQLAlchemy, `holidays`, Python."""
    import importlib.util

    import soptui

    folders = [Path(soptui.__file__).parent]
    db_spec = importlib.util.find_spec("soptui.db")
    folders += [Path(p) for p in (db_spec.submodule_search_locations or [])] if db_spec else []
    parts = [f"format {FORMAT}", sys.version, _installed("sqlalchemy"), _installed("holidays")]
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.path}:{st.st_mtime_ns}:{st.st_size}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _load(file: Path) -> dict[str, Any] | None:
    """The recorded file, if it is ours: owned by this user and writable by no
    one else (it is unpickled, and its SQL is run)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None
        data = pickle.load(f)
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _store(file: Path, data: dict[str, Any]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)  # atomic: a concurrent reader sees the old or the new file
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


# ----- values in and out, as SQLAlchemy's SQLite types convert them ----------------------
# Checked against SQLAlchemy's own processors whenever a file is recorded.


def _in_datetime(value: datetime) -> str:
    """soptui.db.base.UTCDateTime, then SQLite's DATETIME storage format."""
    u = value.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d} "
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}"
    )


def _in_date(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _out_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _out_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _out_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _same(value: Any) -> Any:
    return value


INPUTS: dict[str, Callable[[Any], Any]] = {"datetime": _in_datetime, "date": _in_date, "raw": _same}
OUTPUTS: dict[str, Callable[[Any], Any]] = {
    "utc": _out_utc,
    "date": _out_date,
    "bool": _out_bool,
    "raw": _same,
}


def _input_kind(value: Any) -> str:
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, int | str) and not isinstance(value, bool):
        return "raw"
    raise Refused(f"no replayable input type: {type(value).__name__}")


class Template:
    """One statement as SQLAlchemy sends it to sqlite3: the SQL text, each
    parameter a constant ("c", value) or an input ("i", name, kind), and each
    result column's (name, kind)."""

    __slots__ = ("columns", "params", "sql")

    def __init__(
        self, sql: str, params: tuple[tuple[Any, ...], ...], columns: tuple[tuple[str, str], ...]
    ) -> None:
        self.sql = sql
        self.params = params
        self.columns = columns

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.sql, self.params, self.columns)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.sql, self.params, self.columns = state

    def bind(self, inputs: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(p[1] if p[0] == "c" else INPUTS[p[2]](inputs[p[1]]) for p in self.params)

    def fetch(self, conn: sqlite3.Connection, inputs: Mapping[str, Any]) -> list[Any]:
        """The statement's rows, converted, as named tuples of its columns."""
        row_type = namedtuple("Row", [name for name, _ in self.columns], rename=True)  # type: ignore[misc]
        convert = [OUTPUTS[kind] for _, kind in self.columns]
        return [
            row_type._make([c(v) for c, v in zip(convert, raw, strict=True)])
            for raw in conn.execute(self.sql, self.bind(inputs))
        ]


# ----- the fast path -----------------------------------------------------------------------


def page_key(actor: Actor) -> tuple[str, ...]:
    """The page statements are kept per role set (all they depend on)."""
    return tuple(sorted(actor.roles))


def first_page(
    url: str,
    requested: str | None,
    limit: int,
    *,
    clock: Callable[[], datetime] | None = None,
) -> FirstPage | None:
    """What prefetch.read_first_page returns, read without SQLAlchemy; None
    whenever the fast path does not apply or anything goes wrong."""
    if os.environ.get("SOPTUI_NO_FASTPATH", "") not in ("", "0"):
        return None
    db_file = sqlite_file(url)
    if db_file is None:
        return None
    try:
        data = _load(cache_file(db_file))
        if data is None or data.get("key") != code_key() or data.get("db") != db_file:
            return None
        return _read(db_file, data, requested, limit, clock or (lambda: datetime.now(UTC)))
    except Exception:
        return None


def _read(
    db_file: str,
    data: dict[str, Any],
    requested: str | None,
    limit: int,
    clock: Callable[[], datetime],
) -> FirstPage | None:
    # mode=rw: never create a database here (the services do, with init).
    uri = Path(db_file).as_uri() + "?mode=rw"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout={int(data['busy_timeout_ms'])}")
        conn.execute("PRAGMA query_only=ON")  # whatever the file says, this reads only
        conn.execute("BEGIN")  # one snapshot for all of it
        if conn.execute(REVISION_SQL).fetchall() != [(data["revision"],)]:
            return None
        now = clock()
        identity: dict[str, Template] = data["identity"]

        def run(name: str, **inputs: Any) -> list[Any]:
            return identity[name].fetch(conn, inputs)

        try:
            owner: int | None = os.stat(db_file).st_uid
        except OSError:
            owner = None
        actor = identify(Lookups(run), requested, session_login(owner), office_today(now))
        page = data["pages"].get(page_key(actor))
        if page is None:
            return None
        rows_q, counts_q = page
        raw_overrides, calendar = data["calendar"]
        if [tuple(r) for r in conn.execute(data["overrides_sql"])] != raw_overrides:
            return None
        versions = dict(conn.execute(data["versions_sql"]).fetchall())
        definitions = data["definitions"]
        head = data["head"].fetch(conn, {})
        rows = []
        for row in rows_q.fetch(conn, {"now": now, "limit": limit, "offset": 0}):
            known = definitions.get(row.sop_version_id)
            if known is None or versions.get(row.sop_version_id) != known[0]:
                return None
            rows.append(case_row(known[1], row, row.paused_at, calendar, now))
        (counts,) = counts_q.fetch(conn, {"now": now})
    finally:
        conn.close()
    token = (head[0][0] if head else None) or ""  # as CaseService.last_change
    return FirstPage(actor, stamp_of(token, now), rows, view_counts(counts))


# ----- recording, after the normal path ---------------------------------------------------


class _Sent(Exception):
    pass


def _sent(conn: Connection, stmt: Select[Any]) -> tuple[str, tuple[Any, ...]]:
    """What SQLAlchemy sends to sqlite3 for `stmt`, caught just before it is
    run (the statement is not executed)."""
    from sqlalchemy import event

    seen: list[tuple[str, tuple[Any, ...]]] = []

    def grab(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not isinstance(parameters, tuple | list):
            raise Refused("not positional parameters")
        seen.append((statement, tuple(parameters)))
        raise _Sent

    event.listen(conn, "before_cursor_execute", grab)
    try:
        conn.execute(stmt)
    except _Sent:
        pass
    finally:
        event.remove(conn, "before_cursor_execute", grab)
    if len(seen) != 1:
        raise Refused("not one statement")
    return seen[0]


def _column_kind(column_type: Any, dialect: Any) -> str:
    from sqlalchemy import Boolean, Date

    from soptui.db.base import UTCDateTime

    process = column_type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None:
        return "raw"
    samples: tuple[Any, ...]
    if isinstance(column_type, UTCDateTime):
        kind, samples = "utc", ("2024-02-29 23:59:59.123456", "2024-02-29 23:59:59", None)
    elif isinstance(column_type, Date):
        kind, samples = "date", ("2024-02-29", None)
    elif isinstance(column_type, Boolean):
        kind, samples = "bool", (0, 1, None)
    else:
        raise Refused(f"no replayable column type: {column_type!r}")
    for sample in samples:
        ours, theirs = OUTPUTS[kind](sample), process(sample)
        if ours != theirs or getattr(ours, "tzinfo", None) != getattr(theirs, "tzinfo", None):
            raise Refused(f"{kind} converts {sample!r} unlike SQLAlchemy")
    return kind


def record(
    conn: Connection,
    build: Callable[..., Select[Any]],
    samples: Sequence[Mapping[str, Any]],
    check: Mapping[str, Any],
) -> Template:
    """The template of `build(**inputs)`: compiled with two sets of sample
    inputs (every value different), a parameter that differs is the input whose
    converted samples it equals, one that does not is a constant. Then the
    template must reproduce what SQLAlchemy sends for `check` exactly."""
    first, second = samples
    sql, a = _sent(conn, build(**first))
    sql_b, b = _sent(conn, build(**second))
    if sql_b != sql or len(a) != len(b):
        raise Refused("the SQL text depends on the input values")
    kinds = {name: _input_kind(value) for name, value in first.items()}
    params: list[tuple[Any, ...]] = []
    for x, y in zip(a, b, strict=True):
        names = [
            name
            for name, kind in kinds.items()
            if INPUTS[kind](first[name]) == x and INPUTS[kind](second[name]) == y
        ]
        if len(names) == 1:
            params.append(("i", names[0], kinds[names[0]]))
        elif not names and x == y and type(x) is type(y):
            params.append(("c", x))
        else:
            raise Refused(f"parameter {x!r}/{y!r} is no input and no constant")
    stmt = build(**check)
    columns = tuple(
        (str(key), _column_kind(column.type, conn.dialect))
        for key, column in zip(stmt.selected_columns.keys(), stmt.selected_columns, strict=True)
    )
    template = Template(sql, tuple(params), columns)
    if _sent(conn, stmt) != (sql, template.bind(check)):
        raise Refused("the template does not reproduce the statement")
    return template


# Sample inputs for recording: distinct from each other and from any real value.
_SAMPLES: tuple[dict[str, Any], dict[str, Any]] = (
    {
        "login": "\x00sample-a",
        "user_id": 1_000_003,
        "today": date(1901, 2, 3),
        "now": datetime.fromisoformat("1901-02-03T04:05:06.000007+07:00"),
        "limit": 1_000_033,
        "offset": 1_000_037,
    },
    {
        "login": "\x00sample-b",
        "user_id": 1_000_039,
        "today": date(1902, 3, 4),
        "now": datetime.fromisoformat("1902-03-04T23:06:07.000008-03:00"),
        "limit": 1_000_081,
        "offset": 1_000_099,
    },
)


def _samples(*names: str) -> list[dict[str, Any]]:
    return [{n: s[n] for n in names} for s in _SAMPLES]


def save(svc: Soptui, url: str, page: FirstPage, limit: int) -> bool:
    """Record the fast path's file after the normal path read `page` (of up
    to `limit` rows) for `url`: True when written. Never raises for a statement it cannot replay
    (nothing is written then)."""
    from sqlalchemy import select

    from soptui.db.engine import SQLITE_BUSY_TIMEOUT_MS
    from soptui.db.models import CalendarOverride, SopVersion
    from soptui.db.schema import SCHEMA_HEAD
    from soptui.prefetch import first_page_statements
    from soptui.users import IDENTITY_QUERIES

    db_file = sqlite_file(url)
    if db_file is None or not svc.db.is_sqlite:
        return False
    actor = page.actor
    now = svc.clock()
    today = office_today(now)
    inputs = {
        "user": ("login",),
        "roles": ("user_id",),
        "demo": (),
        "delegations": ("user_id", "today"),
    }
    check = {"login": actor.login, "user_id": actor.id, "today": today, "now": now}
    overrides_q = select(CalendarOverride).order_by(CalendarOverride.id)
    versions_q = select(SopVersion.id, SopVersion.content_hash)
    try:
        with svc.db.engine.connect() as conn, conn.begin():
            identity = {
                name: record(
                    conn,
                    IDENTITY_QUERIES[name],
                    _samples(*names),
                    {n: check[n] for n in names},
                )
                for name, names in inputs.items()
            }
            rows_build, counts_build = first_page_statements(svc, actor)
            # Kept per role set: the statements must not depend on who else
            # the clerk is (their id, login, name, whose roles they hold).
            stranger = Actor(-1, "\x00", "\x00", actor.roles, {})
            rows_other, counts_other = first_page_statements(svc, stranger)
            for mine, other, sample in (
                (rows_build, rows_other, {"now": now, "limit": limit, "offset": 0}),
                (counts_build, counts_other, {"now": now}),
            ):
                if _sent(conn, mine(**sample)) != _sent(conn, other(**sample)):
                    raise Refused("the page depends on more than the roles")
            rows_q = record(
                conn,
                rows_build,
                _samples("now", "limit", "offset"),
                {"now": now, "limit": limit, "offset": 0},
            )
            counts_q = record(conn, counts_build, _samples("now"), {"now": now})
            head_q = record(conn, svc.cases.head_query, [{}, {}], {})
            overrides_sql = _sent(conn, overrides_q)
            versions_sql = _sent(conn, versions_q)
            if overrides_sql[1] or versions_sql[1]:
                raise Refused("parameters in a fingerprint read")
    except Refused:
        return False
    with svc.db.read() as s:  # one snapshot: the raw rows and what was built from them
        raw = s.connection().exec_driver_sql
        raw_overrides = [tuple(r) for r in raw(overrides_sql[0])]
        calendar = svc.calendars.calendar(s)
        versions = [tuple(r) for r in raw(versions_sql[0])]
        definitions = {vid: (digest, svc.catalogs.definition(s, vid)) for vid, digest in versions}
        revision = s.connection().exec_driver_sql(REVISION_SQL).scalar()
    if revision != SCHEMA_HEAD:
        return False
    file = cache_file(db_file)
    key = code_key()
    pages: dict[tuple[str, ...], Any] = {page_key(actor): (rows_q, counts_q)}
    with contextlib.suppress(Exception):
        old = _load(file)
        if old is not None and old.get("key") == key and old.get("db") == db_file:
            for other, entry in old["pages"].items():
                if len(pages) < PAGES_KEPT:
                    pages.setdefault(other, entry)
    _store(
        file,
        {
            "format": FORMAT,
            "key": key,
            "db": db_file,
            "revision": revision,
            "busy_timeout_ms": SQLITE_BUSY_TIMEOUT_MS,
            "identity": identity,
            "head": head_q,
            "pages": pages,
            "overrides_sql": overrides_sql[0],
            "versions_sql": versions_sql[0],
            "calendar": (raw_overrides, calendar),
            "definitions": definitions,
        },
    )
    return True


__all__ = ["cache_file", "first_page", "save"]
