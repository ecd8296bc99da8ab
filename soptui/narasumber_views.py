"""The narasumber registry's read models and time text: what the services
return and a client shows. Plain frozen dataclasses, no SQLAlchemy, so the
terminal app and the CLI (clients of the server) decode answers into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from soptui.errors import InputError
from soptui.i18n import t
from soptui.validate import has_time, parse_datetime

APPROVED = "disetujui"
MAX_SPAN = timedelta(days=366)

# ----- read models -------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A narasumber's profile."""

    id: int
    name: str
    status: str
    topics: tuple[str, ...]
    nip: str | None
    nik: str | None
    instansi: str | None
    jabatan: str | None
    pendidikan: str | None
    asn_status: str | None
    eselon: str | None
    golongan: str | None
    phone: str | None
    email: str | None
    notes: str | None
    registration_case_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def bookable(self) -> bool:
        return self.status == APPROVED

    @property
    def honor_class(self) -> str:
        return honor_class(self.asn_status, self.eselon)


@dataclass(frozen=True)
class Conflict:
    """An active booking or block that overlaps a wanted time."""

    booking_id: int
    kind: str
    status: str
    activity: str
    starts_at: datetime
    ends_at: datetime
    case_id: int | None
    text: str  # "Diklat Koperasi, 3 Des 08:00-12:00", in the language of the call


@dataclass(frozen=True)
class Booking:
    id: int
    narasumber_id: int
    narasumber_name: str
    kind: str  # kegiatan (a booking) or cuti / dinas_luar / lainnya (a block)
    status: str  # tentatif, definitif, batal
    starts_at: datetime
    ends_at: datetime
    activity: str
    location: str | None
    case_id: int | None
    note: str | None
    created_at: datetime
    created_by: str | None
    cancelled_at: datetime | None
    cancel_note: str | None

    @property
    def is_block(self) -> bool:
        return self.kind != "kegiatan"

    @property
    def active(self) -> bool:
        return self.status != "batal"


@dataclass(frozen=True)
class HistoryItem:
    seq: int
    at: datetime
    kind: str
    actor_login: str | None
    case_id: int | None
    note: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    registration_status: str | None  # the Pendaftaran case's status
    registration_step: str | None  # its current step key while open
    upcoming: tuple[Booking, ...]
    past: tuple[Booking, ...]
    history: tuple[HistoryItem, ...]


@dataclass(frozen=True)
class SearchHit:
    person: Person
    score: float  # 0..1, mean best word similarity


@dataclass(frozen=True)
class Offer:
    """One row of a lookup: a person, how well their topics match, and whether
    they are free in the wanted time (else the conflicts, named)."""

    person: Person
    score: float
    matched_topics: tuple[str, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def topics(self) -> tuple[str, ...]:
        return self.person.topics

    @property
    def free(self) -> bool:
        return not self.conflicts

    @property
    def bookable(self) -> bool:
        return self.person.bookable

    @property
    def conflict_text(self) -> str:
        """ "" when free, else "bentrok: Diklat Koperasi, 3 Des 08:00-12:00; ..."."""
        return (
            t("nr.busy", items="; ".join(c.text for c in self.conflicts)) if self.conflicts else ""
        )


@dataclass(frozen=True)
class SpeakerStep:
    """A case standing at a step that decides or checks its speaker."""

    case_id: int
    sop_code: str
    step_key: str
    step_no: str
    title: str


# ----- text: folding, words, trigrams, similarity -------------------------------------


def honor_class(asn_status: str | None, eselon: str | None) -> str:
    """Honorarium class of a narasumber as the Standar Biaya Masukan groups
    them: Eselon I, Eselon II, Eselon III and below (or equivalent), and
    non-ASN speakers, whose equivalence the PPK sets."""
    if asn_status in ("pns", "pppk"):
        if eselon and eselon.split(".")[0] == "I":
            return "eselon_i"
        if eselon and eselon.split(".")[0] == "II":
            return "eselon_ii"
        return "eselon_iii_ke_bawah"
    return "non_asn"


# ----- time text ---------------------------------------------------------------------


def span_text(start: datetime, end: datetime, tz: ZoneInfo, today_year: int) -> str:
    """ "3 Des 08:00-12:00", "3 Des 08:00-4 Des 12:00", whole days "1 Des-3 Des";
    the year only when it is not this year's."""
    months = t("nr.months").split()
    a, b = start.astimezone(tz), end.astimezone(tz)

    def day(d: datetime) -> str:
        return f"{d.day} {months[d.month - 1]}" + (f" {d.year}" if d.year != today_year else "")

    if a.time() == b.time() == datetime.min.time():
        last = b - timedelta(days=1)
        return day(a) if last.date() == a.date() else f"{day(a)}-{day(last)}"
    if a.date() == b.date():
        return f"{day(a)} {a:%H:%M}-{b:%H:%M}"
    return f"{day(a)} {a:%H:%M}-{day(b)} {b:%H:%M}"


# ----- typed input ----------------------------------------------------------------


def split_nip_nik(value: str | None) -> tuple[str | None, str | None]:
    """One typed identity number as (nip, nik): 16 digits is a NIK, anything
    else is taken as a NIP (and checked as one)."""
    if value and len("".join(ch for ch in value if ch.isdigit())) == 16:
        return None, value
    return value, None


def parse_range(start: str, end: str, tz: str = "Asia/Jakarta") -> tuple[datetime, datetime]:
    """Local times as a clerk types them. An end given as a date alone means
    the end of that day ("--from 3-12-2026 --to 5-12-2026" is three days)."""
    first = parse_datetime(start, tz)
    last = parse_datetime(end, tz)
    if _date_only(end) and last.hour == last.minute == 0:
        last += timedelta(days=1)
    return check_span(first, last)


def _date_only(text: str) -> bool:
    return not has_time(text)


def check_span(
    start: datetime, end: datetime, tz: str = "Asia/Jakarta"
) -> tuple[datetime, datetime]:
    """Aware UTC times (naive ones are office time); end after start; at most a year."""
    zone = ZoneInfo(tz)
    start = (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(UTC)
    end = (end if end.tzinfo else end.replace(tzinfo=zone)).astimezone(UTC)
    if end <= start:
        raise InputError("err.bad_range")
    if end - start > MAX_SPAN:
        raise InputError("err.nr.span_too_long", days=MAX_SPAN.days)
    return start, end
