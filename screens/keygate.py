"""Keys in the order they were typed, each acting where the one before it left
the clerk.

Textual hands a key to the widget that has the focus *when the key arrives*.
Over SSH keys arrive in bursts: `AAA Tab BBB` reaches the app before the first
field has handled `A`, so Textual queued all of it for the first field;
`c` then `catatan cepat` went to the case screen, whose `c` opened the note
dialog only after the rest had been handed to the screen underneath.

The gate lets a key through at once when nothing is in flight. A key that may
move the focus or open or close a screen (anything but a character typed into
a text field) makes the keys after it wait until the app has settled: every
message it caused handled, the new screen mounted, its focus set. Then they go
on, one by one, in the order typed. The app may also hold the keys while it
reads what a screen needs before it opens (`hold`/`release`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

SETTLE_MAX = 1.5  # seconds a key waits at most for the one before it to settle
ROUND_MAX = 0.5  # seconds one round may take (a node busy longer is not waited for)
QUIET_ROUNDS = 2  # rounds in a row with nothing queued anywhere: settled
BYPASS = frozenset({"ctrl+q"})  # leaving is never held


class KeyGate:
    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.held: deque[events.Key] = deque()
        self.busy = False
        self._holds = 0
        self._released: set[int] = set()
        self._settling = False

    # ----- the app's side ---------------------------------------------------------

    @staticmethod
    def expand(event: events.Key) -> list[events.Key]:
        """Escape and a key in one read reach Textual as alt+key ("\\x1bq" is
        alt+q). The app binds no alt key: it is what was typed, escape then q."""
        if event.key.startswith("alt+") and event.character and event.is_printable:
            plain = event.key.removeprefix("alt+")
            return [events.Key("escape", "\x1b"), events.Key(plain, event.character)]
        return [event]

    def admit(self, event: events.Key) -> bool:
        """True: deliver this key now. False: it is held, delivered in turn."""
        if id(event) in self._released:
            self._released.discard(id(event))
            return True
        if event.key in BYPASS:
            return True
        if self.busy or self.held:
            self.held.append(event)
            return False
        return True

    def before(self) -> tuple[object, object]:
        return self.app.screen, self.app.focused

    def delivered(self, event: events.Key, before: tuple[object, object]) -> None:
        """The key was handed on; decide whether the next may follow at once."""
        if event.key in BYPASS and not self.busy:
            return
        screen, focused = before
        typed = (
            event.is_printable
            and isinstance(focused, Input | TextArea)
            and self.app.screen is screen
            and self.app.focused is focused
        )
        if typed and not self._holds:
            # A character into the field that has the focus: the next key may
            # go at once (it queues behind this one in the same field).
            self._next()
            return
        self.busy = True
        self._start_settling()

    def hold(self) -> None:
        """Hold the keys until `release` (e.g. while a case is read to open)."""
        self._holds += 1
        self.busy = True

    def release(self) -> None:
        if self._holds:
            self._holds -= 1
        if not self._holds:
            self._start_settling()

    def _start_settling(self) -> None:
        if not self._settling:  # one at a time: it releases one key when done
            self._settling = True
            self.app.run_worker(self._settle(), group="key-gate", exclusive=False)

    # ----- settling ---------------------------------------------------------------

    def _next(self) -> None:
        if self.held and not self._holds:
            event = self.held.popleft()
            again = events.Key(event.key, event.character)
            self._released.add(id(again))
            self.busy = True
            self.app.post_message(again)
        elif not self._holds:
            self.busy = False

    async def _settle(self) -> None:
        deadline = monotonic() + SETTLE_MAX
        quiet = 0
        while monotonic() < deadline:
            if self._holds:
                quiet = 0
                await asyncio.sleep(0.01)
                continue
            nodes = self._nodes()
            await self._round(nodes)
            screen_ready = self.app.screen.is_mounted
            if screen_ready and all(n._message_queue.empty() for n in self._nodes()):
                quiet += 1
                if quiet >= QUIET_ROUNDS:
                    break
            else:
                quiet = 0
        if self._holds and monotonic() >= deadline:
            self._holds = 0  # never hold the keyboard for good
        self._settling = False
        self._next()

    def _nodes(self) -> list[MessagePump]:
        app = self.app
        nodes: list[MessagePump] = [app]
        for screen in app.screen_stack[-2:]:
            nodes.extend(screen.walk_children(with_self=True))
        return nodes

    async def _round(self, nodes: list[MessagePump]) -> None:
        """Wait until every node has handled what it had queued when the round began."""
        pending = 0
        done = asyncio.Event()

        def tick() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        for node in nodes:
            if node.call_later(tick):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), ROUND_MAX)


__all__ = ["KeyGate"]
