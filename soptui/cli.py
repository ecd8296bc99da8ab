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
    # Only the terminal app, init and demo may make a new database; any other
    # command on a SQLite file that is not there is refused (a mistyped --db).
    create: bool = True
    _service: Any = None

    def service(self) -> Any:
        """The services: a connection to the server (the office's, or the
        user's private one for the database, started on demand), opened
        lazily so that --help and typos cost nothing."""
        if self._service is None:
            from soptui.client.remote import Remote
            from soptui.client.spawn import connect

            self._service = Remote(
                connect(self.url(), self.server, as_user=self.requested(), create=self.create)
            )
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


INPUT_FILE_MAX = 1024 * 1024  # an SOP source is ~20 KB; a week schedule far less


def read_input_file(path: str, max_bytes: int = INPUT_FILE_MAX) -> str:
    """The text of a file the clerk names, read bounded: a regular file only
    (a FIFO, /dev/zero or a folder is refused at once, never waited on or read
    forever), at most max_bytes, UTF-8."""
    import errno
    import stat

    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            raise InputError("err.file_missing", path=path) from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise InputError("err.file_denied", path=path) from exc
        if exc.errno == errno.EISDIR:
            raise InputError("err.file_not_regular", path=path) from exc
        raise InputError("err.file_os", path=path, reason=exc.strerror or str(exc)) from exc
    except ValueError as exc:  # a NUL in the path
        raise InputError("err.file_missing", path=path) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("err.file_not_regular", path=path)
        if info.st_size > max_bytes:
            raise InputError("err.file_too_big", path=path, max=_size_text(max_bytes))
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError("err.file_os", path=path, reason=exc.strerror or str(exc)) from exc
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:  # it grew while we read
        raise InputError("err.file_too_big", path=path, max=_size_text(max_bytes))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("err.file_encoding", path=path) from exc


def _size_text(size: int) -> str:
    return f"{size // 1024} KiB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MiB"


class WholeNumber(click.ParamType):
    """An id, version, limit or year: a whole number in lo..hi (by default
    what a 64-bit column holds), refused in the interface's language."""

    name = "integer"

    def __init__(self, lo: int = 1, hi: int = 2**63 - 1) -> None:
        self.lo, self.hi = lo, hi

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not (text.isascii() and text.lstrip("+-").isdigit()) or len(text) > 40:
                self.fail(t("err.not_a_number", field=_param_name(param), value=_short(text)))
            number = int(text)
        if not self.lo <= number <= self.hi:
            self.fail(t("err.number_range", field=_param_name(param), lo=self.lo, hi=self.hi))
        return number


ID = WholeNumber()


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return ""
    if param.param_type_name == "argument":
        return (param.name or "").upper()
    return param.opts[0] if param.opts else (param.name or "")


def _short(text: str) -> str:
    from soptui.errors import shown

    return str(shown(text if len(text) <= 40 else text[:39] + "…"))


pass_options = click.make_pass_decorator(Options)


def fail(error: SoptuiError) -> NoReturn:
    say(error.message())
    sys.exit(error.exit_code)


def say(message: str) -> None:
    """An error on stderr: one printable line, whatever it quotes (a catalog
    error's file text, a driver's multi-line message, click echoing an
    undecodable option name)."""
    from soptui.errors import shown

    text = message if message.isprintable() else " ".join(message.split())
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else str(shown(ch)) for ch in text)
    click.echo(f"soptui: {text}", err=True)


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
    ctx.obj.create = ctx.invoked_subcommand in (None, "init", "demo", "serve")
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj)


def run_tui(opts: Options) -> None:
    """Open the terminal app. Connecting (and starting a private server when
    none runs), the demo on an empty demo database, and the first inbox page
    happen in a thread while this one imports Textual."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # ssh -T, a pipe, cron: one line instead of a screen nobody sees.
        raise InputError("err.no_terminal")
    from soptui.client.startup import Startup

    requested = opts.requested()
    if opts.demo and not requested:
        from soptui.identity import DEFAULT_DEMO_LOGIN

        requested = DEFAULT_DEMO_LOGIN
    # From here on a lost terminal ends this process (see soptui.lifeline).
    from soptui.lifeline import Lifeline

    lifeline = Lifeline().start()
    startup = Startup(opts.url(), opts.server, requested, demo=opts.demo, limit=INBOX_LIMIT)
    startup.begin()
    from soptui.app import run_app  # Textual loads while the thread reads

    remote, page = startup.result()
    try:
        run_app(
            remote,
            page.actor,
            mouse=not opts.no_mouse,
            theme=opts.theme,
            first_page=page,
            lifeline=lifeline,
        )
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
    except (RecursionError, MemoryError) as exc:
        # Input nested or sized past what the parsers take (a TOML of 100,000
        # nested arrays): refused, nothing written.
        fail(InputError("err.too_deep", path="-") if isinstance(exc, RecursionError)
             else InputError("err.file_too_big", path="-", max="?"))  # fmt: skip
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        say(t("err.aborted"))
        sys.exit(1)
    except click.UsageError as exc:
        say(usage_message(exc))
        sys.exit(2)
    except click.ClickException as exc:
        say(exc.format_message())
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
        name = _param_name(exc.param)
        if exc.param is not None and isinstance(exc.param.type, click.Choice):
            choices = ", ".join(str(c) for c in exc.param.type.choices)
            return t("err.bad_choice", field=name, choices=choices)
        if exc.param is not None and isinstance(exc.param.type, WholeNumber):
            return exc.message  # already names the parameter, translated
        return t("err.bad_param", param=name, detail=exc.message)
    if exc.message.startswith("No such command"):
        return t(
            "err.no_such_command", detail=exc.message.split("'")[1] if "'" in exc.message else ""
        )
    return " ".join(exc.format_message().split())
