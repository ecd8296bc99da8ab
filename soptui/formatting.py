"""Shared text formatting for the CLI and the screens: times, durations, tables."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from soptui.errors import InputError
from soptui.i18n import language, t

OFFICE_TZ = ZoneInfo("Asia/Jakarta")


# Here, not with the working calendar: the screens need it before the first
# paint and the calendar module is not needed there.
def format_duration(delta: timedelta, lang: str = "id", working_day_minutes: int = 450) -> str:
    """Compact working duration for an 80-column inbox: "45m", "1j 20m", "2 hari", "2 hari 3j"
    (id) or "45m", "1h 20m", "2 days", "2 days 3h" (en). A day is `working_day_minutes` of
    working time (450 = 7.5 h); once there are days the minutes are dropped to stay short.
    Rounds down to the minute; negative deltas are shown by absolute value (callers add
    "terlambat"/"late")."""
    if working_day_minutes <= 0:
        raise ValueError(f"working_day_minutes must be positive, got {working_day_minutes}")
    code = lang.lower().replace("-", "_").split("_")[0]
    if code not in ("id", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'id' or 'en'")
    minutes = int(abs(delta) // timedelta(minutes=1))
    days, rest = divmod(minutes, working_day_minutes)
    hours, mins = divmod(rest, 60)
    hour_unit = "j" if code == "id" else "h"
    if days:
        word = "hari" if code == "id" else ("day" if days == 1 else "days")
        text = f"{days} {word}"
        return f"{text} {hours}{hour_unit}" if hours else text
    if hours:
        return f"{hours}{hour_unit} {mins}m" if mins else f"{hours}{hour_unit}"
    return f"{mins}m"


def local(dt: datetime | None, tz: ZoneInfo = OFFICE_TZ) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


def due_text(remaining: timedelta | None, status: str = "open") -> str:
    """ "sisa 1j 20m" / "terlambat 2 hari" / "relatif"."""
    if status not in ("open", "paused"):
        return ""
    if remaining is None:
        return t("due.none")
    d = format_duration(remaining, language())
    return t("due.late", d=d) if remaining < timedelta(0) else t("due.left", d=d)


def minutes_text(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return format_duration(timedelta(seconds=seconds), language())


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def render(
    records: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    fmt: str,
    *,
    json_records: Sequence[dict[str, Any]] | Any | None = None,
) -> str:
    """records: one dict per row; columns: (key, heading message key) for the
    table and csv forms; JSON prints json_records (default: records) whole."""
    if fmt == "json":
        import json

        return json.dumps(
            _jsonable(json_records if json_records is not None else list(records)),
            ensure_ascii=False,
            indent=2,
        )
    headers = [t(h) for _, h in columns]
    rows = [[_cell(r.get(k)) for k, _ in columns] for r in records]
    if fmt == "csv":
        buf = io.StringIO()
        import csv

        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    # Imported here: the screens use this module for times and texts, and
    # tabulate (with wcwidth) would cost the terminal app's start-up.
    from tabulate import tabulate, tabulate_formats

    if fmt not in tabulate_formats:
        raise InputError("err.bad_format", value=fmt)
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)
