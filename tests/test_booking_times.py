"""What is unusual about a time to book (issue 14 #13), on both backends:
the office calendar decides working days and hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def test_span_concerns(office) -> None:
    registry = office.svc.narasumber  # the clock: Tuesday 10 March 2026, 10:00
    assert registry.span_concerns(at("2026-03-11 08:00"), at("2026-03-11 12:00")) == ()
    assert registry.span_concerns(at("2026-03-15 02:00"), at("2026-03-15 03:00")) == (
        "non_working_day",
    )
    assert registry.span_concerns(at("2026-03-11 19:00"), at("2026-03-11 21:00")) == (
        "outside_hours",
    )
    assert registry.span_concerns(at("2026-03-09 08:00"), at("2026-03-09 09:00")) == ("past",)
    # Nyepi (19 March 2026) is a holiday of the office calendar.
    assert "non_working_day" in registry.span_concerns(
        at("2026-03-19 08:00"), at("2026-03-19 12:00")
    )
