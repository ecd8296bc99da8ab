"""Case search index: one document a case (its numbers, perihal, pemohon,
letters and narasumber), kept by triggers in the writing transaction

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03

SQLite: an FTS5 table `case_search` (unicode61 words, prefix indexes of 2 and
3 characters), rowid = case id, and `case_search_vocab` (fts5vocab) over it:
the distinct words, where a misspelt word finds its neighbours.
PostgreSQL: a table `case_search` with the same columns plus `doc` (all of
them, lower case, a line each) under a pg_trgm GIN index.
On both, triggers on cases, letters, narasumber_bookings and narasumber
rewrite a case's document whenever what it holds changes, so the index is
current in the same transaction as the change.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

# The document's columns, in the order of soptui.case_search.FIELDS.
COLUMNS = ("surat", "agenda", "keluar", "perihal", "pemohon", "pengirim", "narasumber", "sop")


def _values(nl: str, seq: str, sep_agg: str) -> list[str]:
    """Each column's SQL for the case `c`, values of one column a line each.
    `nl` is a newline literal, `seq` the agenda number expression of letter l,
    `sep_agg` how a column's lines are joined: "{x}" is the value."""
    incoming = "FROM letters l WHERE l.case_id = c.id AND l.direction = 'in'"
    return [
        # The letter number typed on the case, and the numbers of its incoming letters.
        "coalesce(c.letter_no, '') || coalesce("
        f"(SELECT {nl} || {sep_agg.format(x='l.number')} {incoming}), '')",
        f"(SELECT {sep_agg.format(x=seq)} {incoming})",
        "(SELECT "
        + sep_agg.format(x="l.number")
        + " FROM letters l WHERE l.case_id = c.id AND l.direction = 'out'"
        " AND l.voided_at IS NULL)",
        "c.title",
        "c.requester",
        f"(SELECT {sep_agg.format(x='l.party')} {incoming})",
        # Each person once, whatever the number of their active bookings for the case.
        f"(SELECT {sep_agg.format(x='p.name')} FROM narasumber p WHERE p.id IN ("
        "SELECT b.narasumber_id FROM narasumber_bookings b"
        " WHERE b.case_id = c.id AND b.status <> 'batal'))",
        "(SELECT v.short_name FROM sop_versions v WHERE v.id = c.sop_version_id)",
    ]


# ----- SQLite ----------------------------------------------------------------------------

_SQLITE_VALUES = _values("char(10)", "l.seq || '/' || l.year", "group_concat({x}, char(10))")


def _sqlite_refresh(where: str) -> str:
    """Statements that rewrite the documents of the cases `where` selects."""
    return (
        f"DELETE FROM case_search WHERE rowid IN (SELECT c.id FROM cases c WHERE {where}); "
        f"INSERT INTO case_search (rowid, {', '.join(COLUMNS)}) "
        f"SELECT c.id, {', '.join(_SQLITE_VALUES)} FROM cases c WHERE {where};"
    )


def _sqlite_upgrade() -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE case_search USING fts5({', '.join(COLUMNS)}, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute("CREATE VIRTUAL TABLE case_search_vocab USING fts5vocab(case_search, 'row')")
    triggers = {
        "case_search_cases_insert": ("AFTER INSERT ON cases", "c.id = NEW.id"),
        "case_search_cases_update": (
            "AFTER UPDATE OF title, requester, letter_no, sop_version_id ON cases",
            "c.id = NEW.id",
        ),
        "case_search_letters_insert": (
            "AFTER INSERT ON letters WHEN NEW.case_id IS NOT NULL",
            "c.id = NEW.case_id",
        ),
        "case_search_letters_update": (
            "AFTER UPDATE OF case_id, direction, number, party, seq, year, voided_at ON letters",
            "c.id IN (OLD.case_id, NEW.case_id)",
        ),
        "case_search_letters_delete": ("AFTER DELETE ON letters", "c.id = OLD.case_id"),
        "case_search_bookings_insert": (
            "AFTER INSERT ON narasumber_bookings WHEN NEW.case_id IS NOT NULL",
            "c.id = NEW.case_id",
        ),
        "case_search_bookings_update": (
            "AFTER UPDATE OF case_id, status, narasumber_id ON narasumber_bookings",
            "c.id IN (OLD.case_id, NEW.case_id)",
        ),
        "case_search_bookings_delete": (
            "AFTER DELETE ON narasumber_bookings",
            "c.id = OLD.case_id",
        ),
        "case_search_narasumber_update": (
            "AFTER UPDATE OF name ON narasumber",
            "c.id IN (SELECT b.case_id FROM narasumber_bookings b WHERE b.narasumber_id = NEW.id)",
        ),
    }
    for name, (when, where) in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {_sqlite_refresh(where)} END")
    op.execute(
        "CREATE TRIGGER case_search_cases_delete AFTER DELETE ON cases "
        "BEGIN DELETE FROM case_search WHERE rowid = OLD.id; END"
    )
    # Existing databases: every case's document at once.
    op.execute(
        f"INSERT INTO case_search (rowid, {', '.join(COLUMNS)}) "
        f"SELECT c.id, {', '.join(_SQLITE_VALUES)} FROM cases c"
    )
    op.execute("INSERT INTO case_search (case_search) VALUES ('optimize')")


# ----- PostgreSQL ------------------------------------------------------------------------

_PG_VALUES = _values("E'\\n'", "l.seq || '/' || l.year", "string_agg({x}, E'\\n')")
_PG_DOC = " || E'\\n' || ".join(f"coalesce({c}, '')" for c in COLUMNS)

_PG_FUNCTION = f"""
CREATE FUNCTION case_search_refresh(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Wait for any other transaction rewriting these documents; the statement
    -- below then reads with a snapshot taken after it committed (READ COMMITTED),
    -- so two clerks changing one case at once cannot leave a stale document.
    PERFORM 1 FROM case_search s WHERE s.case_id = ANY(ids) FOR UPDATE;
    INSERT INTO case_search (case_id, {", ".join(COLUMNS)}, doc)
    SELECT d.id, {", ".join(f"d.{c}" for c in COLUMNS)}, lower({_PG_DOC.replace("coalesce(", "coalesce(d.")})
    FROM (
        SELECT c.id, {", ".join(f"{v} AS {c}" for v, c in zip(_PG_VALUES, COLUMNS, strict=True))}
        FROM cases c WHERE c.id = ANY(ids)
    ) d
    ON CONFLICT (case_id) DO UPDATE SET
        {", ".join(f"{c} = EXCLUDED.{c}" for c in (*COLUMNS, "doc"))};
END $$
"""

# (trigger, table, events, the ids expression)
_PG_TRIGGERS = (
    (
        "cases_changed",
        "cases",
        "INSERT OR UPDATE OF title, requester, letter_no, sop_version_id",
        "ARRAY[NEW.id]",
    ),
    (
        "letters_changed",
        "letters",
        "INSERT OR UPDATE OF case_id, direction, number, party, seq, year, voided_at OR DELETE",
        "ARRAY[OLD.case_id, NEW.case_id]",
    ),
    (
        "bookings_changed",
        "narasumber_bookings",
        "INSERT OR UPDATE OF case_id, status, narasumber_id OR DELETE",
        "ARRAY[OLD.case_id, NEW.case_id]",
    ),
    (
        "narasumber_changed",
        "narasumber",
        "UPDATE OF name",
        "ARRAY(SELECT b.case_id FROM narasumber_bookings b WHERE b.narasumber_id = NEW.id AND b.case_id IS NOT NULL)",
    ),
)


def _pg_trigger_events(name: str, events: str) -> list[tuple[str, str, str | None]]:
    """(trigger name, events, condition) of one table's triggers: for the
    tables whose rows may belong to no case, one trigger a kind of change,
    each only for rows of a case."""
    if "OR DELETE" not in events:
        return [(f"case_search_{name}", events, None)]
    changes = events.removesuffix(" OR DELETE").removeprefix("INSERT OR ")
    return [
        (f"case_search_{name}_insert", "INSERT", "NEW.case_id IS NOT NULL"),
        (
            f"case_search_{name}_update",
            changes,
            "OLD.case_id IS NOT NULL OR NEW.case_id IS NOT NULL",
        ),
        (f"case_search_{name}_delete", "DELETE", "OLD.case_id IS NOT NULL"),
    ]


def _pg_upgrade() -> None:
    # A "trusted" extension (PostgreSQL 13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE TABLE case_search ("
        "case_id integer PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE, "
        + ", ".join(f"{c} text" for c in COLUMNS)
        + ", doc text NOT NULL)"
    )
    op.execute("CREATE INDEX ix_case_search_doc ON case_search USING gin (doc gin_trgm_ops)")
    op.execute(_PG_FUNCTION)
    for name, table, events, ids in _PG_TRIGGERS:
        # OLD is NULL on INSERT and NEW on DELETE: their fields read as NULL.
        old_new = ids.replace(
            "OLD.case_id", "(CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.case_id END)"
        )
        old_new = old_new.replace(
            "NEW.case_id", "(CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.case_id END)"
        )
        op.execute(
            f"CREATE FUNCTION case_search_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM case_search_refresh({old_new}); RETURN NULL; END $$"
        )
        # A row of no case (a block, a letter not filed to a case) calls nothing.
        for trigger, changes, when in _pg_trigger_events(name, events):
            condition = f"WHEN ({when}) " if when else ""
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {changes} ON {table} "
                f"FOR EACH ROW {condition}EXECUTE FUNCTION case_search_{name}()"
            )
    op.execute("SELECT case_search_refresh(ARRAY(SELECT id FROM cases))")
    op.execute("ANALYZE case_search")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, events, _ids in _PG_TRIGGERS:
            for trigger, _changes, _when in _pg_trigger_events(name, events):
                op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS case_search_{name}()")
        op.execute("DROP FUNCTION IF EXISTS case_search_refresh(integer[])")
        op.execute("DROP TABLE IF EXISTS case_search")
        # pg_trgm stays: other objects may have come to use it.
    else:
        for (name,) in (
            op.get_bind()
            .exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'case_search_%'"
            )
            .fetchall()
        ):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE IF EXISTS case_search_vocab")
        op.execute("DROP TABLE IF EXISTS case_search")
