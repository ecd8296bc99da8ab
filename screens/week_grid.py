"""The compact week grid of the registry's availability view: per person,
seven days of three parts each (pagi, siang, malam), one glyph per part.
Plain functions (no widgets), so the screen and the tests share them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from soptui.i18n import t

if TYPE_CHECKING:
    from soptui.narasumber_views import Booking

# Parts of a day in office time: [start hour, end hour). Sessions of a
# narasumber are mornings or afternoons; evenings exist (a Ramadan talk).
DAY_PARTS: tuple[tuple[int, int], ...] = ((0, 12), (12, 17), (17, 24))

# Glyphs, strongest first: a part shows the strongest thing in it. Meaning
# never rests on colour alone, so each state has its own glyph.
BLOCKED, DEFINITE, TENTATIVE, FREE = "×", "█", "▒", "·"
STRENGTH = {BLOCKED: 3, DEFINITE: 2, TENTATIVE: 1, FREE: 0}


@dataclass(frozen=True)
class Week:
    monday: date

    @staticmethod
    def of(day: date) -> Week:
        return Week(day - timedelta(days=day.weekday()))

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> Week:
        return Week(self.monday + timedelta(weeks=weeks))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Monday 00:00 to the next Monday 00:00, office time, as aware UTC."""
        start = datetime.combine(self.monday, time(), tz)
        end = datetime.combine(self.monday + timedelta(days=7), time(), tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def glyph_of(booking: Booking) -> str:
    if booking.is_block:
        return BLOCKED
    return TENTATIVE if booking.status == "tentatif" else DEFINITE


def part_glyphs(bookings: Iterable[Booking], week: Week, tz: ZoneInfo) -> list[str]:
    """21 glyphs (7 days x 3 parts) for one person's active bookings and blocks."""
    cells = [FREE] * (7 * len(DAY_PARTS))
    spans = []
    for day in week.days:
        for start_hour, end_hour in DAY_PARTS:
            start = datetime.combine(day, time(), tz) + timedelta(hours=start_hour)
            end = datetime.combine(day, time(), tz) + timedelta(hours=end_hour)
            spans.append((start, end))
    for booking in bookings:
        if not booking.active:
            continue
        glyph = glyph_of(booking)
        for index, (start, end) in enumerate(spans):
            # Half-open intervals: a booking ending at 12:00 leaves the afternoon free.
            overlaps = booking.starts_at < end and booking.ends_at > start
            if overlaps and STRENGTH[glyph] > STRENGTH[cells[index]]:
                cells[index] = glyph
    return cells


def day_cells(glyphs: Sequence[str]) -> list[str]:
    """The 21 glyphs grouped per day: ["··█", "···", ...]."""
    size = len(DAY_PARTS)
    return ["".join(glyphs[i : i + size]) for i in range(0, len(glyphs), size)]


def day_heading(day: date) -> str:
    """ "Sen 30" - the weekday's short name and the day of the month."""
    names = t("ui.nr.weekdays").split()
    return f"{names[day.weekday()]} {day.day:>2}"


def week_title(week: Week) -> str:
    """ "30 Nov - 6 Des 2026"."""
    months = t("nr.months").split()
    first, last = week.monday, week.monday + timedelta(days=6)
    head = f"{first.day} {months[first.month - 1]}"
    if first.year != last.year:
        head += f" {first.year}"
    return f"{head} - {last.day} {months[last.month - 1]} {last.year}"


def legend() -> str:
    return t("ui.nr.legend", free=FREE, tentative=TENTATIVE, definite=DEFINITE, blocked=BLOCKED)
