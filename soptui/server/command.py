"""`soptui serve`: the server in the foreground (server side: it may import
the services; the CLI loads it only for this command)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from soptui.cli import Options, pass_options


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
@click.option(
    "--audit-key",
    "key_path",
    metavar="FILE",
    default=None,
    help="The audit key (0600; made on first start). Default: in the data folder.",
)
@click.option("--head-log", metavar="FILE", default=None, help="Where the chain head is logged.")
@click.option("--syslog", is_flag=True, help="Also log the chain head to syslog.")
@click.option(
    "--create/--no-create",
    default=True,
    help="Make a SQLite database that does not exist yet (default) or refuse to.",
)
@pass_options
def serve(
    opts: Options,
    socket_path: str | None,
    private: bool,
    linger: float | None,
    admin: str | None,
    group: str | None,
    create: bool,
    key_path: str | None,
    head_log: str | None,
    syslog: bool,
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
            url,
            path,
            private=private or not socket_path,
            linger=linger,
            admin=admin,
            group=group,
            create=create,
            key_path=Path(key_path) if key_path else None,
            head_log=Path(head_log) if head_log else None,
            syslog=syslog,
        )
    )
