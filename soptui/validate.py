"""Input checks shared by the CLI and the screens: every text field is trimmed,
length-limited and free of control characters; dates accept ISO and the
common Indonesian forms."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from dateutil import parser as dateparser

from soptui.errors import InputError

TITLE_MAX = 500
NAME_MAX = 300
NOTE_MAX = 4000
SHORT_MAX = 100


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


_PARSER_INFO = _IndonesianDates()
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")


def clean_text(
    value: str | None, field: str, *, max_len: int = NAME_MAX, required: bool = False
) -> str | None:
    """Trimmed text, or None when empty and optional. Tab and newline are the
    only control characters allowed (a lone NUL breaks SQLite length checks
    and PostgreSQL refuses it)."""
    if value is None:
        if required:
            raise InputError("err.empty", field=field)
        return None
    text = value.strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in text):
        raise InputError("err.control_chars", field=field)
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


def parse_date(value: str) -> date:
    """ISO (2026-03-17), day-first numeric (17-03-2026, 17/03/2026) or words (17 Maret 2026)."""
    text = value.strip()
    _check_calendar_day(text, value)
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if not _NUMERIC_DATE.match(text) and not re.search(r"[A-Za-z]", text):
            raise ValueError(text)
        parsed = dateparser.parse(text, parserinfo=_PARSER_INFO, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise InputError("err.bad_date", value=value) from exc
    if not re.search(r"\d{4}", text):
        # "17 Maret" alone would silently take the year 2000.
        raise InputError("err.bad_date", value=value)
    return parsed.date()


_TIME_WORDS = re.compile(r"(?i)\b(pukul|jam|pk)\b\.?")
_DOTTED_TIME = re.compile(r"(?<=\s)(\d{1,2})\.(\d{2})$")


def has_time(text: str) -> bool:
    """Whether a typed date-time gives a time of day ("08:00", "08.00", "pukul 8")."""
    return ":" in text or bool(_TIME_WORDS.search(text) or _DOTTED_TIME.search(text.strip()))


def parse_datetime(value: str, tz: str = "Asia/Jakarta") -> datetime:
    """A local date and time (the office's zone unless one is given)."""
    from zoneinfo import ZoneInfo

    # Clerks write times the Indonesian way too: "3 Des 2026 pukul 08.00".
    text = _TIME_WORDS.sub(" ", value).strip()
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    _check_calendar_day(text, value)
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
        else:
            parsed = dateparser.parse(text, parserinfo=_PARSER_INFO)
    except (ValueError, OverflowError) as exc:
        raise InputError("err.bad_datetime", value=value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


def normalise_nip(value: str | None) -> str | None:
    """NIP: 18 digits, written with or without the usual spaces. Checked
    leniently: digit count and a plausible birth date and sex digit."""
    text = clean_text(value, "NIP", max_len=40)
    if text is None:
        return None
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{18}", digits):
        raise InputError("err.bad_nip", value=value)
    try:
        datetime.strptime(digits[:8], "%Y%m%d")
    except ValueError as exc:
        raise InputError("err.bad_nip", value=value) from exc
    if digits[14] not in "12":
        raise InputError("err.bad_nip", value=value)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
