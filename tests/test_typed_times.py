"""Dates and times as clerks type them (the registry's forms and CLI)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from soptui.errors import InputError
from soptui.narasumber import parse_range, split_nip_nik
from soptui.validate import has_time, parse_datetime

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-03 08:30",
        "3-12-2026 08:30",
        "03/12/2026 08.30",
        "3 Des 2026 pukul 08.30",
        "3 Desember 2026 jam 8:30",
    ],
)
def test_indonesian_time_forms_read_the_same(typed: str) -> None:
    assert parse_datetime(typed) == datetime(2026, 12, 3, 8, 30, tzinfo=WIB)


def test_dotted_date_is_not_taken_for_a_time() -> None:
    assert parse_datetime("03.12.2026 10:00") == datetime(2026, 12, 3, 10, 0, tzinfo=WIB)
    assert not has_time("03.12.2026")
    assert has_time("03.12.2026 10.00")


def test_end_given_as_a_date_alone_is_the_end_of_that_day() -> None:
    start, end = parse_range("3-12-2026", "4-12-2026")
    assert (end - start).days == 2
    start, end = parse_range("3-12-2026 08.00", "3-12-2026 12.00")
    assert (end - start).seconds == 4 * 3600


@pytest.mark.parametrize("typed", ["3 Des 2026 25.00", "besok pagi", "3-12-2026 08.00 lewat"])
def test_unreadable_times_are_refused_with_a_message(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_datetime(typed)
    assert typed in caught.value.message()


def test_a_sixteen_digit_number_is_a_nik_else_a_nip() -> None:
    assert split_nip_nik("6171 0123 4567 8901") == (None, "6171 0123 4567 8901")
    assert split_nip_nik("198001012005011001") == ("198001012005011001", None)
    assert split_nip_nik(None) == (None, None)
