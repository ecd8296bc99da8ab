"""Office working-time calendar (Perpres 21/2023): schedules, holidays, overrides.

Pure Python on purpose: the case engine, the CLI and the TUI all compute due dates with it.

Internally every instant is an integer count of microseconds since the Unix epoch (UTC), so
arithmetic is exact (hypothesis properties hold to the microsecond) and correct even for a
time zone with DST, where subtracting two aware datetimes sharing a tzinfo would be wrong.
Working time is the function F(t) = working microseconds before t; per-year prefix sums of the
per-day totals make F and its inverse O(log n) once a year has been built, so a span of years
costs a handful of list lookups instead of a walk over minutes or days.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "DayInfo",
    "Override",
    "Period",
    "WeekSchedule",
    "WorkCalendar",
]

Period = tuple[time, time]

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Indonesian weekday names: the reason shown for a non-working weekday in `calendar show`.
DAY_NAMES_ID: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
# A calendar with no working time at all (everything closed) would make add_working_time loop
# forever; give up after this many empty years instead.
_MAX_EMPTY_YEARS = 50
# Instants whose working time before them a calendar remembers (a few pages' due times).
_MEMO_MAX = 4096


def _hm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _validate_periods(periods: Iterable[Any], where: str) -> tuple[Period, ...]:
    """Normalise to a tuple of (time, time) and check it is a usable day: each period whole
    minutes, naive, start < end, sorted and non-overlapping (touching is allowed)."""
    out: list[Period] = []
    for i, p in enumerate(periods):
        try:
            start, end = p
        except (TypeError, ValueError):
            raise ValueError(
                f"{where}: period {i + 1} must be a (start, end) pair, got {p!r}"
            ) from None
        for t in (start, end):
            if not isinstance(t, time):
                raise ValueError(f"{where}: period {i + 1} has {t!r}, expected a datetime.time")
            if t.tzinfo is not None:
                raise ValueError(f"{where}: period {i + 1} times must be naive (local office time)")
            if t.second or t.microsecond:
                # Schedules are stored as HH:MM; refusing seconds keeps to_json lossless.
                raise ValueError(f"{where}: period {i + 1} must use whole minutes, got {t}")
        if not start < end:
            raise ValueError(
                f"{where}: period {i + 1} {_hm(start)}-{_hm(end)} must start before it ends"
            )
        if out:
            prev_start, prev_end = out[-1]
            if start < prev_start:
                raise ValueError(
                    f"{where}: periods must be sorted ({_hm(start)} comes after {_hm(prev_start)})"
                )
            if start < prev_end:
                raise ValueError(
                    f"{where}: period {_hm(start)}-{_hm(end)} overlaps "
                    f"{_hm(prev_start)}-{_hm(prev_end)}"
                )
        out.append((start, end))
    return tuple(out)


def _parse_hhmm(value: Any, where: str) -> time:
    if not isinstance(value, str):
        raise ValueError(f'{where}: expected a time string "HH:MM", got {value!r}')
    m = _HHMM.match(value.strip())
    if not m:
        raise ValueError(f'{where}: expected a time "HH:MM", got {value!r}')
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{where}: {value!r} is not a valid time of day")
    return time(hour, minute)


@dataclass(frozen=True)
class WeekSchedule:
    """Working periods per weekday, Monday=0 .. Sunday=6; an empty tuple = not a working day."""

    days: tuple[tuple[Period, ...], ...]

    def __post_init__(self) -> None:
        days = tuple(self.days)
        if len(days) != 7:
            raise ValueError(f"a week schedule needs 7 days (Monday..Sunday), got {len(days)}")
        norm = tuple(_validate_periods(d, DAY_KEYS[i]) for i, d in enumerate(days))
        # Accept lists from callers but store tuples so the dataclass stays hashable.
        object.__setattr__(self, "days", norm)

    @classmethod
    def default(cls) -> WeekSchedule:
        """Perpres 21/2023, five-day week: 37.5 h net, 60 min break Mon-Thu, 90 min Friday.
        Offices confirm their own hours; this is only the typical schedule."""
        mon_thu = ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0)))
        fri = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
        return cls((mon_thu, mon_thu, mon_thu, mon_thu, fri, (), ()))

    @classmethod
    def ramadan(cls) -> WeekSchedule:
        """Ramadan, 32.5 h/week from 08:00, 30 min break Mon-Thu and 60 min on Friday
        (Mon-Thu 08:00-15:00 rest 12:00-12:30; Fri 08:00-15:30 rest 11:30-12:30). The dates and
        hours are set yearly by circular, so callers configure them as a schedule override."""
        mon_thu = ((time(8, 0), time(12, 0)), (time(12, 30), time(15, 0)))
        fri = ((time(8, 0), time(11, 30)), (time(12, 30), time(15, 30)))
        return cls((mon_thu, mon_thu, mon_thu, mon_thu, fri, (), ()))

    def weekly_minutes(self) -> int:
        return sum(
            (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for d in self.days for s, e in d
        )

    def to_json(self) -> dict[str, list[list[str]]]:
        return {
            key: [[_hm(s), _hm(e)] for s, e in periods]
            for key, periods in zip(DAY_KEYS, self.days, strict=True)
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeekSchedule:
        """Parse {"mon": [["07:30", "12:00"], ...], ...}. A missing day is not a working day;
        an unknown key is an error (it is most likely a typo such as "thur")."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a week schedule must be an object keyed mon..sun, got {data!r}")
        unknown = sorted(str(k) for k in data if k not in DAY_KEYS)
        if unknown:
            raise ValueError(
                f"unknown day key(s) {', '.join(unknown)}; expected {', '.join(DAY_KEYS)}"
            )
        days: list[tuple[Period, ...]] = []
        for key in DAY_KEYS:
            raw = data.get(key, [])
            if raw is None:
                raw = []
            if not isinstance(raw, list | tuple):
                raise ValueError(f'{key}: expected a list of ["HH:MM", "HH:MM"] pairs, got {raw!r}')
            periods: list[Period] = []
            for i, pair in enumerate(raw):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise ValueError(
                        f'{key}: period {i + 1} must be a ["HH:MM", "HH:MM"] pair, got {pair!r}'
                    )
                where = f"{key} period {i + 1}"
                periods.append((_parse_hhmm(pair[0], where), _parse_hhmm(pair[1], where)))
            days.append(_validate_periods(periods, key))
        return cls(tuple(days))


@dataclass(frozen=True)
class Override:
    """A dated exception to the weekly schedule (dates inclusive).

    closed: office closure; open: an extra working day (a Saturday, or un-closing a holiday),
    with `periods` or else the Monday periods of the schedule in force; schedule: a date range
    with its own WeekSchedule (Ramadan)."""

    kind: Literal["closed", "open", "schedule"]
    start: date
    end: date
    note: str = ""
    schedule: WeekSchedule | None = None
    periods: tuple[Period, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("closed", "open", "schedule"):
            raise ValueError(f"override kind must be closed, open or schedule, got {self.kind!r}")
        if self.end < self.start:
            raise ValueError(f"override ends ({self.end}) before it starts ({self.start})")
        if self.kind == "schedule" and self.schedule is None:
            raise ValueError("a schedule override needs a WeekSchedule")
        if self.kind != "schedule" and self.schedule is not None:
            raise ValueError(f"a {self.kind} override takes no WeekSchedule")
        if self.periods is not None:
            if self.kind != "open":
                raise ValueError(f"a {self.kind} override takes no periods")
            object.__setattr__(self, "periods", _validate_periods(self.periods, "override"))

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str
    periods: tuple[Period, ...]


@dataclass
class _Year:
    """Per-year cache: each day's working periods as epoch microseconds, plus prefix sums
    (cum[i] = working microseconds in the year before day index i; cum[-1] = year total)."""

    first: date
    periods: list[tuple[tuple[int, int], ...]] = field(default_factory=list)
    cum: list[int] = field(default_factory=list)
    # first.toordinal(): a day's index is d.toordinal() - ordinal (cheaper than timetuple).
    ordinal: int = 0


def _to_us(dt: datetime) -> int:
    return (dt - _EPOCH) // _US


class WorkCalendar:
    """Working time of one office.

    Precedence for a day: closed override > open override > national holiday (not working) >
    schedule override > weekly schedule. Among overrides of the same kind that cover a day the
    one added last (later in `overrides`) wins; this only matters for the periods of open days
    and for overlapping schedule ranges. Overrides are fixed at construction, which is what
    makes the per-year caches safe: build a new calendar when the configuration changes.
    """

    def __init__(
        self,
        schedule: WeekSchedule | None = None,
        overrides: Iterable[Override] = (),
        tz: str = "Asia/Jakarta",
        national_holidays: bool = True,
    ) -> None:
        self.schedule: WeekSchedule = schedule if schedule is not None else WeekSchedule.default()
        self.overrides: tuple[Override, ...] = tuple(overrides)
        self.tz: ZoneInfo = ZoneInfo(tz)
        self.national_holidays = national_holidays
        self._holidays: dict[int, dict[date, str]] = {}
        self._years: dict[int, _Year] = {}
        self._worked: dict[int, tuple[int, int]] = {}

    # -- days ---------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """Name of the national holiday or cuti bersama on `day`, in Indonesian; None if there
        is none or the calendar was built with national_holidays=False."""
        if not self.national_holidays:
            return None
        table = self._holidays.get(day.year)
        if table is None:
            table = self._load_holidays(day.year)
            self._holidays[day.year] = table
        return table.get(day)

    @staticmethod
    def _load_holidays(year: int) -> dict[date, str]:
        cached = _HOLIDAY_CACHE.get(year)
        if cached is not None:
            return cached
        # Imported here: the package is large and only needed once a year's
        # table is first built (keeps start-up fast).
        import holidays

        # GOVERNMENT holds cuti bersama, which ASN do not work either.
        lang = "id" if "id" in getattr(holidays.ID, "supported_languages", ()) else None
        try:
            table = holidays.country_holidays(
                "ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language=lang
            )
        except NotImplementedError:
            # Older `holidays` without the GOVERNMENT category for Indonesia.
            table = holidays.country_holidays("ID", years=year, language=lang)
        result = dict(table.items())
        _HOLIDAY_CACHE.put(year, result)
        return result

    def _rule(self, day: date) -> tuple[tuple[Period, ...], str]:
        """The periods of `day` and the reason shown for it ("" for a normal working day)."""
        closed = open_ = sched = None
        for ov in reversed(self.overrides):  # reversed: the latest added wins within a kind
            if not ov.covers(day):
                continue
            if ov.kind == "closed" and closed is None:
                closed = ov
            elif ov.kind == "open" and open_ is None:
                open_ = ov
            elif ov.kind == "schedule" and sched is None:
                sched = ov
        if closed is not None:
            return (), closed.note or "Kantor tutup"
        in_force = sched.schedule if sched is not None and sched.schedule else self.schedule
        if open_ is not None:
            periods = open_.periods
            if periods is None:
                periods = in_force.days[0]
                if not periods:
                    # No Monday in this schedule: fall back to its first working weekday.
                    periods = next((d for d in in_force.days if d), ())
            return periods, open_.note or "Hari kerja tambahan"
        name = self.holiday_name(day)
        if name is not None:
            return (), name
        periods = in_force.days[day.weekday()]
        if not periods:
            return (), DAY_NAMES_ID[day.weekday()]
        return periods, sched.note if sched is not None else ""

    def is_working_day(self, day: date) -> bool:
        return bool(self._day_us(day))

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        periods, _ = self._rule(day)
        return [
            (datetime.combine(day, s, tzinfo=self.tz), datetime.combine(day, e, tzinfo=self.tz))
            for s, e in periods
        ]

    def days(self, start: date, end: date) -> list[DayInfo]:
        """One DayInfo per day in [start, end] (inclusive), for `calendar show`."""
        out: list[DayInfo] = []
        day = start
        while day <= end:
            periods, reason = self._rule(day)
            out.append(DayInfo(day, bool(periods), reason, periods))
            day += timedelta(days=1)
        return out

    # -- per-year cache -----------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is None:
            first = date(year, 1, 1)
            y = _Year(first, ordinal=first.toordinal())
            total = 0
            y.cum.append(0)
            day = first
            while day.year == year:
                spans = tuple((_to_us(s), _to_us(e)) for s, e in self.periods_on(day))
                y.periods.append(spans)
                total += sum(e - s for s, e in spans)
                y.cum.append(total)
                day += timedelta(days=1)
            self._years[year] = y
        return y

    def _day_us(self, day: date) -> tuple[tuple[int, int], ...]:
        y = self._year(day.year)
        return y.periods[day.toordinal() - y.ordinal]

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got naive {at!r}")
        return at.astimezone(self.tz)

    def _from_us(self, us: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz)

    def _worked_before(self, at: datetime) -> tuple[int, int]:
        """(year, working microseconds from 1 January of that local year up to `at`)."""
        try:
            t = (at - _EPOCH) // _US
        except TypeError:
            self._local(at)  # a naive datetime: refused with the usual error
            raise
        # An inbox page asks "from now until each due time" on every refresh: `now`
        # repeats within a page and the due times across pages. The answer depends on
        # the instant only (keyed by it, not by the datetime: equal local times of a DST
        # fold are two instants) and the calendar never changes, so answers are kept.
        # Single dict operations are thread-safe.
        memo = self._worked
        found = memo.get(t)
        if found is not None:
            return found
        result = self._worked_before_uncached(at, t)
        if len(memo) >= _MEMO_MAX:
            memo.clear()  # bounded; refilled by the next pages
        memo[t] = result
        return result

    def _worked_before_uncached(self, at: datetime, t: int) -> tuple[int, int]:
        d = self._local(at).date()
        y = self._year(d.year)
        idx = d.toordinal() - y.ordinal
        within = 0
        for s, e in y.periods[idx]:
            if t <= s:
                break  # periods are sorted: nothing later in the day counts
            within += (e if t > e else t) - s
        return d.year, y.cum[idx] + within

    # -- working-time arithmetic --------------------------------------------------------------

    def next_working_instant(self, at: datetime) -> datetime:
        """`at` itself if it lies inside a period ([start, end)), else the next period start."""
        local = self._local(at)
        t = _to_us(local)
        d = local.date()
        for s, e in self._day_us(d):
            if t < e:
                return self._from_us(max(s, t))
        year = d.year
        y = self._year(year)
        idx = d.timetuple().tm_yday  # first candidate: the following day
        for _ in range(_MAX_EMPTY_YEARS + 1):
            # The first day j >= idx with work is the one where the prefix sum first grows.
            k = bisect_right(y.cum, y.cum[idx], lo=idx)
            if k < len(y.cum):
                return self._from_us(y.periods[k - 1][0][0])
            year += 1
            y = self._year(year)
            idx = 0
        raise ValueError(f"no working time within {_MAX_EMPTY_YEARS} years after {at}")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant `amount` of working time after `start` (aware, any tz; result in
        self.tz). Counting begins at the next working instant; an amount that runs out exactly
        at a period end gives that end (12:00, not 13:00); amount 0 gives the first working
        instant at or after `start`. Negative amounts are refused."""
        if amount < timedelta(0):
            raise ValueError(f"amount must not be negative, got {amount}")
        if not amount:
            return self.next_working_instant(start)
        year, before = self._worked_before(start)
        target = before + amount // _US  # working microseconds since 1 Jan of `year`
        empty = 0
        while empty <= _MAX_EMPTY_YEARS:
            y = self._year(year)
            total = y.cum[-1]
            if target <= total:
                # Earliest day j with cum[j] < target <= cum[j + 1]; target > 0 so j >= 0.
                j = bisect_left(y.cum, target) - 1
                rem = target - y.cum[j]
                for s, e in y.periods[j]:
                    if rem <= e - s:
                        return self._from_us(s + rem)
                    rem -= e - s
                raise AssertionError("prefix sums disagree with day periods")  # pragma: no cover
            target -= total
            empty = 0 if total else empty + 1
            year += 1
        raise ValueError(f"no working time within {_MAX_EMPTY_YEARS} years after {start}")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b); negative if b < a."""
        # F(b) - F(a) with F(t) = working time before t: F grows with t, so the
        # signed difference is the answer either way round (one pass, no swap).
        ya, wa = self._worked_before(a)
        yb, wb = self._worked_before(b)
        # Whole years in between come from cached totals: a few additions for any span.
        for year in range(ya, yb):
            wb += self._year(year).cum[-1]
        for year in range(yb, ya):
            wa += self._year(year).cum[-1]
        return timedelta(microseconds=wb - wa)


class _HolidayFileCache:
    """Holiday tables computed by the `holidays` package, kept in a small JSON
    file in the user cache directory: importing and evaluating the package
    costs ~0.1 s, which every start-up of the terminal app would pay. The
    cache is keyed by the installed package (its path and modification time),
    so an upgrade of `holidays` (a new cuti bersama decree) refreshes it. Any
    problem with the file only means the package is asked again."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._years: dict[str, dict[str, str]] | None = None

    def _path(self) -> Path:
        """One file per installed package: two installations (a system one and a
        virtualenv) would otherwise overwrite each other's file on every start."""
        base = os.environ.get("SOPTUI_CACHE_DIR")
        if not base:
            from platformdirs import user_cache_dir

            base = user_cache_dir("soptui", appauthor=False)
        digest = hashlib.sha256(self._package_key().encode("utf-8", "surrogateescape"))
        return Path(base) / f"holidays-ID-{digest.hexdigest()[:16]}.json"

    def _package_key(self) -> str:
        if self._key is None:
            spec = importlib.util.find_spec("holidays")
            origin = spec.origin if spec and spec.origin else ""
            try:
                stamp = os.stat(origin).st_mtime_ns if origin else 0
            except OSError:
                stamp = 0
            self._key = f"{origin}:{stamp}"
        return self._key

    def _read_file(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self._path().read_text(encoding="utf-8"))
            if data.get("key") == self._package_key():
                return dict(data.get("years", {}))
        except (OSError, ValueError, AttributeError):
            pass
        return {}

    def _load(self) -> dict[str, dict[str, str]]:
        if self._years is None:
            self._years = self._read_file()
        return self._years

    def get(self, year: int) -> dict[date, str] | None:
        table = self._load().get(str(year))
        if table is None:
            return None
        return {date.fromisoformat(day): name for day, name in table.items()}

    def put(self, year: int, table: dict[date, str]) -> None:
        years = self._load()
        years[str(year)] = {day.isoformat(): name for day, name in sorted(table.items())}
        # Years another process wrote since this one read the file stay in it
        # (the app and its start-up helper both fill the cache).
        years.update({y: v for y, v in self._read_file().items() if y not in years})
        path = self._path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"key": self._package_key(), "years": years}), "utf-8")
            tmp.replace(path)  # atomic: a concurrent reader sees the old or the new file
        except OSError:
            pass


_HOLIDAY_CACHE = _HolidayFileCache()
