"""Finding a case by what the clerk has in hand: its number, a word of the
perihal, the pemohon, a letter's number or sender, the agenda number, an
outgoing number issued for it, a narasumber booked for it.

The text lives in the database's own text index, one document a case, kept
by triggers in the writing transaction (migration 0006): an FTS5 table on
SQLite, a pg_trgm GIN index on PostgreSQL. This module turns what was typed
into that index's query, and tells which field of a found case matched.

What matches: every whitespace-separated part of the query must be found in
the case. A part is split into its words ("061/1625/DISKOPUKM" -> 061, 1625,
diskopukm) that must follow each other in one field, the last one as a
prefix (a half-typed word or number). A one-word part of four letters or
more that begins no indexed word is taken as misspelt and matches the words
close to it (as the registry search: "akuntasi" finds akuntansi). A number
alone ("123", "#123") is also that case's number. Best matches first: the
case of that number, then matches in the letter numbers, then perihal, then
pemohon, sender and narasumber, then the SOP's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Float, Integer, text
from sqlalchemy.sql.selectable import Subquery

from soptui.textmatch import MIN_WORD_SIMILARITY, fold, word_similarity

# The document's columns (migration 0006), best first: each one's weight in
# the ranking. "nomor" is the case's own number, matched by key, not indexed.
FIELDS = ("surat", "agenda", "keluar", "perihal", "pemohon", "pengirim", "narasumber", "sop")
NUMBER = "nomor"
WEIGHTS = {
    "surat": 10.0,
    "agenda": 10.0,
    "keluar": 10.0,
    "perihal": 4.0,
    "pemohon": 3.0,
    "pengirim": 3.0,
    "narasumber": 3.0,
    "sop": 1.0,
}
FUZZY_MIN = 4  # shorter words are only ever prefixes
FUZZY_NEIGHBOURS = 20  # at most this many close words stand in for a misspelt one
PG_WORD_SIMILARITY = 0.5  # pg_trgm's word_similarity for a misspelt word (<%)
_CASE_NUMBER = re.compile(r"#?(\d{1,9})")
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a text as the index splits it: folded, letters and digits."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Part:
    """One whitespace-separated part of the query: its words, and for a
    misspelt word the indexed words that stand in for it."""

    words: tuple[str, ...]
    neighbours: tuple[str, ...] | None = None  # None: matched as typed

    @property
    def fuzzy(self) -> bool:
        return self.neighbours is not None


@dataclass(frozen=True)
class SearchPlan:
    """A query made ready for the index: the statement's shape (what the
    built statement depends on) and its parameters."""

    text: str
    case_id: int | None
    parts: tuple[Part, ...]
    backend: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def searchable(self) -> bool:
        """Whether the text can match at all: some part was typed, and no
        misspelt word is without a close word (SQLite looks them up first)."""
        if not self.parts:
            return False
        return self.backend != "sqlite" or all(p.neighbours != () for p in self.parts)

    @property
    def shape(self) -> tuple[Any, ...]:
        if self.backend == "sqlite":
            # One MATCH expression whatever was typed.
            return ("sqlite", self.case_id is not None, self.searchable)
        kinds = tuple((len(p.words) if not p.fuzzy else -1) for p in self.parts)
        return ("postgresql", self.case_id is not None, kinds)

    def candidates(self) -> Subquery:
        """The matching cases and their score (lower is better), as a subquery
        with columns case_id and score."""
        selects: list[str] = []
        if self.case_id is not None:
            # The case of that number, before anything else (a missing number
            # joins no case).
            selects.append("SELECT :search_id AS case_id, -1000000.0 AS score")
        if self.searchable:
            if self.backend == "sqlite":
                weights = ", ".join(f"{WEIGHTS[f]:g}" for f in FIELDS)
                selects.append(
                    f"SELECT rowid AS case_id, bm25(case_search, {weights}) AS score "
                    "FROM case_search WHERE case_search MATCH :search_match"
                )
            else:
                conditions = []
                score = []
                for i, part in enumerate(self.parts):
                    if part.fuzzy:
                        conditions.append(f"(:search_{i} <% doc)")
                        test = f":search_{i} <% lower({{f}})"
                    else:
                        conditions.append(f"(doc ~ :search_{i})")
                        test = f"lower({{f}}) ~ :search_{i}"
                    score.append(
                        "CASE "
                        + " ".join(
                            f"WHEN {test.format(f=f)} THEN {-WEIGHTS[f]:g}" for f in FIELDS[:-1]
                        )
                        + " ELSE -1 END"
                    )
                selects.append(
                    f"SELECT case_id, ({' + '.join(score)})::float AS score "
                    f"FROM case_search WHERE {' AND '.join(conditions)}"
                )
        if not selects:  # nothing searchable typed (only punctuation): nothing matches
            selects.append("SELECT NULL AS case_id, 0.0 AS score WHERE 1 = 0")
        body = " UNION ALL ".join(selects)
        if len(selects) > 1:
            body = f"SELECT case_id, min(score) AS score FROM ({body}) u GROUP BY case_id"
        return text(body).columns(case_id=Integer(), score=Float()).subquery("found")


def plan(conn: Connection, backend: str, query: str) -> SearchPlan:
    """What was typed, made ready for the index (misspelt words looked up)."""
    stripped = query.strip()
    number = _CASE_NUMBER.fullmatch(stripped)
    case_id = int(number.group(1)) if number else None
    parts: list[Part] = []
    for chunk in stripped.split():
        if chunk.startswith("#") and _CASE_NUMBER.fullmatch(chunk):
            continue  # "#123": the case number only
        found = tuple(words(chunk))
        if found:
            parts.append(Part(found))
    parts = [_checked(conn, backend, p) for p in parts]
    params: dict[str, Any] = {}
    if case_id is not None:
        params["search_id"] = case_id
    result = SearchPlan(stripped, case_id, tuple(parts), backend, params)
    if not result.searchable:
        pass
    elif backend == "sqlite":
        params["search_match"] = " AND ".join(_fts_expression(p) for p in parts)
    else:
        for i, p in enumerate(parts):
            params[f"search_{i}"] = p.words[0] if p.fuzzy else _pg_regex(p.words)
        if any(p.fuzzy for p in parts):
            # pg_trgm's word similarity of a misspelt word is lower than
            # difflib's ("pemasran" -> pemasaran 0.58): this transaction only.
            conn.execute(
                text("SELECT set_config('pg_trgm.word_similarity_threshold', :v, true)"),
                {"v": str(PG_WORD_SIMILARITY)},
            )
    return result


def _fts_expression(part: Part) -> str:
    if part.neighbours is not None:
        return "(" + " OR ".join(f'"{w}"' for w in part.neighbours) + ")"
    return '"' + " ".join(part.words) + '"*'


def _pg_regex(part_words: tuple[str, ...]) -> str:
    """The words at a word start, one after the other within one line (one
    value of one field), the last one as a prefix. Words hold only letters
    and digits: nothing to escape."""
    return r"(^|[^[:alnum:]])" + r"[^[:alnum:]\n]+".join(part_words)


def _checked(conn: Connection, backend: str, part: Part) -> Part:
    """A one-word part that begins no indexed word, long enough to be a word
    and not a number, is misspelt: it stands for the indexed words close to
    it."""
    word = part.words[0]
    if len(part.words) > 1 or len(word) < FUZZY_MIN or word.isdigit():
        return part
    if backend == "sqlite":
        hit = conn.execute(
            text("SELECT 1 FROM case_search_vocab WHERE term >= :lo AND term < :hi LIMIT 1"),
            {"lo": word, "hi": word + "\U0010ffff"},
        ).first()
        if hit is not None:
            return part
        # Close words share the first two letters (a typo there is not
        # forgiven) and are not much shorter or longer.
        head = word[:2]
        rows = conn.execute(
            text(
                "SELECT term FROM case_search_vocab WHERE term >= :lo AND term < :hi "
                "AND length(term) BETWEEN :short AND :long"
            ),
            {"lo": head, "hi": head + "\U0010ffff", "short": len(word) - 2, "long": len(word) + 6},
        ).scalars()
        scored = [(word_similarity(word, term), term) for term in rows]
        close = sorted((s, t) for s, t in scored if s >= MIN_WORD_SIMILARITY)
        close.sort(key=lambda st: -st[0])
        return Part(part.words, tuple(t for _, t in close[:FUZZY_NEIGHBOURS]))
    hit = conn.execute(
        text("SELECT 1 FROM case_search WHERE doc ~ :re LIMIT 1"),
        {"re": _pg_regex(part.words)},
    ).first()
    if hit is not None:
        return part
    return Part(part.words, ())  # pg_trgm finds the close words itself (<%)


# ----- which field matched ---------------------------------------------------------------


def _part_matches(part: Part, value: str) -> float:
    """How well a part matches one value of a field (0: not at all)."""
    value_words = words(value)
    if not part.fuzzy:
        n = len(part.words)
        *whole, last = part.words
        for i in range(len(value_words) - n + 1):
            if value_words[i : i + n - 1] == whole and value_words[i + n - 1].startswith(last):
                return 1.0
        return 0.0
    best = 0.0
    for w in value_words:
        if part.neighbours and w in part.neighbours:
            return 0.99
        best = max(best, word_similarity(part.words[0], w))
    return best * 0.99


def matched_field(
    plan: SearchPlan, case_id: int, document: dict[str, str | None] | None
) -> tuple[str | None, str | None]:
    """(field, value) of the best field the query matched for this case: the
    case number, else the first field (in FIELDS order) where a part matched,
    with that value (one letter number, one narasumber name)."""
    if plan.case_id is not None and plan.case_id == case_id:
        return NUMBER, f"#{case_id}"
    if document is None:
        return None, None
    best: tuple[float, int, str, str] | None = None
    for rank, name in enumerate(FIELDS):
        for value in (document.get(name) or "").split("\n"):
            if not value:
                continue
            for part in plan.parts:
                score = _part_matches(part, value)
                if score and (best is None or (score, -rank) > (best[0], -best[1])):
                    best = (score, rank, name, value)
    if best is None:
        return None, None
    return best[2], best[3]


def documents_query(backend: str) -> Any:
    """The statement that reads the documents of the cases in :ids."""
    columns = ", ".join(FIELDS)
    if backend == "sqlite":
        return text(
            f"SELECT rowid AS case_id, {columns} FROM case_search WHERE rowid IN "
            "(SELECT value FROM json_each(:ids))"
        )
    return text(f"SELECT case_id, {columns} FROM case_search WHERE case_id = ANY(:ids)")
