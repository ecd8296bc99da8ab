"""The benchmark's generated office is data the engine itself could have
written: invariants hold, the chain verifies, and the engine keeps working on it."""

from __future__ import annotations

import sys
from pathlib import Path

from invariants import check_invariants

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from generate import generate

from soptui.service import Soptui


def test_generated_office_is_consistent(db_url):
    counts = generate(db_url, 300, 7, quiet=True)
    assert counts["cases"] == 300 and counts["events"] > 2000
    svc = Soptui(db_url)
    assert check_invariants(svc) == []
    views = svc.cases.counts(None)
    assert views["closed"] > views["all"] > views["paused"] > 0
    admin = svc.users.actor("admin")
    case_id = svc.cases.start(admin, "NARSUM-PERMINTAAN", title="after the bulk load")
    svc.cases.complete(admin, case_id)  # ids and the audit chain carry on
    assert check_invariants(svc) == []
    svc.close()
