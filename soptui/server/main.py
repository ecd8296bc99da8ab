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
    key_path: Path | None = None,
    head_log: Path | None = None,
    syslog: bool = False,
) -> int:
    """Serve until stopped (SIGTERM, SIGINT, SIGHUP, `soptui server stop`, or
    a private server's linger running out). Returns the exit code."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s soptui-serve[%(process)d] %(levelname)s %(message)s",
    )
    from soptui.audit.headlog import HeadLog
    from soptui.audit.keys import load_or_create_key

    data = server_data_dir()
    key = load_or_create_key(key_path or data / "audit.key")
    svc = open_office(url, admin=admin, create=create, audit_key=key)
    heads = HeadLog(head_log or data / "audit-head.log", use_syslog=syslog)
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
    server.before_close.append(lambda: heads.record(svc, force=True))
    recorder = threading.Thread(
        target=_record_heads, args=(server, heads), daemon=True, name="soptui-heads"
    )
    recorder.start()
    try:
        server.serve_forever()
    finally:
        server.stopping.set()
        recorder.join(timeout=5)
    log.info("stopped")
    return 0


HEAD_EVERY = 60.0  # seconds between head-log lines (only when the head moved)


def server_data_dir() -> Path:
    """The server account's own folder: the audit key and the head log."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("soptui", appauthor=False))


def _record_heads(server: Server, heads: object) -> None:
    """The chain head to the log outside the database: now, every minute in
    which anything was written, and at shutdown."""
    record = heads.record  # type: ignore[attr-defined]
    svc = server.svc
    try:
        record(svc, force=True)
        seen = server.feed.token
        while not server.stopping.wait(HEAD_EVERY):
            # The change feed knows the head without a query: an idle office
            # costs the database nothing.
            if server.feed.token != seen:
                seen = server.feed.token
                record(svc)
    except Exception:  # the log must not take the server down
        log.exception("head log")
