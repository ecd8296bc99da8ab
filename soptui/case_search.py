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
case of that number, then (when digits were typed) cases holding them in a
letter number, then the rest, each tier in the view's own order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Integer, text
from sqlalchemy.sql.selectable import Subquery

from soptui.textmatch import MIN_WORD_SIMILARITY, fold, word_similarity

# The document's columns (migration 0006), best first (which field a match is
# told by). "nomor" is the case's own number, matched by key, not indexed.
FIELDS = ("surat", "agenda", "keluar", "perihal", "pemohon", "pengirim", "narasumber", "sop")
NUMBER = "nomor"
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
    # Whether the last word may be half typed: only the query's last part
    # (words followed by a space or another part are typed out).
    prefix: bool = True

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
    def tiered(self) -> bool:
        """Whether matches in the letter numbers go first: when a number was
        typed (words alone are perihal, names: the view's order holds)."""
        return any(w.isdigit() for p in self.parts for w in p.words)

    @property
    def shape(self) -> tuple[Any, ...]:
        if self.backend == "sqlite":
            # One MATCH expression whatever was typed.
            return ("sqlite", self.case_id is not None, self.searchable, self.tiered)
        kinds = tuple((len(p.words) if not p.fuzzy else -1) for p in self.parts)
        return ("postgresql", self.case_id is not None, kinds, self.tiered)

    def candidates(self, *, scored: bool = True) -> Subquery:
        """The matching cases as a subquery with column case_id and, scored,
        the tier they match in (lower is better): 0 the case of that number,
        1 (when a number was typed) every part in the letter numbers (surat,
        agenda, keluar), 2 elsewhere. Tiers, not a relevance score: a score
        per row (bm25) costs more than the rest of a keystroke when a word is
        in thousands of cases; within a tier the view's own order (most
        urgent first) holds."""
        selects: list[str] = []
        if self.case_id is not None:
            # A missing number joins no case.
            selects.append("SELECT :search_id AS case_id" + (", 0 AS score" if scored else ""))
        if self.searchable:
            if self.backend == "sqlite":
                score = (
                    ", CASE WHEN rowid IN (SELECT rowid FROM case_search"
                    " WHERE case_search MATCH :search_numbers) THEN 1 ELSE 2 END AS score"
                    if self.tiered
                    else ", 2 AS score"
                )
                selects.append(
                    f"SELECT rowid AS case_id{score if scored else ''} "
                    "FROM case_search WHERE case_search MATCH :search_match"
                )
            else:
                numbers = "lower(concat_ws(E'\\n', surat, agenda, keluar))"

                def every(column: str) -> str:
                    return " AND ".join(
                        f"(:search_{i} <% {column})" if p.fuzzy else f"({column} ~ :search_{i})"
                        for i, p in enumerate(self.parts)
                    )

                score = (
                    f", CASE WHEN {every(numbers)} THEN 1 ELSE 2 END AS score"
                    if self.tiered
                    else ", 2 AS score"
                )
                selects.append(
                    f"SELECT case_id{score if scored else ''} FROM case_search WHERE {every('doc')}"
                )
        if not selects:  # nothing searchable typed (only punctuation): nothing matches
            selects.append(
                "SELECT NULL AS case_id" + (", 0 AS score" if scored else "") + " WHERE 1 = 0"
            )
        body = " UNION ALL ".join(selects)
        if len(selects) > 1:
            body = (
                f"SELECT case_id{', min(score) AS score' if scored else ''} "
                f"FROM ({body}) u GROUP BY case_id"
            )
        columns: dict[str, Any] = {"case_id": Integer()}
        if scored:
            columns["score"] = Integer()
        return text(body).columns(**columns).subquery("found")


def plan(conn: Connection, backend: str, query: str) -> SearchPlan:
    """What was typed, made ready for the index (misspelt words looked up)."""
    stripped = query.strip()
    number = _CASE_NUMBER.fullmatch(stripped)
    case_id = int(number.group(1)) if number else None
    parts: list[Part] = []
    chunks = stripped.split()
    for n, chunk in enumerate(chunks, start=1):
        if chunk.startswith("#") and _CASE_NUMBER.fullmatch(chunk):
            continue  # "#123": the case number only
        found = tuple(words(chunk))
        if found:
            # A half-typed word is the last one typed: one ending in a
            # separator ("061/") or followed by more is typed out.
            last = n == len(chunks) and query == query.rstrip() and chunk[-1].isalnum()
            parts.append(Part(found, prefix=last))
    parts = [_checked(conn, backend, p) for p in parts]
    params: dict[str, Any] = {}
    if case_id is not None:
        params["search_id"] = case_id
    result = SearchPlan(stripped, case_id, tuple(parts), backend, params)
    if not result.searchable:
        pass
    elif backend == "sqlite":
        expression = " AND ".join(_fts_expression(p) for p in parts)
        params["search_match"] = expression
        if result.tiered:
            params["search_numbers"] = f"{{surat agenda keluar}} : ({expression})"
    else:
        for i, p in enumerate(parts):
            params[f"search_{i}"] = p.words[0] if p.fuzzy else _pg_regex(p.words, p.prefix)
        if any(p.fuzzy for p in parts):
            set_fuzzy_threshold(conn)
    return result


def set_fuzzy_threshold(conn: Connection) -> None:
    """pg_trgm's word similarity of a misspelt word is lower than difflib's
    ("pemasran" -> pemasaran 0.58): lowered for this transaction only."""
    conn.execute(
        text("SELECT set_config('pg_trgm.word_similarity_threshold', :v, true)"),
        {"v": str(PG_WORD_SIMILARITY)},
    )


def _holds(conn: Connection, word: str, *, prefix: bool) -> bool:
    """Whether some case holds this word (prefix: a word beginning so). One
    index probe: the first match ends it."""
    probe = text("SELECT rowid FROM case_search WHERE case_search MATCH :q LIMIT 1")
    return conn.execute(probe, {"q": f'"{word}"' + ("*" if prefix else "")}).first() is not None


def _fts_expression(part: Part) -> str:
    if part.neighbours is not None:
        return "(" + " OR ".join(f'"{w}"' for w in part.neighbours) + ")"
    # A typed-out word is matched as a whole: a prefix query reads every
    # entry of every word it begins (FTS5 merges them first), an exact one
    # skips through the rarest word's entries. A single half-typed character
    # after others ("061/1625/D") is left to the next keystroke: no prefix
    # index holds one character, and its prefix query reads the whole index.
    typed = part.words
    if part.prefix and len(typed) > 1 and len(typed[-1]) == 1:
        return '"' + " ".join(typed[:-1]) + '"'
    return '"' + " ".join(typed) + '"' + ("*" if part.prefix else "")


def _pg_regex(part_words: tuple[str, ...], prefix: bool) -> str:
    """The words at a word start, one after the other within one line (one
    value of one field), the last one as a prefix if it may be half typed.
    Words hold only letters and digits: nothing to escape."""
    end = "" if prefix else r"([^[:alnum:]]|$)"
    return r"(^|[^[:alnum:]])" + r"[^[:alnum:]\n]+".join(part_words) + end


def _checked(conn: Connection, backend: str, part: Part) -> Part:
    """A one-word part that begins no indexed word, long enough to be a word
    and not a number, is misspelt: it stands for the indexed words close to
    it."""
    word = part.words[0]
    if len(part.words) > 1 or len(word) < FUZZY_MIN or word.isdigit():
        return part
    if backend == "sqlite":
        if _holds(conn, word, prefix=part.prefix):
            return part
        # The typo is after the longest beginning some indexed word has ("akunt"
        # of "akuntasi"): its close words are among the words that begin so (a
        # typo in the first two letters is not forgiven). Found by halving, a
        # few index probes; the vocabulary is read for that beginning only.
        # (A typed-out word that only begins words, "akunt" in "akunt kop",
        # stands for the words it begins.)
        low, high = 1, len(word) - 1  # the beginning of `low` letters is indexed, of high+1 not
        if not part.prefix and _holds(conn, word, prefix=True):
            low = high = len(word)
        while low < high:
            mid = (low + high + 1) // 2
            if _holds(conn, word[:mid], prefix=True):
                low = mid
            else:
                high = mid - 1
        if low < 2:
            return Part(part.words, (), part.prefix)
        head = word[:low]
        rows = conn.execute(
            text(
                "SELECT term FROM case_search_vocab WHERE term >= :lo AND term < :hi "
                "AND length(term) BETWEEN :short AND :long"
            ),
            {"lo": head, "hi": head + "\U0010ffff", "short": len(word) - 2, "long": len(word) + 6},
        ).scalars()
        scored = [(word_similarity(word, term), term) for term in rows]
        close = sorted(
            ((s, t) for s, t in scored if s >= MIN_WORD_SIMILARITY), key=lambda st: -st[0]
        )
        return Part(part.words, tuple(t for _, t in close[:FUZZY_NEIGHBOURS]), part.prefix)
    hit = conn.execute(
        text("SELECT 1 FROM case_search WHERE doc ~ :re LIMIT 1"),
        {"re": _pg_regex(part.words, True)},
    ).first()
    if hit is not None:
        return part
    return Part(part.words, (), part.prefix)  # pg_trgm finds the close words itself (<%)


# ----- which field matched ---------------------------------------------------------------


def _part_matches(
    part: Part, value_words: list[str], similar: dict[tuple[str, str], float]
) -> float:
    """How well a part matches one value of a field (0: not at all); 1.0 as
    typed, below 1 through a close word. `similar` keeps the word similarities
    already worked out for this page."""
    if not part.fuzzy:
        n = len(part.words)
        *whole, last = part.words
        for i in range(len(value_words) - n + 1):
            if value_words[i : i + n - 1] == whole and value_words[i + n - 1].startswith(last):
                return 1.0
        return 0.0
    if part.neighbours:  # SQLite: the index matched these words
        return 0.99 if any(w in part.neighbours for w in value_words) else 0.0
    best = 0.0  # PostgreSQL: pg_trgm matched; tell which word by the registry's rule
    typed = part.words[0]
    for w in value_words:
        key = (typed, w)
        score = similar.get(key)
        if score is None:
            score = similar[key] = word_similarity(typed, w)
        best = max(best, score)
    return best * 0.99


def matched_field(
    plan: SearchPlan,
    case_id: int,
    document: Mapping[str, str | None] | None,
    similar: dict[tuple[str, str], float] | None = None,
) -> tuple[str | None, str | None]:
    """(field, value) of the best field the query matched for this case: the
    case number, else the field (in FIELDS order) where a part matched best,
    with that value (one letter number, one narasumber name)."""
    if plan.case_id is not None and plan.case_id == case_id:
        return NUMBER, f"#{case_id}"
    if document is None:
        return None, None
    similar = {} if similar is None else similar
    best: tuple[float, str, str] | None = None
    for name in FIELDS:
        for value in (document.get(name) or "").split("\n"):
            if not value:
                continue
            value_words = words(value)
            for part in plan.parts:
                score = _part_matches(part, value_words, similar)
                if score and (best is None or score > best[0]):
                    best = (score, name, value)
                    if score == 1.0:  # as typed, in the best field left: nothing beats it
                        return name, value
    if best is None:
        return None, None
    return best[1], best[2]


def documents_query(backend: str) -> Any:
    """The statement that reads the documents of the cases in :ids."""
    columns = ", ".join(FIELDS)
    if backend == "sqlite":
        return text(
            f"SELECT rowid AS case_id, {columns} FROM case_search WHERE rowid IN "
            "(SELECT value FROM json_each(:ids))"
        )
    return text(f"SELECT case_id, {columns} FROM case_search WHERE case_id = ANY(:ids)")
