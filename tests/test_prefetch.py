"""Parallel start-up: the first inbox page read by a forked helper reaches
the app, and a refusal there ends the app with its one-line message."""

from __future__ import annotations

import asyncio

import pytest

from soptui.app import SoptuiApp
from soptui.errors import IdentityError, InputError, SoptuiError
from soptui.prefetch import LazyServices, Prefetch, read_first_page


def test_result_and_errors_cross_the_fork():
    assert Prefetch(lambda: {"rows": [1, 2]}).result() == {"rows": [1, 2]}

    def refused() -> None:
        raise IdentityError("err.not_registered", login="budi")

    with pytest.raises(IdentityError) as err:
        Prefetch(refused).result()
    assert "budi" in err.value.message() and err.value.exit_code == 1

    def broken() -> None:
        raise OSError("disk on fire")

    with pytest.raises(InputError) as err:
        Prefetch(broken).result()
    assert "disk on fire" in err.value.message()


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_app_shows_the_prefetched_page_then_uses_the_services(office):
    case_id = office.start("NARSUM-PERMINTAAN", title="Dari helper", by=office.teknis)
    office.svc.mark_demo()  # so that the helper may open it as "teknis"
    url = office.svc.db.url
    calls: list[str] = []

    def first_page():  # what run_tui's helper does, in the child
        return read_first_page(office.svc, "teknis", 200)

    class CountingServices(LazyServices):
        def __getattr__(self, name: str):
            calls.append(name)
            return super().__getattr__(name)

    app = SoptuiApp(CountingServices(url), None, pending=Prefetch(first_page))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.02)
                if app.actor is not None and getattr(app.screen, "rows", None):
                    break
            assert app.actor is not None and app.actor.login == "teknis"
            assert [r.id for r in app.screen.rows] == [case_id]
            # the rows came from the helper: this process had not queried yet
            assert "cases" not in seen_when_shown

    seen_when_shown: list[str] = []
    original = SoptuiApp._page_arrived

    def arrived(self, page):  # type: ignore[no-untyped-def]
        seen_when_shown.extend(calls)
        original(self, page)

    SoptuiApp._page_arrived = arrived  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        SoptuiApp._page_arrived = original  # type: ignore[method-assign]


@pytest.mark.parametrize("office_url", ["sqlite"], indirect=True)
def test_refusal_in_the_helper_ends_the_app_with_its_message(office):
    office.svc.mark_demo()

    def first_page():
        return read_first_page(office.svc, "tidak-ada", 200)

    app = SoptuiApp(LazyServices(office.svc.db.url), None, pending=Prefetch(first_page))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.02)
                if app.startup_error is not None:
                    break

    asyncio.run(run())
    assert isinstance(app.startup_error, SoptuiError)
    assert "tidak-ada" in app.startup_error.message()
