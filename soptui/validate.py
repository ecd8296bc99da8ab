"""Input checks shared by the CLI and the screens: every text field is trimmed,
length-limited and free of control characters; dates accept ISO and the
common Indonesian forms."""

from __future__ import annotations

import functools
import inspect
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from soptui.errors import InputError

TITLE_MAX = 500
NAME_MAX = 300
NOTE_MAX = 4000
SHORT_MAX = 100
SEARCH_MAX = 200  # a search or filter text (SQLite refuses LIKE patterns over 50,000 bytes)

# What a 64-bit integer column holds: ids, versions, limits.
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# Dates the office can mean: anything else is a typo or an attack, and would
# overflow date arithmetic at the edges of Python's calendar (years 1 and 9999).
YEAR_MIN = 1900
YEAR_MAX = 2200
# What a service accepts of any one argument, whatever its field's own limit
# (an SOP source is the biggest legitimate text).
ARG_TEXT_MAX = 1_048_576
ARG_ITEMS_MAX = 10_000

# Characters that are never text in a clerk's field: bidi overrides and
# isolates, zero-width characters, the BOM (category Cf), line and paragraph
# separators (Zl, Zp) - they reorder or hide what another clerk reads.
_INVISIBLE = frozenset(("Cf", "Zl", "Zp"))


@functools.cache
def _dates() -> tuple[Any, Any]:
    """dateutil's parser and its Indonesian names, loaded when a clerk's
    date words first need them (not at every start)."""
    from dateutil import parser as dateparser

    class _IndonesianDates(dateparser.parserinfo):
        """dateutil's parser with Indonesian month and day names added."""

        MONTHS = [
            ("Jan", "January", "Januari"),
            ("Feb", "February", "Februari", "Pebruari"),
            ("Mar", "March", "Maret"),
            ("Apr", "April"),
            ("May", "Mei"),
            ("Jun", "June", "Juni"),
            ("Jul", "July", "Juli"),
            ("Aug", "August", "Agustus", "Agu", "Agt"),
            ("Sep", "Sept", "September"),
            ("Oct", "October", "Oktober", "Okt"),
            ("Nov", "November", "Nopember"),
            ("Dec", "December", "Desember", "Des"),
        ]
        WEEKDAYS = [
            ("Mon", "Monday", "Senin"),
            ("Tue", "Tuesday", "Selasa"),
            ("Wed", "Wednesday", "Rabu"),
            ("Thu", "Thursday", "Kamis"),
            ("Fri", "Friday", "Jumat"),
            ("Sat", "Saturday", "Sabtu"),
            ("Sun", "Sunday", "Minggu"),
        ]
        JUMP = [*dateparser.parserinfo.JUMP, "pukul", "jam", "pk", "tanggal", "tgl"]

        def __init__(self) -> None:
            super().__init__(dayfirst=True)

    return dateparser, _IndonesianDates()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")


def clean_text(
    value: str | None,
    field: str,
    *,
    max_len: int = NAME_MAX,
    required: bool = False,
    multiline: bool | None = None,
) -> str | None:
    """Trimmed text, or None when empty and optional. No control characters
    (a lone NUL breaks SQLite length checks and PostgreSQL refuses it; ESC
    and BEL reach other clerks' terminals), no undecodable bytes, no
    invisible or text-direction characters. Notes (multiline, by default any
    field as long as a note) may hold newlines and tabs; a title or a name is
    one line, or a list row would show another case's text."""
    if value is None:
        if required:
            raise InputError("err.empty", field=field)
        return None
    if not isinstance(value, str):
        raise InputError("err.empty", field=field)
    if len(value) > max_len + 1000:
        # Not worth scanning character by character.
        raise InputError("err.text_too_long", field=field, max=max_len)
    text = value.strip()
    allowed = "\t\n" if (multiline if multiline is not None else max_len >= NOTE_MAX) else ""
    check_chars(text, field, allowed)
    if not text:
        if required:
            raise InputError("err.empty", field=field)
        return None
    if len(text) > max_len:
        raise InputError("err.text_too_long", field=field, max=max_len)
    return text


_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_YEAR_MONTH_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\b")


def _check_calendar_day(text: str, value: str) -> None:
    """A numeric date whose day the month does not have ("31-02-2026") is
    refused saying so, not as unreadable (`value`: as the clerk typed it)."""
    import calendar

    text = text.strip()
    if m := _DAY_MONTH_YEAR.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _YEAR_MONTH_DAY.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return
    if not 1 <= month <= 12:
        raise InputError("err.no_such_month", value=value, month=month)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InputError(
            "err.no_such_day",
            value=value,
            day=day,
            year=year,
            last=last,
            # Each catalog names the month in its own language.
            month_id=_MONTHS_ID[month - 1],
            month_en=_MONTHS_EN[month - 1],
        )


def check_chars(text: str, field: str, allowed: str = "") -> None:
    """Refuse undecodable bytes (surrogate escapes), control characters other
    than `allowed`, and invisible or text-direction characters."""
    for ch in text:
        if " " <= ch < "\x7f" or ch in allowed:
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            raise InputError("err.undecodable", field=field)
        if ch in "\n\r\u2028\u2029" and "\n" not in allowed:
            raise InputError("err.one_line", field=field)
        if category == "Cc":
            raise InputError("err.control_chars", field=field)
        if category in _INVISIBLE:
            raise InputError("err.invisible_chars", field=field)


def check_search(value: str | None, field: str = "Cari") -> str | None:
    """A search or filter text: bounded, decodable, no control characters."""
    if value is None:
        return None
    if len(value) > SEARCH_MAX:
        raise InputError("err.text_too_long", field=field, max=SEARCH_MAX)
    check_chars(value, field)
    return value


def check_int(value: int, field: str, lo: int = 1, hi: int = INT64_MAX) -> int:
    """An id, version or limit: a whole number a 64-bit column holds."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InputError("err.number_range", field=field, lo=lo, hi=hi)
    return value


def check_year(value: date, shown: object = None) -> date:
    """A date (or date-time) within the years the office can mean."""
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise InputError(
            "err.year_range", value=shown if shown is not None else value.isoformat(),
            lo=YEAR_MIN, hi=YEAR_MAX,
        )  # fmt: skip
    return value


def check_args(values: dict[str, object]) -> None:
    """What every service method checks of its plain-value arguments before
    anything else: the services are called by untrusted clients, and a value
    no column holds must end in a clear refusal, not an OverflowError deep in
    a driver. Per field limits (a title's length, a note's newlines) are the
    services' own; this is the floor under them."""
    for name, value in values.items():
        _check_arg(name, value, 0)


_Class = TypeVar("_Class", bound=type)


def guarded(cls: _Class) -> _Class:
    """Class decorator: every public method checks its plain-value arguments
    with check_args before it runs (see there). Signatures are kept
    (functools.wraps), so a proxy built from the class sees the same shape."""
    for name, attr in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(attr):
            setattr(cls, name, _guard(attr))
    return cls


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    params = list(inspect.signature(fn).parameters.values())[1:]  # without self
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rest = next((p.name for p in params if p.kind == p.VAR_POSITIONAL), "args")

    @functools.wraps(fn)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        for i, value in enumerate(args):
            _check_arg(names[i] if i < len(names) else rest, value, 0)
        for name, value in kwargs.items():
            _check_arg(name, value, 0)
        return fn(self, *args, **kwargs)

    return checked


def _check_arg(name: str, value: object, depth: int) -> None:
    if value is None or isinstance(value, bool | float):
        return
    if isinstance(value, int):
        check_int(value, name, INT64_MIN, INT64_MAX)
    elif isinstance(value, str):
        if len(value) > ARG_TEXT_MAX:
            raise InputError("err.value_too_long", field=name, max=ARG_TEXT_MAX)
        if not value.isascii() and any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise InputError("err.undecodable", field=name)
        if "\x00" in value:
            raise InputError("err.control_chars", field=name)
    elif isinstance(value, date):  # datetime too
        check_year(value)
    elif isinstance(value, list | tuple | set | frozenset):
        if len(value) > ARG_ITEMS_MAX or depth > 3:
            raise InputError("err.too_many", field=name, max=ARG_ITEMS_MAX)
        for item in value:
            _check_arg(name, item, depth + 1)


def parse_date(value: str) -> date:
    """ISO (2026-03-17), day-first numeric (17-03-2026, 17/03/2026) or words
    (17 Maret 2026), in the years YEAR_MIN..YEAR_MAX."""
    if len(value) > 100:
        raise InputError("err.bad_date", value=value)
    text = value.strip()
    _check_calendar_day(text, value)
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if not _NUMERIC_DATE.match(text) and not re.search(r"[A-Za-z]", text):
            raise ValueError(text)
        dateparser, names = _dates()
        parsed = dateparser.parse(text, parserinfo=names, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError) as exc:
        raise InputError("err.bad_date", value=value) from exc
    if not re.search(r"\d{4}", text):
        # "17 Maret" alone would silently take the year 2000.
        raise InputError("err.bad_date", value=value)
    return check_year(parsed.date(), value)


_TIME_WORDS = re.compile(r"(?i)\b(pukul|jam|pk)\b\.?")
_DOTTED_TIME = re.compile(r"(?<=\s)(\d{1,2})\.(\d{2})$")


def has_time(text: str) -> bool:
    """Whether a typed date-time gives a time of day ("08:00", "08.00", "pukul 8")."""
    return ":" in text or bool(_TIME_WORDS.search(text) or _DOTTED_TIME.search(text.strip()))


def parse_datetime(value: str, tz: str = "Asia/Jakarta") -> datetime:
    """A local date and time (the office's zone unless one is given)."""
    from zoneinfo import ZoneInfo

    if len(value) > 100:
        raise InputError("err.bad_datetime", value=value)
    # Clerks write times the Indonesian way too: "3 Des 2026 pukul 08.00".
    text = _TIME_WORDS.sub(" ", value).strip()
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    _check_calendar_day(text, value)
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
        else:
            dateparser, names = _dates()
            parsed = dateparser.parse(text, parserinfo=names)
    except (ValueError, OverflowError, TypeError) as exc:
        raise InputError("err.bad_datetime", value=value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    # A day off the edge: 9999-12-31 23:00 in Jakarta is year 10000 in UTC.
    check_year(parsed, value)
    if not YEAR_MIN <= (parsed - parsed.utcoffset()).year <= YEAR_MAX:  # type: ignore[operator]
        raise InputError("err.year_range", value=value, lo=YEAR_MIN, hi=YEAR_MAX)
    return parsed


def normalise_nip(value: str | None) -> str | None:
    """NIP: 18 digits, written with or without the usual spaces. Checked
    leniently: digit count and a plausible birth date and sex digit."""
    text = clean_text(value, "NIP", max_len=40)
    if text is None:
        return None
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"[0-9]{18}", digits):
        raise InputError("err.bad_nip", value=value)
    try:
        datetime.strptime(digits[:8], "%Y%m%d")
    except ValueError as exc:
        raise InputError("err.bad_nip", value=value) from exc
    if digits[14] not in "12":
        raise InputError("err.bad_nip", value=value)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
