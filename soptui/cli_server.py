"""`soptui serve` and `soptui server status|stop`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from soptui.cli import Options, emit, format_option, pass_options
from soptui.i18n import t


@click.command()
@click.option(
    "--socket",
    "socket_path",
    metavar="PATH",
    default=None,
    help="Where to listen (the office: /run/soptui/soptui.sock). Default: your private socket.",
)
@click.option("--private", is_flag=True, help="Serve only your own user (what clients start).")
@click.option(
    "--linger", type=float, default=None, help="Leave SECONDS after the last client goes."
)
@click.option("--admin", metavar="LOGIN", default=None, help="First admin of an empty database.")
@click.option("--group", metavar="GROUP", default=None, help="Group that may connect (0660).")
@pass_options
def serve(
    opts: Options,
    socket_path: str | None,
    private: bool,
    linger: float | None,
    admin: str | None,
    group: str | None,
) -> None:
    """The server, in the foreground: alone opens the database (systemd runs this)."""
    from soptui.client.spawn import private_socket
    from soptui.server.main import run_server

    url = opts.url()
    path = Path(socket_path) if socket_path else private_socket(url)
    if linger is not None and not 0 <= linger <= 86400:
        raise click.BadParameter("0..86400", param_hint="--linger")
    sys.exit(
        run_server(
            url, path, private=private or not socket_path, linger=linger, admin=admin, group=group
        )
    )


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
