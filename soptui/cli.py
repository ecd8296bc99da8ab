"""Command line: the same operations as the terminal app, for scripting.

Exit codes: 0 done; 1 refused by the rules (not your role, stale, invalid
transition, conflict, busy); 2 bad usage or input. Errors are one line on
stderr, never a traceback, and nothing is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from soptui.errors import InputError, SoptuiError
from soptui.i18n import set_language, t

FORMAT_HELP = "json, csv or any tabulate format (simple, github, grid, plain, ...)"


@dataclass
class Options:
    db_url: str | None
    user: str | None
    demo: bool
    no_mouse: bool
    theme: str | None
    server: str | None = None
    _service: Any = None

    def service(self) -> Any:
        """The services: a connection to the server (the office's, or the
        user's private one for the database, started on demand), opened
        lazily so that --help and typos cost nothing."""
        if self._service is None:
            from soptui.client.remote import Remote
            from soptui.client.spawn import connect

            self._service = Remote(connect(self.url(), self.server, as_user=self.requested()))
        return self._service

    def requested(self) -> str | None:
        """The login asked for with --user / SOPTUI_USER: a request the
        server honours on a demo database or for an admin only."""
        return self.user or os.environ.get("SOPTUI_USER") or None

    def url(self) -> str:
        if self.db_url:
            return self.db_url
        if self.demo:
            return str(data_dir() / "demo.sqlite")
        return os.environ.get("SOPTUI_DB") or str(data_dir() / "soptui.sqlite")

    def ready(self) -> Any:
        return self.service()

    def actor(self) -> Any:
        """Who the server says is asking (raises why not)."""
        return self.service().actor


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("soptui", appauthor=False))


pass_options = click.make_pass_decorator(Options)


def fail(error: SoptuiError) -> NoReturn:
    click.echo(f"soptui: {error.message()}", err=True)
    sys.exit(error.exit_code)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", default="simple", show_default=True, help=FORMAT_HELP)(f)


def emit(text: str) -> None:
    click.echo(text)


def parse_date_opt(value: str | None) -> date | None:
    from soptui.validate import parse_date

    return parse_date(value) if value else None


class LazyGroup(click.Group):
    """A group whose big subcommand groups are imported only when called, so
    opening the terminal app does not load the letter and report code
    (the lazy-loading pattern from click's documentation)."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_subcommands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(
    cls=LazyGroup,
    # Every command group lives in its own module, imported when called: opening
    # the terminal app parses the global options only.
    lazy_subcommands={
        "audit": "soptui.cli_admin:audit",
        "serve": "soptui.server.command:serve",
        "server": "soptui.cli_server:server",
        "calendar": "soptui.cli_office:calendar",
        "case": "soptui.cli_office:case",
        "letter": "soptui.cli_letters:letter",
        "narasumber": "soptui.cli_narasumber:narasumber",
        "report": "soptui.cli_reports:report",
        "sop": "soptui.cli_office:sop",
        "user": "soptui.cli_admin:user",
    },
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db", "db_url", metavar="URL", help="SQLite path/URL or PostgreSQL URL (env SOPTUI_DB)."
)
@click.option(
    "--user", metavar="LOGIN", help="Act as LOGIN (demo database or admin only; env SOPTUI_USER)."
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default=None,
    help="Interface language (env SOPTUI_LANG).",
)
@click.option(
    "--server",
    "server",
    metavar="PATH",
    help="The office server's socket (env SOPTUI_SERVER); default: your private server.",
)
@click.option("--demo", is_flag=True, help="Use the demo database (created on first use).")
@click.option("--no-mouse", is_flag=True, help="Terminal app: ignore the mouse.")
@click.option("--theme", default=None, help="Terminal app theme (e.g. textual-dark, ansi).")
@click.pass_context
def cli(
    ctx: click.Context,
    db_url: str | None,
    user: str | None,
    lang: str | None,
    server: str | None,
    demo: bool,
    no_mouse: bool,
    theme: str | None,
) -> None:
    """soptui: SOP cases and narasumber for Dinas Koperasi, UKM Kalimantan Barat."""
    chosen = lang or os.environ.get("SOPTUI_LANG") or "id"
    if chosen not in ("id", "en"):
        raise InputError("err.bad_language", value=chosen)
    set_language(chosen)
    ctx.obj = Options(
        db_url, user, demo, no_mouse, theme, server or os.environ.get("SOPTUI_SERVER") or None
    )
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj)


def run_tui(opts: Options) -> None:
    """Open the terminal app. Connecting (and starting a private server when
    none runs), the demo on an empty demo database, and the first inbox page
    happen in a thread while this one imports Textual."""
    from soptui.client.startup import Startup

    requested = opts.requested()
    if opts.demo and not requested:
        from soptui.identity import DEFAULT_DEMO_LOGIN

        requested = DEFAULT_DEMO_LOGIN
    startup = Startup(opts.url(), opts.server, requested, demo=opts.demo, limit=INBOX_LIMIT)
    startup.begin()
    from soptui.app import run_app  # Textual loads while the thread reads

    remote, page = startup.result()
    try:
        run_app(remote, page.actor, mouse=not opts.no_mouse, theme=opts.theme, first_page=page)
    finally:
        remote.close()


INBOX_LIMIT = 200


# ----- init / demo / serve ---------------------------------------------------------


@cli.command()
@pass_options
def init(opts: Options) -> None:
    """Create or upgrade the schema; load or refresh the bundled catalog."""
    svc = opts.service()
    count, admin = svc.init()
    emit(t("ok.init", url=svc.server.status().database, sops=count))
    if admin:
        emit(t("ok.init_admin", login=admin))


@cli.command()
@click.option("--force", is_flag=True, help="Replace a demo database's data.")
@pass_options
def demo(opts: Options, force: bool) -> None:
    """Init + a realistic demo relative to today (users for every role, 60+ cases).
    Refused on a database with real records, with or without --force."""
    from soptui.identity import DEFAULT_DEMO_LOGIN

    users, cases = opts.service().demo(force=force)
    emit(t("ok.demo", users=users, cases=cases, url=opts.url(), login=DEFAULT_DEMO_LOGIN))


# ----- entry point ---------------------------------------------------------------------




def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="soptui", standalone_mode=False)
    except SoptuiError as exc:
        fail(exc)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("soptui: " + t("err.aborted"), err=True)
        sys.exit(1)
    except click.UsageError as exc:
        click.echo(f"soptui: {usage_message(exc)}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"soptui: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        # A bug, not the clerk's input: one line, the traceback on request.
        if os.environ.get("SOPTUI_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        click.echo("soptui: " + t("err.unexpected", detail=detail), err=True)
        sys.exit(1)


def usage_message(exc: click.UsageError) -> str:
    """click's usage errors, in the interface language and on one line."""
    if isinstance(exc, click.exceptions.NoSuchOption):
        return t("err.no_such_option", option=exc.option_name)
    if isinstance(exc, click.exceptions.MissingParameter) and exc.param is not None:
        name = exc.param.opts[0] if exc.param.opts else exc.param.name
        if exc.param.param_type_name == "argument":
            name = (exc.param.name or "").upper()
        return t("err.missing_param", param=name)
    if isinstance(exc, click.exceptions.BadParameter):
        name = exc.param.opts[0] if exc.param is not None and exc.param.opts else ""
        return t("err.bad_param", param=name, detail=exc.message)
    if exc.message.startswith("No such command"):
        return t(
            "err.no_such_command", detail=exc.message.split("'")[1] if "'" in exc.message else ""
        )
    return " ".join(exc.format_message().split())
