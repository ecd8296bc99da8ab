"""`soptui server status|stop` (the server itself: soptui/server/command.py)."""

from __future__ import annotations

import click

from soptui.cli import Options, emit, format_option, pass_options
from soptui.i18n import t


@click.group()
def server() -> None:
    """Your private server (or the one given with --server)."""


def _connect(opts: Options) -> object:
    from soptui.client.remote import Remote
    from soptui.client.spawn import connect

    return Remote(connect(opts.url(), opts.server, start=False))


@server.command("status")
@format_option
@pass_options
def server_status(opts: Options, fmt: str) -> None:
    from soptui.formatting import render

    status = _connect(opts).server.status()  # type: ignore[attr-defined]
    record = {
        "version": status.version,
        "pid": status.pid,
        "private": status.private,
        "database": status.database,
        "clients": status.clients - 1,  # less this one
        "uptime_s": status.uptime_s,
        "linger_s": status.linger_s,
    }
    if fmt == "json":
        emit(render([], [], fmt, json_records=record))
        return
    emit(t("ok.server_status", **record))


@server.command("stop")
@pass_options
def server_stop(opts: Options) -> None:
    _connect(opts).server.stop()  # type: ignore[attr-defined]
    emit(t("ok.server_stopped"))
