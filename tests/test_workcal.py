"""Tests for soptui.workcal: the working-time calendar behind every due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soptui.formatting import format_duration
from soptui.workcal import DayInfo, Override, WeekSchedule, WorkCalendar

WIB = ZoneInfo("Asia/Jakarta")


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


H = timedelta(hours=1)
M = timedelta(minutes=1)

# Ramadan 1447 H, roughly; the real range comes from the yearly circular.
RAMADAN_2026 = Override(
    "schedule", date(2026, 2, 19), date(2026, 3, 19), "Ramadan", schedule=WeekSchedule.ramadan()
)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- the required vector and the basic schedule ---------------------------------------------


def test_holidays_package_has_the_2026_lebaran_block(cal: WorkCalendar) -> None:
    # The vector below depends on these; fail loudly here if the package data changes.
    for d in (18, 19, 20, 23, 24):
        assert cal.holiday_name(date(2026, 3, d)) is not None, d
    assert "Nyepi" in (cal.holiday_name(date(2026, 3, 19)) or "")
    assert "Cuti Bersama" in (cal.holiday_name(date(2026, 3, 18)) or "")


def test_vector_across_nyepi_and_idul_fitri(cal: WorkCalendar) -> None:
    # Tue 15:00 + 2h: 1h on Tuesday, then 18-24 March are all off, 1h on Wednesday 25th.
    assert cal.add_working_time(wib(2026, 3, 17, 15), 2 * H) == wib(2026, 3, 25, 8, 30)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # Friday: morning ends 11:30, afternoon starts 13:00 (90 min break).
        (wib(2026, 3, 6, 11), H, wib(2026, 3, 6, 13, 30)),
        (wib(2026, 3, 6, 15, 30), H, wib(2026, 3, 6, 16, 30)),
        # Lunch break skipped Mon-Thu.
        (wib(2026, 3, 2, 11, 30), H, wib(2026, 3, 2, 13, 30)),
        # Ending exactly at a period end gives that end, not the next start.
        (wib(2026, 3, 2, 11), H, wib(2026, 3, 2, 12)),
        (wib(2026, 3, 2, 15), H, wib(2026, 3, 2, 16)),
        (wib(2026, 3, 2, 7, 30), timedelta(hours=7, minutes=30), wib(2026, 3, 2, 16)),
        # A full working day from the start of a day ends at that day's close.
        (wib(2026, 3, 6, 7, 30), timedelta(minutes=450), wib(2026, 3, 6, 16, 30)),
        # Starts outside working time: counting begins at the next working instant.
        (wib(2026, 3, 2, 6), H, wib(2026, 3, 2, 8, 30)),  # before 07:30
        (wib(2026, 3, 2, 12, 30), H, wib(2026, 3, 2, 14)),  # during lunch
        (wib(2026, 3, 2, 17), H, wib(2026, 3, 3, 8, 30)),  # after 16:00
        (wib(2026, 3, 2, 16), H, wib(2026, 3, 3, 8, 30)),  # exactly at close
        (wib(2026, 3, 7, 10), H, wib(2026, 3, 9, 8, 30)),  # Saturday
        (wib(2026, 3, 8, 23, 59), H, wib(2026, 3, 9, 8, 30)),  # Sunday night
        (wib(2026, 1, 1, 9), H, wib(2026, 1, 2, 8, 30)),  # New Year, a Thursday
        # Several days: 2 working days + 1h from Monday 07:30.
        (wib(2026, 3, 2, 7, 30), 2 * timedelta(minutes=450) + H, wib(2026, 3, 4, 8, 30)),
    ],
)
def test_add_working_time(
    cal: WorkCalendar, start: datetime, amount: timedelta, expected: datetime
) -> None:
    assert cal.add_working_time(start, amount) == expected


def test_zero_amount_is_next_working_instant(cal: WorkCalendar) -> None:
    assert cal.add_working_time(wib(2026, 3, 2, 9), timedelta(0)) == wib(2026, 3, 2, 9)
    assert cal.add_working_time(wib(2026, 3, 2, 12), timedelta(0)) == wib(2026, 3, 2, 13)
    assert cal.add_working_time(wib(2026, 3, 7, 9), timedelta(0)) == wib(2026, 3, 9, 7, 30)
    assert cal.next_working_instant(wib(2026, 3, 2, 7, 30)) == wib(2026, 3, 2, 7, 30)
    assert cal.next_working_instant(wib(2026, 3, 2, 16)) == wib(2026, 3, 3, 7, 30)
    assert cal.next_working_instant(wib(2026, 3, 17, 16)) == wib(2026, 3, 25, 7, 30)
    # Across a year boundary: 31 Dec 2025 evening -> 2 Jan 2026 (1 Jan is a holiday).
    assert cal.next_working_instant(wib(2025, 12, 31, 17)) == wib(2026, 1, 2, 7, 30)


def test_add_across_year_boundary(cal: WorkCalendar) -> None:
    assert cal.add_working_time(wib(2025, 12, 31, 15), 2 * H) == wib(2026, 1, 2, 8, 30)


def test_negative_amount_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_time(wib(2026, 3, 2, 9), -H)


def test_naive_datetime_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        cal.add_working_time(datetime(2026, 3, 2, 9), H)
    with pytest.raises(ValueError, match="aware"):
        cal.working_time_between(datetime(2026, 3, 2, 9), wib(2026, 3, 3))


def test_week_totals() -> None:
    assert WeekSchedule.default().weekly_minutes() == 37 * 60 + 30
    assert WeekSchedule.ramadan().weekly_minutes() == 32 * 60 + 30


# -- time zones -----------------------------------------------------------------------------


def test_utc_input_gives_result_in_office_tz(cal: WorkCalendar) -> None:
    start = datetime(2026, 3, 17, 8, 0, tzinfo=UTC)  # 15:00 WIB
    due = cal.add_working_time(start, 2 * H)
    assert due == datetime(2026, 3, 25, 1, 30, tzinfo=UTC)
    assert due.tzinfo == WIB
    assert (due.hour, due.minute) == (8, 30)
    assert cal.working_time_between(start, due) == 2 * H


def test_other_office_tz() -> None:
    # Pontianak is WIB; an office in Makassar (WITA, UTC+8) works 07:30-16:00 its own time.
    wita = WorkCalendar(tz="Asia/Makassar")
    start = datetime(2026, 3, 2, 7, 30, tzinfo=WIB)  # 08:30 WITA
    due = wita.add_working_time(start, H)
    assert due.tzinfo == ZoneInfo("Asia/Makassar")
    assert (due.hour, due.minute) == (9, 30)
    assert wita.periods_on(date(2026, 3, 2))[0][0] == datetime(
        2026, 3, 2, 7, 30, tzinfo=ZoneInfo("Asia/Makassar")
    )


def test_working_time_tells_the_two_instants_of_a_dst_fold_apart() -> None:
    # Working time before an instant is remembered per instant: 02:30 on the night
    # Europe/Berlin falls back (CEST -> CET) happens twice, an hour apart, and the
    # two datetimes compare equal (same tzinfo: Python compares wall times).
    day = date(2026, 10, 25)
    berlin = ZoneInfo("Europe/Berlin")
    night = Override("open", day, day, periods=((time(0, 0), time(6, 0)),))
    cal = WorkCalendar(overrides=[night], tz="Europe/Berlin", national_holidays=False)
    start = datetime(2026, 10, 25, 0, 0, tzinfo=berlin)
    first = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
    second = first.replace(fold=1)
    assert first == second
    for _ in range(2):  # computed, then remembered
        assert cal.working_time_between(start, first) == 2 * H + 30 * M
        assert cal.working_time_between(start, second) == 3 * H + 30 * M
        assert cal.working_time_between(second, start) == -(3 * H + 30 * M)


# -- working_time_between -------------------------------------------------------------------


def test_working_time_between_over_idul_fitri(cal: WorkCalendar) -> None:
    assert cal.working_time_between(wib(2026, 3, 17, 15), wib(2026, 3, 25, 8, 30)) == 2 * H
    # Whole Tuesday 17th + whole Wednesday 25th, nothing in between.
    full = cal.working_time_between(wib(2026, 3, 17), wib(2026, 3, 26))
    assert full == timedelta(minutes=2 * 450)
    assert cal.working_time_between(wib(2026, 3, 26), wib(2026, 3, 17)) == -full
    assert cal.working_time_between(wib(2026, 3, 18), wib(2026, 3, 25)) == timedelta(0)


def test_working_time_between_half_open(cal: WorkCalendar) -> None:
    assert cal.working_time_between(wib(2026, 3, 2, 11), wib(2026, 3, 2, 14)) == 2 * H
    assert cal.working_time_between(wib(2026, 3, 2, 9), wib(2026, 3, 2, 9)) == timedelta(0)


def test_working_time_over_two_years_round_trips(cal: WorkCalendar) -> None:
    # Speed is measured in the benchmark, not here.
    a, b = wib(2024, 3, 1, 9), wib(2026, 3, 1, 9)
    span = cal.working_time_between(a, b)
    # b is a Sunday: the span runs out at the close of the Friday before.
    assert cal.add_working_time(a, span) == wib(2026, 2, 27, 16, 30)


# -- overrides ------------------------------------------------------------------------------


def test_closure_moves_due_date() -> None:
    base = WorkCalendar()
    closed = WorkCalendar(
        overrides=[Override("closed", date(2026, 3, 3), date(2026, 3, 3), "Rapat")]
    )
    start = wib(2026, 3, 2, 15, 30)
    assert base.add_working_time(start, H) == wib(2026, 3, 3, 8)
    assert closed.add_working_time(start, H) == wib(2026, 3, 4, 8)
    assert not closed.is_working_day(date(2026, 3, 3))
    assert closed.days(date(2026, 3, 3), date(2026, 3, 3))[0].reason == "Rapat"


def test_open_saturday_counts() -> None:
    sat = date(2026, 3, 7)
    cal = WorkCalendar(overrides=[Override("open", sat, sat, "Pelayanan Sabtu")])
    assert cal.is_working_day(sat)
    # Default periods are the Monday periods of the schedule in force.
    assert cal.periods_on(sat) == [
        (wib(2026, 3, 7, 7, 30), wib(2026, 3, 7, 12)),
        (wib(2026, 3, 7, 13), wib(2026, 3, 7, 16)),
    ]
    assert cal.add_working_time(wib(2026, 3, 6, 16, 30), H) == wib(2026, 3, 7, 8, 30)
    info = cal.days(sat, sat)[0]
    assert info == DayInfo(sat, True, "Pelayanan Sabtu", WeekSchedule.default().days[0])


def test_open_with_own_periods_and_latest_wins() -> None:
    sat = date(2026, 3, 7)
    cal = WorkCalendar(
        overrides=[
            Override("open", sat, sat),
            Override("open", sat, sat, periods=((time(8), time(12)),)),
        ]
    )
    assert cal.add_working_time(wib(2026, 3, 6, 16, 30), H) == wib(2026, 3, 7, 9)
    assert cal.add_working_time(wib(2026, 3, 7, 11), 2 * H) == wib(2026, 3, 9, 8, 30)


def test_open_un_closes_a_holiday_and_closed_beats_open() -> None:
    ny = date(2026, 1, 1)
    opened = WorkCalendar(overrides=[Override("open", ny, ny, "Piket")])
    assert opened.is_working_day(ny)
    both = WorkCalendar(
        overrides=[
            Override("closed", ny, ny),
            Override("open", date(2025, 12, 29), date(2026, 1, 3)),
        ]
    )
    assert not both.is_working_day(ny)
    assert both.days(ny, ny)[0].reason == "Kantor tutup"
    assert both.is_working_day(date(2026, 1, 3))  # the open range covers a Saturday


def test_ramadan_range_uses_its_schedule() -> None:
    cal = WorkCalendar(overrides=[RAMADAN_2026])
    # Monday 2 March 2026 in Ramadan: 08:00-12:00, 12:30-15:00.
    assert cal.add_working_time(wib(2026, 3, 2, 7, 30), H) == wib(2026, 3, 2, 9)
    assert cal.add_working_time(wib(2026, 3, 2, 11, 30), H) == wib(2026, 3, 2, 13)
    assert cal.add_working_time(wib(2026, 3, 2, 14, 30), H) == wib(2026, 3, 3, 8, 30)
    # Friday in Ramadan: 08:00-11:30, 12:30-15:30.
    assert cal.add_working_time(wib(2026, 3, 6, 11), H) == wib(2026, 3, 6, 13)
    # Outside the range the normal schedule applies again.
    assert cal.add_working_time(wib(2026, 3, 25, 7, 30), H) == wib(2026, 3, 25, 8, 30)
    # A holiday inside the range still wins over the Ramadan schedule.
    assert not cal.is_working_day(date(2026, 3, 19))
    # An open Saturday inside Ramadan takes the Ramadan Monday periods.
    sat = date(2026, 3, 7)
    both = WorkCalendar(overrides=[RAMADAN_2026, Override("open", sat, sat)])
    assert both.periods_on(sat)[0] == (wib(2026, 3, 7, 8), wib(2026, 3, 7, 12))
    info = cal.days(date(2026, 3, 2), date(2026, 3, 2))[0]
    assert info.reason == "Ramadan" and info.working


def test_override_validation() -> None:
    with pytest.raises(ValueError, match="needs a WeekSchedule"):
        Override("schedule", date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(ValueError, match="before it starts"):
        Override("closed", date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ValueError, match="no periods"):
        Override("closed", date(2026, 3, 1), date(2026, 3, 1), periods=((time(8), time(9)),))
    with pytest.raises(ValueError, match="kind"):
        Override("holiday", date(2026, 3, 1), date(2026, 3, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="overlaps"):
        Override(
            "open",
            date(2026, 3, 1),
            date(2026, 3, 1),
            periods=((time(8), time(10)), (time(9), time(11))),
        )


def test_national_holidays_off() -> None:
    cal = WorkCalendar(national_holidays=False)
    assert cal.holiday_name(date(2026, 3, 19)) is None
    assert cal.is_working_day(date(2026, 3, 19))
    assert cal.add_working_time(wib(2026, 3, 17, 15), 2 * H) == wib(2026, 3, 18, 8, 30)


# -- days() ---------------------------------------------------------------------------------


def test_days_reasons(cal: WorkCalendar) -> None:
    infos = {i.day.day: i for i in cal.days(date(2026, 3, 13), date(2026, 3, 26))}
    assert len(infos) == 14
    assert infos[13] == DayInfo(date(2026, 3, 13), True, "", WeekSchedule.default().days[4])
    assert (infos[14].working, infos[14].reason) == (False, "Sabtu")
    assert (infos[15].working, infos[15].reason) == (False, "Minggu")
    assert infos[17].reason == "" and infos[17].working
    assert infos[18].reason == "Cuti Bersama Hari Suci Nyepi"
    assert infos[19].reason == "Hari Suci Nyepi"
    assert infos[21].reason == "Hari Raya Idul Fitri"  # holiday name beats "Sabtu"
    assert all(not infos[d].working and infos[d].periods == () for d in range(18, 25))
    assert infos[25].working
    assert cal.days(date(2026, 3, 2), date(2026, 3, 1)) == []


# -- format_duration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "id_text", "en_text"),
    [
        (timedelta(0), "0m", "0m"),
        (timedelta(seconds=59), "0m", "0m"),
        (timedelta(minutes=45), "45m", "45m"),
        (timedelta(hours=1), "1j", "1h"),
        (timedelta(hours=1, minutes=20), "1j 20m", "1h 20m"),
        (timedelta(minutes=449), "7j 29m", "7h 29m"),
        (timedelta(minutes=450), "1 hari", "1 day"),
        (timedelta(minutes=900), "2 hari", "2 days"),
        (timedelta(minutes=900 + 180), "2 hari 3j", "2 days 3h"),
        (timedelta(minutes=900 + 185), "2 hari 3j", "2 days 3h"),  # minutes dropped once days
        (timedelta(minutes=900 + 5), "2 hari", "2 days"),
        (-timedelta(hours=1, minutes=20), "1j 20m", "1h 20m"),  # absolute value
        (-timedelta(minutes=450 * 3), "3 hari", "3 days"),
    ],
)
def test_format_duration(delta: timedelta, id_text: str, en_text: str) -> None:
    assert format_duration(delta) == id_text
    assert format_duration(delta, "id") == id_text
    assert format_duration(delta, "en") == en_text


def test_format_duration_options() -> None:
    assert format_duration(timedelta(minutes=390), working_day_minutes=390) == "1 hari"
    assert format_duration(timedelta(hours=2), "en_US") == "2h"
    with pytest.raises(ValueError):
        format_duration(timedelta(hours=1), "fr")
    with pytest.raises(ValueError):
        format_duration(timedelta(hours=1), working_day_minutes=0)


# -- WeekSchedule JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [WeekSchedule.default(), WeekSchedule.ramadan()])
def test_week_schedule_json_round_trip(schedule: WeekSchedule) -> None:
    data = schedule.to_json()
    assert list(data) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert WeekSchedule.from_json(data) == schedule


def test_week_schedule_json_shape() -> None:
    data = WeekSchedule.default().to_json()
    assert data["mon"] == [["07:30", "12:00"], ["13:00", "16:00"]]
    assert data["fri"] == [["07:30", "11:30"], ["13:00", "16:30"]]
    assert data["sat"] == [] and data["sun"] == []
    # Missing days are non-working; lists are normalised to hashable tuples.
    sched = WeekSchedule.from_json({"mon": [["8:00", "12:00"]]})
    assert sched.days[0] == ((time(8), time(12)),) and sched.days[1:] == ((),) * 6
    assert hash(WeekSchedule([[(time(8), time(9))]] + [[]] * 6))  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mon": [["7.30", "12:00"]]}, "HH:MM"),
        ({"mon": [["25:00", "26:00"]]}, "not a valid time"),
        ({"mon": [["07:30", "07:60"]]}, "not a valid time"),
        ({"mon": [["12:00", "07:30"]]}, "start before it ends"),
        ({"mon": [["12:00", "12:00"]]}, "start before it ends"),
        ({"tue": [["13:00", "16:00"], ["07:30", "12:00"]]}, "sorted"),
        ({"wed": [["07:30", "12:00"], ["11:00", "16:00"]]}, "overlaps"),
        ({"thur": [["07:30", "12:00"]]}, "unknown day"),
        ({"fri": "07:30-16:00"}, "list"),
        ({"fri": [["07:30", "12:00", "13:00"]]}, "pair"),
        ({"fri": [[730, 1200]]}, "time string"),
        (["mon"], "object"),
    ],
)
def test_week_schedule_json_validation(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeekSchedule.from_json(data)  # type: ignore[arg-type]


def test_week_schedule_constructor_validation() -> None:
    with pytest.raises(ValueError, match="7 days"):
        WeekSchedule(((),) * 6)
    with pytest.raises(ValueError, match="whole minutes"):
        WeekSchedule((((time(8, 0, 30), time(9)),),) + ((),) * 6)


# -- properties -----------------------------------------------------------------------------

# One calendar with every kind of override, so the properties also cross closures, open days,
# a Ramadan range, holidays and year ends. Module-level: caches are built once, not per example.
PROP_CAL = WorkCalendar(
    overrides=[
        RAMADAN_2026,
        Override("closed", date(2026, 4, 6), date(2026, 4, 8), "Renovasi"),
        Override("open", date(2026, 4, 11), date(2026, 4, 11), "Sabtu kerja"),
        Override("open", date(2025, 12, 25), date(2025, 12, 25), periods=((time(9), time(11)),)),
    ]
)
_T0 = datetime(2025, 6, 1, tzinfo=UTC)
instants = st.integers(0, 3 * 365 * 24 * 3600).map(lambda s: _T0 + timedelta(seconds=s))
amounts = st.integers(0, 400 * 3600).map(lambda s: timedelta(seconds=s))
positive = st.integers(1, 400 * 3600).map(lambda s: timedelta(seconds=s))


@settings(deadline=None)
@given(instants, amounts)
def test_prop_between_inverts_add(at: datetime, amount: timedelta) -> None:
    start = PROP_CAL.next_working_instant(at)
    end = PROP_CAL.add_working_time(start, amount)
    assert PROP_CAL.working_time_between(start, end) == amount
    # Holds from a non-working start too: the gap before the first period counts nothing.
    assert PROP_CAL.working_time_between(at, PROP_CAL.add_working_time(at, amount)) == amount


@settings(deadline=None)
@given(instants, amounts, amounts)
def test_prop_monotone(at: datetime, a: timedelta, b: timedelta) -> None:
    lo, hi = sorted((a, b))
    assert PROP_CAL.add_working_time(at, lo) <= PROP_CAL.add_working_time(at, hi)


@settings(deadline=None)
@given(instants, amounts, positive)
def test_prop_additive(at: datetime, a: timedelta, b: timedelta) -> None:
    # b > 0: with b == 0 the outer call would move a period-end result (12:00) on to the next
    # working instant (13:00) by design, so additivity is only claimed for positive steps.
    step = PROP_CAL.add_working_time(PROP_CAL.add_working_time(at, a), b)
    assert step == PROP_CAL.add_working_time(at, a + b)


@settings(deadline=None)
@given(instants, instants)
def test_prop_between_antisymmetric_and_bounded(a: datetime, b: datetime) -> None:
    d = PROP_CAL.working_time_between(a, b)
    assert PROP_CAL.working_time_between(b, a) == -d
    assert abs(d) <= abs(b - a)


@settings(deadline=None)
@given(instants)
def test_prop_next_working_instant_is_working(at: datetime) -> None:
    nxt = PROP_CAL.next_working_instant(at)
    assert nxt >= at
    local = nxt.astimezone(WIB)
    assert any(s <= local < e for s, e in PROP_CAL.periods_on(local.date()))
    # Nothing worked between `at` and the instant found.
    assert PROP_CAL.working_time_between(at, nxt) == timedelta(0)
