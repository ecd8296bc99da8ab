"""The narasumber registry: who can speak on a subject, and are they free?

- Persons carry a status from SOP Pendaftaran Narasumber (diajukan,
  diverifikasi, disetujui, ditolak, nonaktif). Registering opens a Pendaftaran
  case linked to the person; the case engine's hooks move the status when the
  verification step completes and when the decision step approves or refuses.
- Bookings and blocks (cuti, dinas luar) share one table of half-open
  intervals. A booking is checked and inserted in one writing transaction
  (BEGIN IMMEDIATE on SQLite; the person's row locked on PostgreSQL) and the
  database holds the rule too (EXCLUDE USING gist on PostgreSQL, triggers on
  SQLite), so several clerks booking at once never double-book.
- Search is typo tolerant without a scan: every word of a person's fields is
  in `narasumber_terms`, and every distinct word's trigrams in
  `narasumber_term_grams`. A query word first finds similar words in that
  small vocabulary (trigram overlap, then difflib), then the persons holding
  them through the primary key. Same tables and code on SQLite and PostgreSQL.
- Every change appends an audit event in its own transaction and links it to
  the person (`narasumber_events`) for the history pane.

Everything returned is a plain frozen dataclass; no ORM object leaves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import InternalTraversal

from soptui import audit
from soptui.cases import OPEN_STATUSES, CaseService
from soptui.catalog import SopDefinition, Step
from soptui.catalog_store import CatalogStore
from soptui.db.engine import Database
from soptui.db.models import Case, CaseEvent, StepAttempt, User
from soptui.db.registry_models import (
    ASN_STATUSES,
    PERSON_STATUSES,
    TERM_MAX,
    Narasumber,
    NarasumberBooking,
    NarasumberEvent,
    NarasumberTerm,
    NarasumberTermGram,
    NarasumberTopic,
)
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError
from soptui.i18n import t
from soptui.identity import Actor
from soptui.narasumber_views import (  # noqa: F401  (the read models, re-exported)
    APPROVED,
    MAX_SPAN,
    Booking,
    Conflict,
    HistoryItem,
    Offer,
    Person,
    PersonDetail,
    SearchHit,
    SpeakerStep,
    check_span,
    honor_class,
    parse_range,
    span_text,
    split_nip_nik,
)
from soptui.textmatch import fold, word_similarity
from soptui.validate import (
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    check_search,
    clean_text,
    guarded,
    normalise_nip,
)

Clock = Callable[[], datetime]

REGISTRATION_SOP = "NARSUM-PENDAFTARAN"
VERIFY_STEP = "verifikasi-profil"  # step 3: profile checked against the standard modules
# Who approves the application is read from the case's own version of the SOP
# (final_decision): since version 2 the Pejabat Level 2's step 5, in version 1 the
# Ketua Tim Kerja's step 4. A refusal at any of its decisions makes the person ditolak.
# Steps at which a case decides or checks its speaker; a screen offers the
# lookup there ("Kadis ... menunjukkan disposisi personil"; "mengecek jadwal narasumber").
SPEAKER_STEPS: Mapping[str, tuple[str, ...]] = {
    "NARSUM-PERMINTAAN": ("persetujuan-kadis",),
    "NARSUM-FASILITASI": ("cek-jadwal",),
}
MAX_TOPICS = 30
TOPIC_MAX = 200
DEFAULT_LIMIT = 50

# Field codes of narasumber_terms and their weight in search ranking.
NAME_FIELD, TOPIC_FIELD, ORG_FIELD = "n", "t", "i"
FIELD_WEIGHT = {NAME_FIELD: 1.0, TOPIC_FIELD: 1.0, ORG_FIELD: 0.9}
# Share of a query word's trigrams a vocabulary word must have to be looked at.
MIN_GRAM_SHARE = 0.4
# Too common to tell subjects apart; left out of the index and of queries.
STOPWORDS = frozenset(
    {"dan", "di", "ke", "dari", "untuk", "bagi", "yang", "atau", "serta", "pada", "dengan"}
    | {"dalam", "the", "of", "and", "for", "in"}
)
# Honorifics written before a name; the sort order skips them.
PREFIX_GELAR = frozenset({"dr", "dra", "drs", "drg", "prof", "ir", "h", "hj", "kh", "hc", "st"})

_BLOCK_KIND_ALIASES = {
    "cuti": "cuti",
    "dinas_luar": "dinas_luar",
    "dinas-luar": "dinas_luar",
    "dinas luar": "dinas_luar",
    "dl": "dinas_luar",
    "lainnya": "lainnya",
    "lain": "lainnya",
}


def final_decision(definition: SopDefinition) -> str | None:
    """Key of the decision whose approval approves a Pendaftaran application:
    its last decision step (the Pejabat Level 2's step 5 since version 2, the
    Ketua Tim Kerja's step 4 in version 1); approving an earlier one only
    passes the application on."""
    decisions = [step.key for step in definition.steps if step.decision]
    return decisions[-1] if decisions else None


def words(text: str | None) -> list[str]:
    """The searchable words of a text: folded, alphanumeric, at least two
    characters, no stop words, in order, once each."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for word in re.findall(r"[a-z0-9]+", fold(text)):
        if len(word) >= 2 and word not in STOPWORDS:
            seen.setdefault(word[:TERM_MAX], None)
    return list(seen)


def term_grams(term: str) -> set[str]:
    """Trigrams of an indexed word, padded like pg_trgm ("  a", " ak", ..., "si ")."""
    padded = f"  {term} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def query_grams(word: str) -> set[str]:
    """Trigrams of a query word: no end padding, so a word still being typed
    ("akun") matches the words it begins."""
    padded = f"  {word}"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def sort_name(name: str) -> str:
    """The name as sorted: folded, without the gelar in front or after a comma."""
    head = fold(name).split(",")[0]
    parts = head.split()
    while parts and parts[0].replace(".", "") in PREFIX_GELAR and len(parts) > 1:
        parts.pop(0)
    return " ".join(parts)[:300]


# ----- input checks --------------------------------------------------------------------

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_ROMAN_PPPK = (*_ROMAN, "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII")
_DIGIT_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def normalise_nik(value: str | None) -> str | None:
    """NIK: 16 digits (separators allowed); the birth date part checked
    leniently (day 1-31, or 41-71 for women; month 1-12)."""
    text = clean_text(value, "NIK", max_len=40)
    if text is None:
        return None
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"[0-9]{16}", digits):
        raise InputError("err.nr.bad_nik", value=value)
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise InputError("err.nr.bad_nik", value=value)
    return digits


def normalise_asn(value: str | None) -> str | None:
    text = clean_text(value, "ASN", max_len=20)
    if text is None:
        return None
    key = re.sub(r"[\s\-]+", "_", text.lower())
    key = {"nonasn": "non_asn", "non": "non_asn", "asn": "pns"}.get(key, key)
    if key not in ASN_STATUSES:
        raise InputError("err.nr.bad_asn", value=value)
    return key


def normalise_eselon(value: str | None) -> str | None:
    """'II.a', '2a', 'ii a' -> 'II.a'; 'III' -> 'III'."""
    text = clean_text(value, "Eselon", max_len=10)
    if text is None:
        return None
    m = re.fullmatch(r"(?i)\s*(iv|iii|ii|i|[1-4])\s*[./\- ]?\s*([ab])?\s*", text)
    if not m:
        raise InputError("err.nr.bad_eselon", value=value)
    level = _DIGIT_ROMAN.get(m.group(1), m.group(1).upper())
    return level + (f".{m.group(2).lower()}" if m.group(2) else "")


def normalise_golongan(value: str | None, asn_status: str | None) -> str | None:
    """PNS 'III/c' (also '3c', 'iii c'); PPPK a roman numeral I-XVII."""
    text = clean_text(value, "Golongan", max_len=10)
    if text is None:
        return None
    m = re.fullmatch(r"(?i)\s*(iv|iii|ii|i|[1-4])\s*[./\- ]?\s*([a-e])\s*", text)
    if m:
        level = _DIGIT_ROMAN.get(m.group(1), m.group(1).upper())
        letter = m.group(2).lower()
        if letter == "e" and level != "IV":
            raise InputError("err.nr.bad_golongan", value=value)
        return f"{level}/{letter}"
    if asn_status == "pppk" and text.strip().upper() in _ROMAN_PPPK:
        return text.strip().upper()
    raise InputError("err.nr.bad_golongan", value=value)


def normalise_email(value: str | None) -> str | None:
    text = clean_text(value, "Email", max_len=200)
    if text is None:
        return None
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise InputError("err.nr.bad_email", value=value)
    return text


def normalise_phone(value: str | None) -> str | None:
    """As written, if it has 6-15 digits and only phone punctuation."""
    text = clean_text(value, "Telepon", max_len=40)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"[0-9\s+().\-/]+", text, re.ASCII) or not 6 <= len(digits) <= 15:
        raise InputError("err.nr.bad_phone", value=value)
    return text


def normalise_topics(values: Iterable[str] | None) -> tuple[str, ...]:
    """Trimmed, without repeats (case-insensitive), in the order given."""
    seen: dict[str, str] = {}
    for value in values or ():
        text = clean_text(value, "Materi", max_len=TOPIC_MAX)
        if text is not None:
            seen.setdefault(fold(text), text)
    if len(seen) > MAX_TOPICS:
        raise InputError("err.nr.too_many_topics", max=MAX_TOPICS)
    return tuple(seen.values())


def parse_status(value: str) -> str:
    key = (value or "").strip().lower()
    if key not in PERSON_STATUSES:
        raise InputError("err.nr.bad_status", value=value)
    return key


def parse_block_kind(value: str | None) -> str:
    key = (value or "cuti").strip().lower()
    kind = _BLOCK_KIND_ALIASES.get(key)
    if kind is None:
        raise InputError("err.nr.bad_kind", value=value)
    return kind


# The profile fields, their checks, and which of them the word index covers.
def _profile_checks() -> dict[str, Callable[[Any], Any]]:
    return {
        "name": lambda v: clean_text(v, "Nama", max_len=NAME_MAX, required=True),
        "instansi": lambda v: clean_text(v, "Instansi", max_len=NAME_MAX),
        "jabatan": lambda v: clean_text(v, "Jabatan", max_len=NAME_MAX),
        "pendidikan": lambda v: clean_text(v, "Pendidikan", max_len=NAME_MAX),
        "phone": normalise_phone,
        "email": normalise_email,
        "notes": lambda v: clean_text(v, "Catatan", max_len=NOTE_MAX),
        "nip": normalise_nip,
        "nik": normalise_nik,
        "asn_status": normalise_asn,
        "eselon": normalise_eselon,
    }


PROFILE_FIELDS = (
    "name",
    "topics",
    "nip",
    "nik",
    "instansi",
    "jabatan",
    "pendidikan",
    "asn_status",
    "eselon",
    "golongan",
    "phone",
    "email",
    "notes",
)


def _clean_profile(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values for the fields given; asn_status, eselon and golongan
    are checked together with what the person already has."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise InputError("err.nr.bad_field", field=", ".join(sorted(unknown)))
    checks = _profile_checks()
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "topics":
            out[key] = normalise_topics(value)
        elif key in checks:
            out[key] = checks[key](value)
    merged = {**current, **out}
    if "golongan" in values:
        out["golongan"] = normalise_golongan(values["golongan"], merged.get("asn_status"))
        merged["golongan"] = out["golongan"]
    # Eselon and golongan belong to civil servants: with no ASN status given
    # they imply PNS (lenient: the form is often filled in partly).
    if (merged.get("eselon") or merged.get("golongan")) and not merged.get("asn_status"):
        out["asn_status"] = merged["asn_status"] = "pns"
    if merged.get("eselon") and merged.get("asn_status") != "pns":
        raise InputError("err.nr.eselon_needs_pns")
    return out


# ----- statements the reading paths send ---------------------------------------------
# Built once from the tables' Core columns, with list parameters (_one_of): the
# same statement object on every call, so SQLAlchemy computes its cache key once
# and serves the compiled form from its cache, and rows come back as plain
# tuples (no ORM entities, no identity map: nothing read here is changed).


class _OneOf(ColumnElement[bool]):
    """`column` is one of the list parameter `name`: an expanding IN (?, ?, ...)
    on SQLite, `= ANY(%(name)s)` on PostgreSQL, which sends one array instead
    of a cast placeholder per value and keeps the SQL text the same whatever
    the list's length (so the driver's prepared statement serves it)."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a comparison: no "= 1" where booleans are integers
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]
    type = Boolean()

    def __init__(self, column: Any, name: str) -> None:
        self.column = column
        self.name = name


@compiles(_OneOf)
def _one_of_expanding(element: _OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(_OneOf, "postgresql")
def _one_of_array(element: _OneOf, compiler: Any, **kw: Any) -> str:
    from sqlalchemy.dialects.postgresql import ARRAY  # only here: start-up stays without it

    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


def _one_of(column: Any, name: str) -> Any:
    return _OneOf(column, name)


_NR = Narasumber.__table__.c
_TOPIC = NarasumberTopic.__table__.c
_TERM = NarasumberTerm.__table__.c
_GRAM = NarasumberTermGram.__table__.c
_BOOKING = NarasumberBooking.__table__.c

# In the order of Person's fields, topics left out.
_PERSON_COLUMNS = (
    _NR.id,
    _NR.name,
    _NR.status,
    _NR.nip,
    _NR.nik,
    _NR.instansi,
    _NR.jabatan,
    _NR.pendidikan,
    _NR.asn_status,
    _NR.eselon,
    _NR.golongan,
    _NR.phone,
    _NR.email,
    _NR.notes,
    _NR.registration_case_id,
    _NR.created_at,
    _NR.updated_at,
    _NR.version,
)
_PERSONS_BY_ID = select(*_PERSON_COLUMNS).where(_one_of(_NR.id, "ids"))
_TOPICS_BY_PERSON = (
    select(_TOPIC.narasumber_id, _TOPIC.topic)
    .where(_one_of(_TOPIC.narasumber_id, "ids"))
    .order_by(_TOPIC.narasumber_id, _TOPIC.position)
)
_CONFLICTS = (
    select(
        _BOOKING.id,
        _BOOKING.narasumber_id,
        _BOOKING.kind,
        _BOOKING.status,
        _BOOKING.activity,
        _BOOKING.starts_at,
        _BOOKING.ends_at,
        _BOOKING.case_id,
    )
    .where(
        _one_of(_BOOKING.narasumber_id, "ids"),
        _BOOKING.status != "batal",
        _BOOKING.starts_at < bindparam("end"),
        _BOOKING.ends_at > bindparam("start"),
    )
    .order_by(_BOOKING.starts_at)
)
_MATCHED_TERMS = select(_TERM.narasumber_id, _TERM.part, _TERM.term).where(
    _TERM.field == TOPIC_FIELD,
    _one_of(_TERM.term, "terms"),
    _one_of(_TERM.narasumber_id, "ids"),
)
_GRAM_NEIGHBOURS = (
    select(_GRAM.term)
    .where(_one_of(_GRAM.gram, "grams"))
    .group_by(_GRAM.term)
    .having(func.count() >= bindparam("need"))
)


# ----- the service -------------------------------------------------------------------


@guarded
class NarasumberService:
    def __init__(
        self,
        db: Database,
        catalogs: CatalogStore,
        cases: CaseService,
        clock: Clock,
        tz: str = "Asia/Jakarta",
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.cases = cases
        self.clock = clock
        self.tz = ZoneInfo(tz)
        self.tz_name = tz

    def span(self, start: datetime, end: datetime) -> str:
        """A time range as clerks write it, in office time ("3 Des 08:00-12:00")."""
        return span_text(start, end, self.tz, self.clock().astimezone(self.tz).year)

    def span_concerns(self, start: datetime, end: datetime) -> tuple[str, ...]:
        """What is unusual about booking this time, for the clerk to confirm:
        "past", "non_working_day" (a weekend or holiday of the office calendar),
        "outside_hours" (before the first or after the last working period of
        its day). Nothing: an ordinary working time."""
        concerns: list[str] = []
        if start < self.clock():
            concerns.append("past")
        with self.db.read_rows() as conn:
            cal = self.cases.calendars.calendar(conn, max_age=30)
        a, b = start.astimezone(self.tz), (end - timedelta(microseconds=1)).astimezone(self.tz)
        days = [a.date() + timedelta(days=n) for n in range((b.date() - a.date()).days + 1)]
        if any(not cal.is_working_day(day) for day in days[:31]):
            concerns.append("non_working_day")
        elif len(days) == 1:
            periods = cal.periods_on(a.date())
            if periods and (start < periods[0][0] or end > periods[-1][1]):
                concerns.append("outside_hours")
        return tuple(concerns)

    def install_hooks(self, cases: CaseService) -> None:
        """Let the case engine tell the registry what its cases decide."""
        cases.step_outcome_hooks.append(self.on_step_outcome)
        cases.case_end_hooks.append(self.on_case_end)

    # ----- persons: writing -----------------------------------------------------------

    def register(
        self,
        actor: Actor,
        *,
        name: str,
        topics: Iterable[str] = (),
        nip: str | None = None,
        nik: str | None = None,
        instansi: str | None = None,
        jabatan: str | None = None,
        pendidikan: str | None = None,
        asn_status: str | None = None,
        eselon: str | None = None,
        golongan: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        notes: str | None = None,
    ) -> Person:
        """Add a person (status diajukan) and open the Pendaftaran Narasumber
        case that decides on them, in one transaction."""
        values = _clean_profile(
            {
                "name": name,
                "topics": list(topics),
                "nip": nip,
                "nik": nik,
                "instansi": instansi,
                "jabatan": jabatan,
                "pendidikan": pendidikan,
                "asn_status": asn_status,
                "eselon": eselon,
                "golongan": golongan,
                "phone": phone,
                "email": email,
                "notes": notes,
            },
            {},
        )
        topic_list: tuple[str, ...] = values.pop("topics")
        now = self.clock()
        try:
            with self.db.write() as s:
                self._check_unique(s, values.get("nip"), values.get("nik"), None)
                row = Narasumber(
                    **values,
                    sort_name=sort_name(values["name"]),
                    status="diajukan",
                    created_at=now,
                    created_by=actor.id,
                    updated_at=now,
                    version=1,
                )
                s.add(row)
                s.flush()
                self._set_topics(s, row.id, topic_list)
                self._index(s, row, topic_list)
                case = self._open_registration(s, actor, row, now)
                row.registration_case_id = case.id
                self._event(
                    s,
                    row.id,
                    at=now,
                    kind="narasumber.registered",
                    case_id=case.id,
                    actor_id=actor.id,
                    data={"narasumber": row.id, "name": row.name, "topics": list(topic_list)},
                )
                return self._person(row, topic_list)
        except IntegrityError:
            # Two clerks registering the same NIP at once: the unique index
            # holds, and the refusal names the person who got there first.
            self._raise_duplicate(values.get("nip"), values.get("nik"), None)
            raise

    def update(
        self,
        actor: Actor,
        narasumber_id: int,
        *,
        expected_version: int | None = None,
        **changes: Any,
    ) -> Person:
        """Change profile fields (any of PROFILE_FIELDS; topics replaces the
        list; None or "" clears an optional field). Refused if someone changed
        the person since `expected_version` was read."""
        now = self.clock()
        with self.db.write() as s:
            row = self._lock_person(s, narasumber_id)
            if expected_version is not None and row.version != expected_version:
                raise RuleError("err.nr.stale", id=narasumber_id)
            old_topics = self._topics_of(s, [row.id]).get(row.id, ())
            current = {k: getattr(row, k) for k in PROFILE_FIELDS if k != "topics"}
            values = _clean_profile(changes, current)
            diff: dict[str, list[Any]] = {}
            for key, value in values.items():
                before = old_topics if key == "topics" else current[key]
                if before != value:
                    diff[key] = [list(before) if key == "topics" else before, value]
            if not diff:
                return self._person(row, old_topics)
            self._check_unique(s, values.get("nip"), values.get("nik"), row.id)
            new_topics: tuple[str, ...] = values.pop("topics", old_topics)
            for key, value in values.items():
                setattr(row, key, value)
            row.sort_name = sort_name(row.name)
            row.updated_at = now
            row.version += 1
            if new_topics != old_topics:
                self._set_topics(s, row.id, new_topics)
            self._index(s, row, new_topics)
            self._event(
                s,
                row.id,
                at=now,
                kind="narasumber.updated",
                actor_id=actor.id,
                data={"narasumber": row.id, "changes": _jsonable(diff)},
            )
            return self._person(row, new_topics)

    def set_status(
        self, actor: Actor, narasumber_id: int, status: str, *, note: str | None
    ) -> Person:
        """An admin's change of status, with the reason (e.g. nonaktif for a
        speaker who retired, or disetujui for a registry carried over from
        paper). Setting diajukan again is a new application: it opens a new
        Pendaftaran case linked to the person."""
        target = parse_status(status)
        reason = clean_text(note, "Catatan", max_len=NOTE_MAX)
        if reason is None:
            raise InputError("err.note_required")
        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        now = self.clock()
        with self.db.write() as s:
            row = self._lock_person(s, narasumber_id)
            if row.status == target:
                raise RuleError(
                    "err.nr.same_status", name=row.name, status=t(f"nr.status.{target}")
                )
            case_id = None
            if target == "diajukan":
                case_id = self._open_registration(s, actor, row, now).id
                row.registration_case_id = case_id
            self._change_status(s, row, target, now, actor.id, note=reason, case_id=case_id)
            return self._person(row, self._topics_of(s, [row.id]).get(row.id, ()))

    # ----- persons: reading ------------------------------------------------------------

    def get(self, narasumber_id: int) -> Person:
        with self.db.read() as s:
            row = s.get(Narasumber, narasumber_id)
            if row is None:
                raise NotFoundError("err.nr.not_found", id=narasumber_id)
            return self._person(row, self._topics_of(s, [row.id]).get(row.id, ()))

    def detail(self, narasumber_id: int, *, bookings: int = 20) -> PersonDetail:
        """Profile, registration case, the next and the last `bookings`
        bookings and blocks (cancelled ones too), and the history."""
        now = self.clock()
        with self.db.read() as s:
            row = s.get(Narasumber, narasumber_id)
            if row is None:
                raise NotFoundError("err.nr.not_found", id=narasumber_id)
            person = self._person(row, self._topics_of(s, [row.id]).get(row.id, ()))
            reg_status = reg_step = None
            if row.registration_case_id is not None:
                case = s.get(Case, row.registration_case_id)
                if case is not None:
                    reg_status = case.status
                    reg_step = case.current_step_key if case.status in OPEN_STATUSES else None
            base = select(NarasumberBooking).where(NarasumberBooking.narasumber_id == row.id)
            upcoming = s.execute(
                base.where(NarasumberBooking.ends_at > now)
                .order_by(NarasumberBooking.starts_at)
                .limit(bookings)
            ).scalars()
            upcoming_rows = list(upcoming)
            past_rows = list(
                s.execute(
                    base.where(NarasumberBooking.ends_at <= now)
                    .order_by(NarasumberBooking.starts_at.desc())
                    .limit(bookings)
                ).scalars()
            )
            names = {row.id: row.name}
            logins = self._logins(s, [b.created_by for b in upcoming_rows + past_rows])
            events = s.execute(
                select(CaseEvent)
                .join(NarasumberEvent, NarasumberEvent.seq == CaseEvent.seq)
                .where(NarasumberEvent.narasumber_id == row.id)
                .order_by(CaseEvent.seq)
            ).scalars()
            event_rows = list(events)
            actors = self._logins(s, [e.actor_id for e in event_rows])
            return PersonDetail(
                person=person,
                registration_status=reg_status,
                registration_step=reg_step,
                upcoming=tuple(self._booking(b, names, logins) for b in upcoming_rows),
                past=tuple(self._booking(b, names, logins) for b in past_rows),
                history=tuple(
                    HistoryItem(
                        e.seq,
                        e.at,
                        e.kind,
                        actors.get(e.actor_id) if e.actor_id else None,
                        e.case_id,
                        e.note,
                        dict(e.data or {}),
                    )
                    for e in event_rows
                ),
            )

    def list(
        self,
        *,
        status: str | None = None,
        topic: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Person]:
        """Persons in name order (gelar ignored); with a topic, those whose
        topics match it, best match first."""
        check_search(topic, "Materi")
        wanted = parse_status(status) if status else None
        statuses = (wanted,) if wanted else None
        with self.db.read() as s:
            if words(topic):
                similar = self._similar(s, words(topic))
                ranked = self._ranked(s, similar, True, statuses, limit, offset)
                return self._persons(s, [pid for pid, _ in ranked])
            query = select(*_PERSON_COLUMNS)
            if wanted:
                query = query.where(_NR.status == wanted)
            query = query.order_by(_NR.sort_name, _NR.id).offset(offset)
            if limit:
                query = query.limit(limit)
            rows = s.execute(query).all()
            topics = self._topics_of(s, [r[0] for r in rows])
            return [Person(*r[:3], topics.get(r[0], ()), *r[3:]) for r in rows]

    def counts(self) -> dict[str, int]:
        """Persons per status (every status present, zero or not)."""
        with self.db.read() as s:
            got = dict(
                s.execute(select(Narasumber.status, func.count()).group_by(Narasumber.status)).all()
            )
        return {st: int(got.get(st, 0)) for st in PERSON_STATUSES}

    def search(
        self, text: str, *, status: str | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[SearchHit]:
        """Search as you type over name, NIP/NIK, topics, instansi, jabatan and
        pendidikan. Every word must match somewhere, as a prefix or within a
        typo ("akuntasi" finds "akuntansi"); best match first, then name.
        No words: everyone (of the status), by name."""
        check_search(text)
        wanted = parse_status(status) if status else None
        query_words = words(text)
        if not query_words:
            return [SearchHit(p, 0.0) for p in self.list(status=wanted, limit=limit)]
        with self.db.read() as s:
            similar = self._similar(s, query_words)
            ranked = self._ranked(s, similar, False, (wanted,) if wanted else None, limit, 0)
            persons = {p.id: p for p in self._persons(s, [pid for pid, _ in ranked])}
            return [SearchHit(persons[pid], round(score, 4)) for pid, score in ranked]

    # ----- availability ------------------------------------------------------------------

    def lookup(
        self,
        topic: str | None,
        start: datetime,
        end: datetime,
        *,
        limit: int = DEFAULT_LIMIT,
        include_unapproved: bool = False,
        free_only: bool = False,
    ) -> list[Offer]:
        """Who can speak on `topic` between start and end: approved persons
        ranked by how well their topics match (a whole topic matching beats
        words spread over several), each free or with its conflicts named.
        No topic: every approved person, by name. include_unapproved adds the
        others after the approved ones of an equal match (not bookable, shown
        with their status); free_only keeps the free ones."""
        check_search(topic, "Materi")
        start, end = check_span(start, end, self.tz_name)
        if limit < 1:
            raise InputError("err.nr.bad_limit", value=limit)
        statuses = None if include_unapproved else (APPROVED,)
        query_words = words(topic)
        offers: list[Offer] = []
        # Ranked a page at a time, conflicts read per page: the ranking needs
        # none. free_only reads bigger pages and on only while too few were free.
        chunk = max(limit * 4, 100) if free_only else limit
        with self.db.read() as s:
            similar = self._similar(s, query_words) if query_words else []
            offset = 0
            while True:
                if similar:
                    page = self._ranked(s, similar, True, statuses, chunk, offset)
                else:
                    page = self._by_name(s, statuses, chunk, offset)
                exhausted = len(page) < chunk
                conflicts = self._conflicts(s, [pid for pid, _ in page], start, end)
                if free_only:
                    page = [(pid, score) for pid, score in page if pid not in conflicts]
                page = page[: limit - len(offers)]
                ids = [pid for pid, _ in page]
                parts = self._matched_parts(s, ids, similar) if similar else {}
                persons = {p.id: p for p in self._persons(s, ids)}
                for pid, score in page:
                    person = persons[pid]
                    matched = tuple(person.topics[p] for p in parts.get(pid, ()))
                    found = tuple(conflicts.get(pid, ()))
                    offers.append(Offer(person, round(score, 4), matched, found))
                if not free_only or len(offers) >= limit or exhausted:
                    return offers
                offset += chunk

    def check(self, narasumber_id: int, start: datetime, end: datetime) -> tuple[Conflict, ...]:
        """The conflicts one person has in a time (empty: free)."""
        start, end = check_span(start, end, self.tz_name)
        with self.db.read() as s:
            if s.get(Narasumber, narasumber_id) is None:
                raise NotFoundError("err.nr.not_found", id=narasumber_id)
            return tuple(self._conflicts(s, [narasumber_id], start, end).get(narasumber_id, ()))

    def schedule(
        self, narasumber_ids: Sequence[int], start: datetime, end: datetime
    ) -> dict[int, tuple[Booking, ...]]:
        """Active bookings and blocks of several persons that touch a range
        (for a week grid); every id asked for is a key."""
        start, end = check_span(start, end, self.tz_name)
        ids = list(dict.fromkeys(narasumber_ids))
        out: dict[int, list[Booking]] = {pid: [] for pid in ids}
        with self.db.read() as s:
            rows = list(
                s.execute(
                    select(NarasumberBooking, Narasumber.name)
                    .join(Narasumber, Narasumber.id == NarasumberBooking.narasumber_id)
                    .where(
                        NarasumberBooking.narasumber_id.in_(ids),
                        NarasumberBooking.status != "batal",
                        NarasumberBooking.starts_at < end,
                        NarasumberBooking.ends_at > start,
                    )
                    .order_by(NarasumberBooking.starts_at)
                ).all()
            )
            logins = self._logins(s, [b.created_by for b, _ in rows])
            for b, name in rows:
                out[b.narasumber_id].append(self._booking(b, {b.narasumber_id: name}, logins))
        return {pid: tuple(items) for pid, items in out.items()}

    # ----- bookings and blocks -------------------------------------------------------------

    def book(
        self,
        actor: Actor,
        narasumber_id: int,
        start: datetime,
        end: datetime,
        *,
        activity: str | None = None,
        location: str | None = None,
        case_id: int | None = None,
        tentative: bool = False,
        note: str | None = None,
    ) -> Booking:
        """Book an approved person, refused with the conflicts named if they
        are not free. With case_id the booking serves that (open) case and its
        kegiatan defaults to the case's perihal; a tentative booking of a case
        is released when the case is refused or cancelled."""
        start, end = check_span(start, end, self.tz_name)
        what = clean_text(activity, "Kegiatan", max_len=TITLE_MAX)
        where = clean_text(location, "Lokasi", max_len=NAME_MAX)
        remark = clean_text(note, "Catatan", max_len=NOTE_MAX)
        if what is None and case_id is None:
            raise InputError("err.empty", field="Kegiatan")
        now = self.clock()
        with (
            self._overlap_as_conflict(narasumber_id, start, end, block=False),
            self.db.write() as s,
        ):
            # Case first, then person: the case engine's hooks lock in that order.
            if case_id is not None:
                case = self._lock_case(s, case_id)
                what = what or case.title[:TITLE_MAX]
            person = self._lock_person(s, narasumber_id)
            if person.status != APPROVED:
                raise RuleError(
                    "err.nr.not_approved",
                    name=person.name,
                    status=t(f"nr.status.{person.status}"),
                )
            found = self._conflicts(s, [person.id], start, end).get(person.id)
            if found:
                raise RuleError(
                    "err.nr.conflict", name=person.name, items="; ".join(c.text for c in found)
                )
            row = NarasumberBooking(
                narasumber_id=person.id,
                kind="kegiatan",
                status="tentatif" if tentative else "definitif",
                starts_at=start,
                ends_at=end,
                activity=what or "",
                location=where,
                case_id=case_id,
                note=remark,
                created_at=now,
                created_by=actor.id,
                updated_at=now,
            )
            return self._add_booking(s, row, person, actor, now, "booking.created")

    def block(
        self,
        actor: Actor,
        narasumber_id: int,
        start: datetime,
        end: datetime,
        *,
        note: str | None,
        kind: str | None = "cuti",
    ) -> Booking:
        """Mark a person unavailable (cuti, dinas luar, lainnya). Refused if it
        overlaps a booking: cancel or move that first, so nothing is silently
        left double-booked."""
        start, end = check_span(start, end, self.tz_name)
        block_kind = parse_block_kind(kind)
        reason = clean_text(note, "Catatan", max_len=TITLE_MAX)
        if reason is None:
            raise InputError("err.note_required")
        now = self.clock()
        with (
            self._overlap_as_conflict(narasumber_id, start, end, block=True),
            self.db.write() as s,
        ):
            person = self._lock_person(s, narasumber_id)
            found = self._conflicts(s, [person.id], start, end).get(person.id)
            if found:
                raise RuleError(
                    "err.nr.block_conflict",
                    name=person.name,
                    items="; ".join(c.text for c in found),
                )
            row = NarasumberBooking(
                narasumber_id=person.id,
                kind=block_kind,
                status="definitif",
                starts_at=start,
                ends_at=end,
                activity=reason,
                created_at=now,
                created_by=actor.id,
                updated_at=now,
            )
            return self._add_booking(s, row, person, actor, now, "block.created")

    def confirm(self, actor: Actor, booking_id: int) -> Booking:
        """Tentatif -> definitif (the person must still be approved)."""
        now = self.clock()
        with self.db.write() as s:
            row = self._lock_booking(s, booking_id)
            person = self._lock_person(s, row.narasumber_id)
            if row.status != "tentatif":
                raise RuleError(
                    "err.nr.not_tentative", id=row.id, status=t(f"nr.booking.{row.status}")
                )
            if person.status != APPROVED:
                raise RuleError(
                    "err.nr.not_approved", name=person.name, status=t(f"nr.status.{person.status}")
                )
            row.status = "definitif"
            row.updated_at = now
            self._event(
                s,
                person.id,
                at=now,
                kind="booking.confirmed",
                case_id=row.case_id,
                actor_id=actor.id,
                data={"booking": row.id, "narasumber": person.id},
            )
            return self._booking(row, {person.id: person.name}, self._logins(s, [row.created_by]))

    def cancel(self, actor: Actor, booking_id: int, *, note: str | None) -> Booking:
        """Cancel a booking or withdraw a block; the row stays, with the reason."""
        reason = clean_text(note, "Catatan", max_len=NOTE_MAX)
        if reason is None:
            raise InputError("err.note_required")
        now = self.clock()
        with self.db.write() as s:
            row = self._lock_booking(s, booking_id)
            if row.status == "batal":
                raise RuleError("err.nr.already_cancelled", id=row.id)
            person = s.get(Narasumber, row.narasumber_id)
            assert person is not None
            self._cancel_row(s, row, now, actor.id, reason)
            self._event(
                s,
                person.id,
                at=now,
                kind="block.cancelled" if row.kind != "kegiatan" else "booking.cancelled",
                case_id=row.case_id,
                actor_id=actor.id,
                note=reason,
                data={"booking": row.id, "narasumber": person.id},
            )
            return self._booking(row, {person.id: person.name}, self._logins(s, [row.created_by]))

    def booking(self, booking_id: int) -> Booking:
        with self.db.read() as s:
            row = s.get(NarasumberBooking, booking_id)
            if row is None:
                raise NotFoundError("err.nr.booking_not_found", id=booking_id)
            person = s.get(Narasumber, row.narasumber_id)
            assert person is not None
            return self._booking(row, {person.id: person.name}, self._logins(s, [row.created_by]))

    def bookings(
        self,
        *,
        narasumber_id: int | None = None,
        case_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        include_cancelled: bool = False,
        limit: int | None = None,
    ) -> list[Booking]:
        """Bookings and blocks in time order, filtered."""
        query = select(NarasumberBooking, Narasumber.name).join(
            Narasumber, Narasumber.id == NarasumberBooking.narasumber_id
        )
        if narasumber_id is not None:
            query = query.where(NarasumberBooking.narasumber_id == narasumber_id)
        if case_id is not None:
            query = query.where(NarasumberBooking.case_id == case_id)
        if start is not None:
            query = query.where(NarasumberBooking.ends_at > start)
        if end is not None:
            query = query.where(NarasumberBooking.starts_at < end)
        if not include_cancelled:
            query = query.where(NarasumberBooking.status != "batal")
        query = query.order_by(NarasumberBooking.starts_at, NarasumberBooking.id)
        if limit:
            query = query.limit(limit)
        with self.db.read() as s:
            rows = list(s.execute(query).all())
            logins = self._logins(s, [b.created_by for b, _ in rows])
            return [self._booking(b, {b.narasumber_id: name}, logins) for b, name in rows]

    # ----- cases ---------------------------------------------------------------------------

    def case_bookings(self, case_id: int) -> list[Booking]:
        """Who is booked for a case, released and cancelled bookings included
        (with their status)."""
        return self.bookings(case_id=case_id, include_cancelled=True)

    def speaker_step(self, case_id: int) -> SpeakerStep | None:
        """The case, if it is open at a step that decides or checks its
        speaker (where a screen offers the lookup and books against it)."""
        with self.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFoundError("err.case_not_found", id=case_id)
            if case.status not in OPEN_STATUSES or case.current_step_key is None:
                return None
            definition = self.catalogs.definition(s, case.sop_version_id)
            if case.current_step_key not in SPEAKER_STEPS.get(definition.code, ()):
                return None
            step = definition.step(case.current_step_key)
            return SpeakerStep(case.id, definition.code, step.key, step.no, case.title)

    def person_for_case(self, case_id: int) -> Person | None:
        """The person a Pendaftaran case decides on, if any."""
        with self.db.read() as s:
            row = s.execute(
                select(Narasumber).where(Narasumber.registration_case_id == case_id)
            ).scalar_one_or_none()
            if row is None:
                return None
            return self._person(row, self._topics_of(s, [row.id]).get(row.id, ()))

    # ----- case engine hooks (run inside the case action's transaction) -------------------

    def on_step_outcome(
        self,
        s: Session,
        case: Case,
        definition: SopDefinition,
        step: Step,
        outcome: str,
        at: datetime,
    ) -> None:
        if definition.code == REGISTRATION_SOP:
            target, allowed = None, ("diajukan", "diverifikasi")
            if step.key == VERIFY_STEP and outcome == "completed":
                target, allowed = "diverifikasi", ("diajukan",)
            elif outcome == "approved" and step.key == final_decision(definition):
                target = APPROVED
            elif outcome == "refused":
                target = "ditolak"
            if target is not None:
                self._status_from_case(s, case, target, allowed, at)
        if outcome == "refused":
            # The request is refused at this decision: free the speaker now,
            # not only when the notification step closes the case.
            self._release(s, case, "refused", at)

    def on_case_end(self, s: Session, case: Case, status: str, at: datetime) -> None:
        if status in ("refused", "cancelled"):
            self._release(s, case, status, at)
        if status == "cancelled":
            # A withdrawn application: the person leaves the queue as nonaktif
            # (an admin may set diajukan again, which opens a new case).
            self._status_from_case(
                s, case, "nonaktif", ("diajukan", "diverifikasi"), at, note=t("nr.withdrawn")
            )

    # ----- internals -----------------------------------------------------------------------

    def _open_registration(self, s: Session, actor: Actor, row: Narasumber, now: datetime) -> Case:
        """Open the Pendaftaran case in this transaction: person and case
        commit together or not at all."""
        return self.cases.start_in(
            s,
            actor,
            REGISTRATION_SOP,
            now=now,
            title=f"Pendaftaran narasumber: {row.name}"[:TITLE_MAX],
            requester=row.name[:NAME_MAX],
            data={"narasumber": row.id},
        )

    def _status_from_case(
        self,
        s: Session,
        case: Case,
        target: str,
        allowed: tuple[str, ...],
        at: datetime,
        *,
        note: str | None = None,
    ) -> None:
        """Move the person a Pendaftaran case decides on, if they are still in
        the registration flow (an admin's later override stands)."""
        query = select(Narasumber).where(Narasumber.registration_case_id == case.id)
        if self.db.lock_rows:
            query = query.with_for_update()
        row = s.execute(query).scalar_one_or_none()
        if row is None or row.status not in allowed or row.status == target:
            return
        self._change_status(
            s, row, target, at, self._case_actor(s, case), note=note, case_id=case.id
        )

    def _change_status(
        self,
        s: Session,
        row: Narasumber,
        target: str,
        at: datetime,
        actor_id: int | None,
        *,
        note: str | None,
        case_id: int | None,
    ) -> None:
        before = row.status
        row.status = target
        row.updated_at = at
        row.version += 1
        self._event(
            s,
            row.id,
            at=at,
            kind="narasumber.status",
            case_id=case_id,
            actor_id=actor_id,
            note=note,
            data={"narasumber": row.id, "from": before, "to": target},
        )

    def _release(self, s: Session, case: Case, status: str, at: datetime) -> None:
        """Cancel the case's tentative bookings (definitive ones stay: they
        were confirmed with the speaker and need a person to undo)."""
        query = select(NarasumberBooking).where(
            NarasumberBooking.case_id == case.id, NarasumberBooking.status == "tentatif"
        )
        if self.db.lock_rows:
            query = query.with_for_update()
        rows = list(s.execute(query).scalars())
        if not rows:
            return
        actor_id = self._case_actor(s, case)
        reason = t("nr.released", status=t(f"status.{status}"))
        for row in rows:
            self._cancel_row(s, row, at, actor_id, reason)
            self._event(
                s,
                row.narasumber_id,
                at=at,
                kind="booking.released",
                case_id=case.id,
                actor_id=actor_id,
                note=reason,
                data={"booking": row.id, "narasumber": row.narasumber_id, "case_status": status},
            )

    @staticmethod
    def _case_actor(s: Session, case: Case) -> int | None:
        """Who acted in the case action under way: the engine has just closed
        the current attempt with its actor."""
        if case.current_attempt_id is None:
            return None
        attempt = s.get(StepAttempt, case.current_attempt_id)
        return attempt.actor_id if attempt is not None else None

    @staticmethod
    def _cancel_row(
        s: Session, row: NarasumberBooking, at: datetime, actor_id: int | None, reason: str
    ) -> None:
        row.status = "batal"
        row.cancelled_at = at
        row.cancelled_by = actor_id
        row.cancel_note = reason
        row.updated_at = at

    def _add_booking(
        self,
        s: Session,
        row: NarasumberBooking,
        person: Narasumber,
        actor: Actor,
        now: datetime,
        kind: str,
    ) -> Booking:
        s.add(row)
        s.flush()  # the database's own overlap guard speaks here, inside the `with`
        self._event(
            s,
            person.id,
            at=now,
            kind=kind,
            case_id=row.case_id,
            actor_id=actor.id,
            data={
                "booking": row.id,
                "narasumber": person.id,
                "kind": row.kind,
                "status": row.status,
                "from": row.starts_at.isoformat(),
                "to": row.ends_at.isoformat(),
                "activity": row.activity,
            },
        )
        return self._booking(row, {person.id: person.name}, {actor.id: actor.login})

    @contextmanager
    def _overlap_as_conflict(
        self, narasumber_id: int, start: datetime, end: datetime, *, block: bool
    ) -> Iterator[None]:
        """Turn the database's own overlap refusal (EXCLUDE on PostgreSQL, the
        trigger on SQLite) into the refusal the application check gives."""
        try:
            yield
        except IntegrityError as exc:
            if is_overlap_error(exc):
                raise self._conflict_error(narasumber_id, start, end, block=block) from exc
            raise

    def _conflict_error(
        self, narasumber_id: int, start: datetime, end: datetime, *, block: bool
    ) -> RuleError:
        """The same refusal the application check gives, for a race that only
        the database caught (the other booking has committed by now)."""
        with self.db.read() as s:
            person = s.get(Narasumber, narasumber_id)
            found = self._conflicts(s, [narasumber_id], start, end).get(narasumber_id, [])
            name = person.name if person is not None else str(narasumber_id)
        items = "; ".join(c.text for c in found) or "?"
        return RuleError(
            "err.nr.block_conflict" if block else "err.nr.conflict", name=name, items=items
        )

    def _conflicts(
        self, s: Session, ids: Sequence[int], start: datetime, end: datetime
    ) -> dict[int, list[Conflict]]:
        """Active rows overlapping [start, end) per person (touching is not
        overlapping). Uses ix_narasumber_bookings_slot per person."""
        if not ids:
            return {}
        year = self.clock().astimezone(self.tz).year
        out: dict[int, list[Conflict]] = {}
        rows = s.execute(_CONFLICTS, {"ids": list(ids), "start": start, "end": end}).all()
        for bid, pid, kind, status, activity, starts_at, ends_at, case_id in rows:
            if kind == "kegiatan":
                what = activity
            else:
                label = t(f"nr.kind.{kind}")
                what = f"{label} ({activity})" if activity else label
            text = f"{what}, {span_text(starts_at, ends_at, self.tz, year)}"
            out.setdefault(pid, []).append(
                Conflict(bid, kind, status, activity, starts_at, ends_at, case_id, text)
            )
        return out

    def _lock_person(self, s: Session, narasumber_id: int) -> Narasumber:
        # FOR UPDATE on PostgreSQL serialises bookings of one person; on SQLite
        # the writer already holds the database write lock (BEGIN IMMEDIATE).
        query = select(Narasumber).where(Narasumber.id == narasumber_id)
        if self.db.lock_rows:
            query = query.with_for_update()
        row = s.execute(query).scalar_one_or_none()
        if row is None:
            raise NotFoundError("err.nr.not_found", id=narasumber_id)
        return row

    def _lock_case(self, s: Session, case_id: int) -> Case:
        query = select(Case).where(Case.id == case_id)
        if self.db.lock_rows:
            query = query.with_for_update(of=Case)
        case = s.execute(query).scalar_one_or_none()
        if case is None:
            raise NotFoundError("err.case_not_found", id=case_id)
        if case.status not in OPEN_STATUSES:
            raise RuleError("err.case_not_open", id=case.id, status=t(f"status.{case.status}"))
        return case

    def _lock_booking(self, s: Session, booking_id: int) -> NarasumberBooking:
        query = select(NarasumberBooking).where(NarasumberBooking.id == booking_id)
        if self.db.lock_rows:
            query = query.with_for_update()
        row = s.execute(query).scalar_one_or_none()
        if row is None:
            raise NotFoundError("err.nr.booking_not_found", id=booking_id)
        return row

    def _check_unique(
        self, s: Session, nip: str | None, nik: str | None, own_id: int | None
    ) -> None:
        for column, value, label in ((Narasumber.nip, nip, "NIP"), (Narasumber.nik, nik, "NIK")):
            if value is None:
                continue
            other = s.execute(select(Narasumber.id, Narasumber.name).where(column == value)).first()
            if other is not None and other.id != own_id:
                raise RuleError(
                    "err.nr.duplicate", what=label, value=value, name=other.name, id=other.id
                )

    def _raise_duplicate(self, nip: str | None, nik: str | None, own_id: int | None) -> None:
        with self.db.read() as s:
            self._check_unique(s, nip, nik, own_id)

    def _event(self, s: Session, narasumber_id: int, **kwargs: Any) -> None:
        """Append the audit event and file it under the person's history."""
        ev = audit.append(s, **kwargs)
        s.flush()  # the event row first: the link refers to it
        s.add(NarasumberEvent(narasumber_id=narasumber_id, seq=ev.seq))

    @staticmethod
    def _set_topics(s: Session, narasumber_id: int, topics: Sequence[str]) -> None:
        audit.touch(s, f"narasumber:{narasumber_id}")
        s.execute(delete(NarasumberTopic).where(NarasumberTopic.narasumber_id == narasumber_id))
        s.add_all(
            NarasumberTopic(narasumber_id=narasumber_id, position=i, topic=topic)
            for i, topic in enumerate(topics)
        )

    def _index(self, s: Session, row: Narasumber, topics: Sequence[str]) -> None:
        """Rewrite the person's words in the index; new words join the vocabulary."""
        s.execute(delete(NarasumberTerm).where(NarasumberTerm.narasumber_id == row.id))
        entries = index_entries(row, topics)
        if not entries:
            return
        s.add_all(
            NarasumberTerm(field=f, term=term, narasumber_id=row.id, part=part)
            for f, term, part in entries
        )
        add_vocabulary(s, {term for _, term, _ in entries}, self.db.backend)

    def _similar_terms(self, s: Session, word: str) -> dict[str, float]:
        """Vocabulary words close to a query word, with their similarity."""
        grams = query_grams(word)
        need = len(grams) if len(word) < 4 else max(1, math.ceil(len(grams) * MIN_GRAM_SHARE))
        rows = s.execute(_GRAM_NEIGHBOURS, {"grams": sorted(grams), "need": need}).scalars().all()
        out: dict[str, float] = {}
        for term in rows:
            sim = word_similarity(word, term)
            if sim:
                out[term] = sim
        return out

    def _similar(self, s: Session, query_words: Sequence[str]) -> list[dict[str, float]]:
        """Per query word: the vocabulary words it matches, with similarity."""
        return [self._similar_terms(s, w) for w in query_words]

    def _ranked(
        self,
        s: Session,
        similar: Sequence[Mapping[str, float]],
        topics_only: bool,
        statuses: Sequence[str] | None,
        limit: int | None,
        offset: int,
    ) -> list[tuple[int, float]]:
        """(person id, score), best first, scored in the database.

        Search (all fields): the mean over query words of the best similarity
        in any field (instansi/jabatan weigh 0.9); every word must match.
        Topics: 3/4 the best single topic's coverage of the query words plus
        1/4 the coverage over all topics (any word may be missing). Equal
        scores: approved first, then name order."""
        vocabulary = sorted({term for sims in similar for term in sims})
        if not vocabulary or (not topics_only and not all(similar)):
            return []
        if limit:
            page = self._perfect_page(s, similar, topics_only, statuses, limit, offset)
            if page is not None:
                return page
        t = NarasumberTerm
        share = literal(1.0 / len(similar), Float)
        word_sims = [_similarity_case(t.term, sims) for sims in similar]
        if topics_only:
            per_topic = (
                select(
                    t.narasumber_id.label("nid"),
                    *(func.max(sim).label(f"w{i}") for i, sim in enumerate(word_sims)),
                )
                .where(t.field == TOPIC_FIELD, t.term.in_(vocabulary))
                .group_by(t.narasumber_id, t.part)
                .subquery()
            )
            words_of = [per_topic.c[f"w{i}"] for i in range(len(similar))]
            best_topic = func.max(_total(words_of) * share)
            overall = _total([func.max(w) for w in words_of]) * share
            scored = (
                select(
                    per_topic.c.nid,
                    (literal(0.75, Float) * best_topic + literal(0.25, Float) * overall).label(
                        "score"
                    ),
                )
                .group_by(per_topic.c.nid)
                .subquery()
            )
        else:
            weight = case(
                (t.field == ORG_FIELD, literal(FIELD_WEIGHT[ORG_FIELD], Float)),
                else_=literal(1.0, Float),
            )
            best = [func.max(sim * weight) for sim in word_sims]
            scored = (
                select(t.narasumber_id.label("nid"), (_total(best) * share).label("score"))
                # every field named, so the primary key (field, term, ...) serves
                .where(t.field.in_([NAME_FIELD, TOPIC_FIELD, ORG_FIELD]), t.term.in_(vocabulary))
                .group_by(t.narasumber_id)
                .having(and_(*(b > 0 for b in best)))
                .subquery()
            )
        query = select(scored.c.nid, scored.c.score).join(Narasumber, Narasumber.id == scored.c.nid)
        query = (
            _with_statuses(query, statuses)
            .order_by(scored.c.score.desc(), *_tie_order(statuses))
            .offset(offset)
        )
        if limit:
            query = query.limit(limit)
        return [(pid, float(score)) for pid, score in s.execute(query)]

    @staticmethod
    def _perfect_page(
        s: Session,
        similar: Sequence[Mapping[str, float]],
        topics_only: bool,
        statuses: Sequence[str] | None,
        limit: int,
        offset: int,
    ) -> list[tuple[int, float]] | None:
        """The ranking's page when its persons all match perfectly, else
        None (the whole ranking is needed).

        A topic is perfect when it holds, for every query word, a word as
        similar as the vocabulary has (a prefix, 1.0, for a word typed out;
        'akuntansi' at 0.94 for 'akuntasi'). Persons with such a topic all
        score the ranking's maximum, and anyone without one scores less (by
        at least 0.75 x the smallest gap between two similarities / words,
        ~1e-5, far above float rounding). So if those persons fill the page,
        in the ranking's tie order, it is the ranking's page, read through
        the word index and the name order without scoring everyone who
        matches a word ('pemasaran digital': 283 of 1,891 approved matches).
        A word with no similar word at all is 0 for everyone: no condition.
        Search likewise: a person holding every word's best match in the
        name or a topic (weight 1; instansi/jabatan weigh 0.9) has the
        maximum mean, in any fields or topics."""
        best = [max(sims.values(), default=0.0) for sims in similar]
        wanted = [
            sorted(term for term, sim in sims.items() if sim == top)
            for sims, top in zip(similar, best, strict=True)
            if sims
        ]
        if not wanted or len(wanted) > PERFECT_MAX_WORDS:
            return None
        params: dict[str, Any] = {f"p{i}": terms for i, terms in enumerate(wanted)}
        params.update(limit=limit, offset=offset)
        mode = _status_mode(statuses)
        if statuses and mode == "one":
            params["status"] = statuses[0]
        elif statuses:
            params["statuses"] = list(statuses)
        query = _perfect_statement(len(wanted), mode, topics_only)
        ids = list(s.execute(query, params).scalars())
        if len(ids) < limit:
            return None
        # The ranking's own arithmetic on the best similarities (same order
        # of operations, so the same float as the database gives).
        share = 1.0 / len(similar)
        # (Search weighs the name and topics by 1.0, which leaves a float as is.)
        total = best[0]
        for top in best[1:]:
            total = total + top
        score = 0.75 * (total * share) + 0.25 * total * share if topics_only else total * share
        return [(pid, score) for pid in ids]

    @staticmethod
    def _by_name(
        s: Session, statuses: Sequence[str] | None, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        query = _with_statuses(select(Narasumber.id), statuses).order_by(*_tie_order(statuses))
        return [(pid, 0.0) for pid in s.execute(query.offset(offset).limit(limit)).scalars()]

    @staticmethod
    def _matched_parts(
        s: Session, ids: Sequence[int], similar: Sequence[Mapping[str, float]]
    ) -> dict[int, tuple[int, ...]]:
        """Per person of a page: positions of the topics that match, best first."""
        vocabulary = sorted({term for sims in similar for term in sims})
        if not ids or not vocabulary:
            return {}
        best: dict[tuple[int, int], list[float]] = {}
        for pid, part, term in s.execute(
            _MATCHED_TERMS, {"terms": vocabulary, "ids": list(ids)}
        ).all():
            per_word = best.setdefault((pid, part), [0.0] * len(similar))
            for i, sims in enumerate(similar):
                per_word[i] = max(per_word[i], sims.get(term, 0.0))
        out: dict[int, list[tuple[float, int]]] = {}
        for (pid, part), per_word in best.items():
            if any(per_word):
                out.setdefault(pid, []).append((-sum(per_word), part))
        return {pid: tuple(part for _, part in sorted(items)) for pid, items in out.items()}

    def _persons(self, s: Session, ids: Sequence[int]) -> list[Person]:
        """Persons by id, in the order asked."""
        if not ids:
            return []
        rows = {r[0]: r for r in s.execute(_PERSONS_BY_ID, {"ids": list(ids)}).all()}
        topics = self._topics_of(s, list(rows))
        return [Person(*row[:3], topics.get(i, ()), *row[3:]) for i in ids if (row := rows.get(i))]

    @staticmethod
    def _topics_of(s: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        out: dict[int, list[str]] = {}
        for pid, topic in s.execute(_TOPICS_BY_PERSON, {"ids": list(ids)}).all():
            out.setdefault(pid, []).append(topic)
        return {pid: tuple(v) for pid, v in out.items()}

    @staticmethod
    def _logins(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        return dict(s.execute(select(User.id, User.login).where(User.id.in_(wanted))).all())

    @staticmethod
    def _person(row: Narasumber, topics: Sequence[str]) -> Person:
        return Person(
            id=row.id,
            name=row.name,
            status=row.status,
            topics=tuple(topics),
            nip=row.nip,
            nik=row.nik,
            instansi=row.instansi,
            jabatan=row.jabatan,
            pendidikan=row.pendidikan,
            asn_status=row.asn_status,
            eselon=row.eselon,
            golongan=row.golongan,
            phone=row.phone,
            email=row.email,
            notes=row.notes,
            registration_case_id=row.registration_case_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )

    @staticmethod
    def _booking(
        row: NarasumberBooking, names: Mapping[int, str], logins: Mapping[int, str]
    ) -> Booking:
        return Booking(
            id=row.id,
            narasumber_id=row.narasumber_id,
            narasumber_name=names.get(row.narasumber_id, ""),
            kind=row.kind,
            status=row.status,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            activity=row.activity,
            location=row.location,
            case_id=row.case_id,
            note=row.note,
            created_at=row.created_at,
            created_by=logins.get(row.created_by) if row.created_by else None,
            cancelled_at=row.cancelled_at,
            cancel_note=row.cancel_note,
        )


def _similarity_case(term: Any, sims: Mapping[str, float]) -> Any:
    """SQL: the similarity of `term` to one query word (0 when not its match).
    Words of equal similarity share one IN list (a prefix match is 1.0)."""
    groups: dict[float, list[str]] = {}
    for word, sim in sims.items():
        groups.setdefault(sim, []).append(word)
    if not groups:
        return literal(0.0, Float)
    return case(
        *((term.in_(sorted(words)), literal(sim, Float)) for sim, words in sorted(groups.items())),
        else_=literal(0.0, Float),
    )


def _with_statuses(query: Any, statuses: Sequence[str] | None) -> Any:
    """The query kept to the statuses asked for; one status as an equality,
    so ix_narasumber_status_name can deliver its rows in name order."""
    if not statuses:
        return query
    if len(set(statuses)) == 1:
        return query.where(Narasumber.status == statuses[0])
    return query.where(Narasumber.status.in_(list(statuses)))


def _status_mode(statuses: Sequence[str] | None) -> str:
    if not statuses:
        return "all"
    return "one" if len(set(statuses)) == 1 else "some"


# Longer queries take the whole ranking (the perfect-topic argument needs the
# score gap to stay far above float rounding; it does for any phrase).
PERFECT_MAX_WORDS = 8
_PERFECT_STATEMENTS: dict[tuple[int, str, bool], Any] = {}


def _perfect_statement(n: int, mode: str, topics_only: bool) -> Any:
    """Persons holding, for each of n query words, one of that word's best
    matches (:p0 .. :pN-1) - all in one topic (the lookup), or each in the
    name or any topic (search) - kept to the statuses, in the ranking's tie
    order. Built once per (n, mode, kind): the word lists are list
    parameters, so the compiled form is reused."""
    key = (n, mode, topics_only)
    if key in _PERFECT_STATEMENTS:
        return _PERFECT_STATEMENTS[key]
    terms = [NarasumberTerm.__table__.alias(f"t{i}") for i in range(n)]
    query = select(_NR.id)
    if topics_only:
        first = terms[0]
        joined: Any = first
        for i, other in enumerate(terms[1:], 1):
            joined = joined.join(
                other,
                and_(
                    other.c.field == TOPIC_FIELD,
                    _one_of(other.c.term, f"p{i}"),
                    other.c.narasumber_id == first.c.narasumber_id,
                    other.c.part == first.c.part,
                ),
            )
        perfect = (
            select(first.c.narasumber_id)
            .select_from(joined)
            .where(first.c.field == TOPIC_FIELD, _one_of(first.c.term, "p0"))
        )
        query = query.where(_NR.id.in_(perfect))
    else:
        for i, term in enumerate(terms):
            holders = select(term.c.narasumber_id).where(
                # both fields named, so the primary key (field, term, ...) serves
                term.c.field.in_([NAME_FIELD, TOPIC_FIELD]),
                _one_of(term.c.term, f"p{i}"),
            )
            query = query.where(_NR.id.in_(holders))
    if mode == "one":
        query = query.where(_NR.status == bindparam("status"))
    elif mode == "some":
        query = query.where(_one_of(_NR.status, "statuses"))
    order = (
        (_NR.sort_name, _NR.id)
        if mode == "one"
        else (_NR.status != APPROVED, _NR.sort_name, _NR.id)
    )
    query = query.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
    _PERFECT_STATEMENTS[key] = query
    return query


def _tie_order(statuses: Sequence[str] | None) -> tuple[Any, ...]:
    """Order among equals: approved first, then name. With one status asked
    for the first key is constant and left out: it would keep the database
    from reading ix_narasumber_status_name in order (a sort of every
    approved person on PostgreSQL)."""
    by_name = (Narasumber.sort_name, Narasumber.id)
    if statuses and len(set(statuses)) == 1:
        return by_name
    return (Narasumber.status != APPROVED, *by_name)


def _total(parts: Sequence[Any]) -> Any:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def is_overlap_error(exc: IntegrityError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23P01":  # PostgreSQL exclusion_violation
        return True
    return "narasumber booking overlaps" in str(orig)


def index_entries(row: Narasumber, topics: Sequence[str]) -> list[tuple[str, str, int]]:
    """(field, word, part) rows of a person for narasumber_terms."""
    entries: dict[tuple[str, str, int], None] = {}
    for text in (row.name, row.nip, row.nik):
        for w in words(text):
            entries[(NAME_FIELD, w, 0)] = None
    if row.nip:  # the NIP also as one run of digits, so a typed prefix finds it
        entries[(NAME_FIELD, re.sub(r"\D", "", row.nip), 0)] = None
    for i, topic in enumerate(topics):
        for w in words(topic):
            entries[(TOPIC_FIELD, w, i)] = None
    for text in (row.instansi, row.jabatan, row.pendidikan):
        for w in words(text):
            entries[(ORG_FIELD, w, 0)] = None
    return list(entries)


def add_vocabulary(s: Session, terms: Iterable[str], backend: str) -> None:
    """Insert the trigrams of the words not yet known (idempotent)."""
    wanted = sorted(set(terms))
    if not wanted:
        return
    # Every word has its first trigram ("  k" for "koperasi"): that row, found
    # through the primary key, tells whether the word is known already.
    known: set[str] = set()
    for i in range(0, len(wanted), 400):
        chunk = wanted[i : i + 400]
        known.update(
            s.execute(
                select(NarasumberTermGram.term).where(
                    tuple_(NarasumberTermGram.gram, NarasumberTermGram.term).in_(
                        [(f"  {term[0]}", term) for term in chunk]
                    )
                )
            ).scalars()
        )
    values = [
        {"gram": g, "term": term} for term in wanted if term not in known for g in term_grams(term)
    ]
    if not values:
        return
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # One statement, many parameter sets; DO NOTHING for a word another clerk
    # added meanwhile.
    s.execute(insert(NarasumberTermGram).on_conflict_do_nothing(), values)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


__all__ = [
    "Booking",
    "Conflict",
    "HistoryItem",
    "NarasumberService",
    "Offer",
    "Person",
    "PersonDetail",
    "SearchHit",
    "SpeakerStep",
    "parse_range",
]
