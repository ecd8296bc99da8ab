"""Running the server in the foreground: logging, signals, the first bind."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from soptui.server.serve import Server, open_office

log = logging.getLogger("soptui.server")


def run_server(
    url: str,
    socket_path: Path,
    *,
    private: bool = False,
    linger: float | None = None,
    admin: str | None = None,
    group: str | None = None,
    create: bool = True,
) -> int:
    """Serve until stopped (SIGTERM, SIGINT, SIGHUP, `soptui server stop`, or
    a private server's linger running out). Returns the exit code."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s soptui-serve[%(process)d] %(levelname)s %(message)s",
    )
    svc = open_office(url, admin=admin, create=create)
    server = Server(svc, socket_path, private=private, linger=linger, group=group)
    if not server.bind():
        # Another server holds this socket (two clients started one at once):
        # the other one serves; this one was never needed.
        log.info("another server holds %s: leaving", socket_path)
        svc.close()
        return 0

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        server.stop()

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, stop)
    log.info(
        "serving %s on %s (%s)",
        svc.db.engine.url.render_as_string(hide_password=True),
        socket_path,
        "private" if private else "office",
    )
    server.serve_forever()
    log.info("stopped")
    return 0
