"""The holiday tables cached on disk give the same days as the package, and a
broken or stale cache file is ignored."""

from __future__ import annotations

import json
from datetime import date

from soptui import workcal


def fresh_cache(tmp_path, monkeypatch) -> workcal._HolidayFileCache:
    monkeypatch.setenv("SOPTUI_CACHE_DIR", str(tmp_path))
    cache = workcal._HolidayFileCache()
    monkeypatch.setattr(workcal, "_HOLIDAY_CACHE", cache)
    return cache


def test_cached_table_equals_the_packages(tmp_path, monkeypatch):
    fresh_cache(tmp_path, monkeypatch)
    computed = workcal.WorkCalendar._load_holidays(2026)
    assert computed[date(2026, 3, 19)]  # Nyepi
    assert workcal._HOLIDAY_CACHE._path().exists()
    reader = fresh_cache(tmp_path, monkeypatch)
    assert reader.get(2026) == computed
    assert reader.get(2031) is None


def test_years_written_by_another_process_are_kept(tmp_path, monkeypatch):
    """The app and its start-up helper fill one file: each keeps the other's years."""
    first = fresh_cache(tmp_path, monkeypatch)
    second = workcal._HolidayFileCache()
    assert first.get(2025) is None and second.get(2026) is None  # both have read the file
    first.put(2025, {date(2025, 8, 17): "Hari Kemerdekaan"})
    second.put(2026, {date(2026, 8, 17): "Hari Kemerdekaan"})
    reader = workcal._HolidayFileCache()
    assert reader.get(2025) == {date(2025, 8, 17): "Hari Kemerdekaan"}
    assert reader.get(2026) == {date(2026, 8, 17): "Hari Kemerdekaan"}


def test_broken_or_stale_cache_is_ignored(tmp_path, monkeypatch):
    file = fresh_cache(tmp_path, monkeypatch)._path()
    file.write_text("{not json")
    fresh_cache(tmp_path, monkeypatch)
    assert workcal.WorkCalendar._load_holidays(2026)[date(2026, 3, 19)]
    stale = {"key": "another package", "years": {"2026": {"2026-03-19": "palsu"}}}
    file.write_text(json.dumps(stale))
    cache = fresh_cache(tmp_path, monkeypatch)
    assert cache.get(2026) is None
    assert workcal.WorkCalendar._load_holidays(2026)[date(2026, 3, 19)] != "palsu"
