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
    _service: Any = None

    def service(self) -> Any:
        """The services, opened lazily (so --help and typos cost no database)."""
        if self._service is None:
            from soptui.service import Soptui

            self._service = Soptui(self.url())
        return self._service

    def url(self) -> str:
        if self.db_url:
            return self.db_url
        if self.demo:
            return str(data_dir() / "demo.sqlite")
        return os.environ.get("SOPTUI_DB") or str(data_dir() / "soptui.sqlite")

    def ready(self) -> Any:
        svc = self.service()
        svc.ensure_ready()
        return svc

    def actor(self) -> Any:
        return self.ready().identify(self.user or os.environ.get("SOPTUI_USER") or None)


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
@click.option("--demo", is_flag=True, help="Use the demo database (created on first use).")
@click.option("--no-mouse", is_flag=True, help="Terminal app: ignore the mouse.")
@click.option("--theme", default=None, help="Terminal app theme (e.g. textual-dark, ansi).")
@click.pass_context
def cli(
    ctx: click.Context,
    db_url: str | None,
    user: str | None,
    lang: str | None,
    demo: bool,
    no_mouse: bool,
    theme: str | None,
) -> None:
    """soptui: SOP cases and narasumber for Dinas Koperasi, UKM Kalimantan Barat."""
    chosen = lang or os.environ.get("SOPTUI_LANG") or "id"
    if chosen not in ("id", "en"):
        raise InputError("err.bad_language", value=chosen)
    set_language(chosen)
    ctx.obj = Options(db_url, user, demo, no_mouse, theme)
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj)


def run_tui(opts: Options) -> None:
    """Open the terminal app. The database work (init or demo when empty, the
    checks, who is at the keyboard, the first inbox page) runs in a forked
    helper while this process loads Textual: see soptui.prefetch."""
    from soptui.prefetch import LazyServices, Prefetch, StartupRead

    url = opts.url()
    requested = opts.user or os.environ.get("SOPTUI_USER") or None
    if opts.demo and not requested:
        from soptui.demo import DEFAULT_DEMO_LOGIN

        requested = DEFAULT_DEMO_LOGIN

    def open_services() -> Any:
        svc = opts.service()
        if opts.demo and svc.is_empty():
            from soptui.demo import build_demo

            build_demo(svc)
        elif svc.is_empty():
            svc.init()
        else:
            svc.ensure_ready()
        return svc

    first_page = StartupRead(url, requested, INBOX_LIMIT, open_services)
    prefetch = Prefetch(first_page, after=first_page.after)
    from soptui.app import run_app  # Textual loads while the helper reads the database

    page = prefetch.result()
    run_app(
        LazyServices(url), page.actor, mouse=not opts.no_mouse, theme=opts.theme, first_page=page
    )


INBOX_LIMIT = 200


# ----- init / demo -------------------------------------------------------------


@cli.command()
@pass_options
def init(opts: Options) -> None:
    """Create or upgrade the schema; load or refresh the bundled catalog."""
    svc = opts.service()
    count, admin = svc.init()
    emit(t("ok.init", url=svc.db.engine.url.render_as_string(hide_password=True), sops=count))
    if admin:
        emit(t("ok.init_admin", login=admin))


@cli.command()
@click.option("--force", is_flag=True, help="Replace a non-empty database.")
@pass_options
def demo(opts: Options, force: bool) -> None:
    """Init + a realistic demo relative to today (users for every role, 60+ cases)."""
    from soptui.demo import DEFAULT_DEMO_LOGIN, build_demo

    svc = opts.service()
    if not svc.is_empty():
        if not force:
            raise click.exceptions.Exit(_refuse_demo())
        svc = wipe(opts)
    users, cases = build_demo(svc)
    emit(t("ok.demo", users=users, cases=cases, url=opts.url(), login=DEFAULT_DEMO_LOGIN))


def _refuse_demo() -> int:
    from soptui.errors import RuleError

    fail(RuleError("err.demo_not_empty"))


def wipe(opts: Options) -> Any:
    """Drop every table (demo --force), then reopen."""
    from sqlalchemy import MetaData

    svc = opts.service()
    meta = MetaData()
    meta.reflect(svc.db.engine)
    meta.drop_all(svc.db.engine)
    svc.close()
    opts._service = None
    return opts.service()


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
