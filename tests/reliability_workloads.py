"""Clerk processes for the reliability tests (module level, so that
multiprocessing can run them). Each returns its counts through a queue."""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

from soptui.errors import RuleError, SoptuiError
from soptui.service import Soptui


@dataclass
class Tally:
    committed: int = 0
    refused: int = 0
    errors: int = 0


def widen_race_window(seconds: float = 0.002) -> None:
    """A short pause inside every writing transaction, just before the UPDATE
    is sent: the window in which an unsafe setup loses updates."""
    event.listen(Session, "before_flush", lambda *_: time.sleep(seconds))


def toggle_clerk(url: str, case_id: int, actions: int, unsafe: bool, out: mp.Queue) -> None:
    """Pause or resume one busy case, deciding from what was just read."""
    widen_race_window()
    svc = Soptui(url, unsafe=unsafe)
    admin = svc.users.actor("admin")
    tally = Tally()
    for i in range(actions):
        try:
            row = svc.cases.detail(case_id).row
            if row.status == "open":
                svc.cases.pause(admin, case_id, note=f"p{i}")
            else:
                svc.cases.resume(admin, case_id)
            tally.committed += 1
        except RuleError:
            tally.refused += 1  # status changed under us: refused, never lost
        except Exception:
            tally.errors += 1
    svc.close()
    out.put(tally)


def crash_clerk(url: str, case_ids: list[int], log_path: str, seed: int) -> None:
    """Act until killed; after each confirmed commit append its note to the
    log (fsynced), so the test knows which actions were confirmed."""
    import os
    import random

    rng = random.Random(seed)
    svc = Soptui(url)
    admin = svc.users.actor("admin")
    with open(log_path, "a", encoding="utf-8") as log:
        for i in range(10**9):
            case_id = rng.choice(case_ids)
            note = f"w{seed}-{i}"
            try:
                if rng.random() < 0.5:
                    svc.cases.add_note(admin, case_id, text=note)
                else:
                    row = svc.cases.detail(case_id).row
                    if row.status != "open":
                        continue
                    if rng.random() < 0.3 and row.step_position and row.step_position > 1:
                        svc.cases.return_for_revision(admin, case_id, note=note)
                    else:
                        svc.cases.complete(admin, case_id, note=note)
            except SoptuiError:
                continue
            log.write(note + "\n")
            log.flush()
            os.fsync(log.fileno())
