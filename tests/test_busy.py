"""A lock held longer than the busy timeout ends in a clear "busy, try
again" refusal, with nothing written, on both backends."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from soptui.errors import BusyError
from soptui.service import Soptui


def test_held_lock_gives_busy_and_writes_nothing(office, office_url):
    case_id = office.start("NARSUM-PERMINTAAN")
    impatient = Soptui(office_url, clock=office.clock, busy_timeout_ms=300)
    release = threading.Event()
    held = threading.Event()

    def hold_lock() -> None:
        if office_url.startswith("sqlite"):
            conn = sqlite3.connect(office_url.removeprefix("sqlite:///"), isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(10)
            conn.execute("ROLLBACK")
            conn.close()
        else:
            engine = create_engine(office_url)
            with engine.begin() as conn:
                conn.execute(text("SELECT 1 FROM cases WHERE id = :i FOR UPDATE"), {"i": case_id})
                held.set()
                release.wait(10)
            engine.dispose()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(BusyError) as err:
            impatient.cases.complete(office.teknis, case_id)
        assert "sibuk" in err.value.message()
    finally:
        release.set()
        holder.join()
        impatient.close()
    row = office.svc.cases.detail(case_id).row
    assert row.version == 1 and row.step_key == "terima-surat"
