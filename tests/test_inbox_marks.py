"""What is new in a clerk's inbox (issue 14 #6), and a clerk's preferences:
per-clerk state behind the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from soptui.errors import InputError


def test_a_case_reaching_my_inbox_after_my_last_look_is_new_until_opened(office) -> None:
    svc, clock = office.svc, office.clock
    kabag = office.kabag
    first = svc.cases.inbox_session(kabag)  # first ever: nothing before it is new
    case_id = office.start("NARSUM-FASILITASI")
    waiting = svc.cases.detail(case_id).row.waiting_role
    clerk = office.holder(waiting)
    clock.advance(minutes=1)
    assert svc.cases.unread(kabag, first) == []  # not in kabag's inbox

    since = svc.cases.inbox_session(clerk)  # their first session: now
    assert svc.cases.unread(clerk, since) == []  # it was there before they looked
    clock.advance(minutes=1)
    later = office.start("NARSUM-FASILITASI", title="Narasumber kedua")
    assert svc.cases.unread(clerk, since) == [later]

    # The next session counts from when this one began: still new until opened.
    clock.advance(hours=1)
    since = svc.cases.inbox_session(clerk)
    assert svc.cases.unread(clerk, since) == [later]
    svc.cases.mark_read(clerk, later)
    assert svc.cases.unread(clerk, since) == []
    assert svc.cases.unread(kabag, since) == []  # one clerk's reads are theirs alone

    # Back in the inbox later (sent on, returned): new again.
    clock.advance(minutes=5)
    svc.cases.complete(clerk, later)
    nxt = office.holder(svc.cases.detail(later).row.waiting_role)
    clock.advance(minutes=5)
    svc.cases.return_for_revision(nxt, later, note="Kurang lengkap")
    assert svc.cases.detail(later).row.waiting_role == waiting  # step 2 returns to step 1
    assert svc.cases.unread(clerk, since) == [later]


def test_preferences_are_the_clerks_own_and_checked(office) -> None:
    users = office.svc.users
    assert users.preference(office.tu, "bell") == "on"
    users.set_preference(office.tu, "bell", "off")
    assert users.preference(office.tu, "bell") == "off"
    assert users.preference(office.karo, "bell") == "on"
    users.set_preference(office.tu, "bell", "on")
    assert users.preference(office.tu, "bell") == "on"
    with pytest.raises(InputError):
        users.set_preference(office.tu, "bell", "loud")
    with pytest.raises(InputError):
        users.preference(office.tu, "theme")
