"""The corpus of hostile inputs through the CLI (issue 13, part 2): each must
end in one line on stderr in the interface's language, exit 1 or 2, no
traceback, and nothing written.

An entry is (name, argv). In argv, "{dir}" stands for a folder of prepared
hostile files (see make_files) and "{db}" for the office database's URL; an
entry whose argv starts with "--db" brings its own database.
"""

from __future__ import annotations

import os
from pathlib import Path

HUGE = str(2**70)
INT64_OVER = str(2**63)
INT64_UNDER = str(-(2**63) - 1)
BIG_TEXT = "x" * 100_000
UNDECODABLE = "Perihal \udcff\udcfe"  # what Python makes of bytes 0xff 0xfe in argv
FAR = "9999-12-31"
ANCIENT = "0001-01-01"

ADMIN = ("--user", "admin")
TU = ("--user", "tu")
TEKNIS = ("--user", "teknis")


def _ids() -> list[tuple[str, list[str]]]:
    """Every command that takes an id, with ids no 64-bit column holds."""
    commands = [
        ("case show", [*TEKNIS, "case", "show", "{id}"]),
        ("case complete", [*TEKNIS, "case", "complete", "{id}"]),
        ("case note", [*TEKNIS, "case", "note", "{id}", "--text", "cek"]),
        ("case pause", [*TEKNIS, "case", "pause", "{id}", "--note", "cek"]),
        ("case cancel", [*ADMIN, "case", "cancel", "{id}", "--note", "cek"]),
        ("narasumber show", [*TU, "narasumber", "show", "{id}"]),
        ("narasumber book", [*TU, "narasumber", "book", "{id}", "--from", "2026-12-03 08:00",
                             "--to", "2026-12-03 12:00", "--activity", "Rapat"]),
        ("narasumber edit", [*TU, "narasumber", "edit", "{id}", "--jabatan", "Dosen"]),
        ("narasumber cancel", [*TU, "narasumber", "cancel", "{id}", "--note", "batal"]),
        ("user revoke", [*ADMIN, "user", "revoke", "{id}"]),
    ]  # fmt: skip
    out = []
    for label, argv in commands:
        for tag, value in (("2**70", HUGE), ("2**63", INT64_OVER), ("-2**63-1", INT64_UNDER)):
            out.append((f"{label} {tag}", [a.replace("{id}", value) for a in argv]))
    return out


def _id_options() -> list[tuple[str, list[str]]]:
    return [
        ("case complete --expect-version 2**70",
         [*TEKNIS, "case", "complete", "1", "--expect-version", HUGE]),
        ("case new --from-letter 2**70",
         [*TEKNIS, "case", "new", "NARSUM-PERMINTAAN", "--from-letter", HUGE]),
        ("sop show --version 2**70", ["sop", "show", "NARSUM-PERMINTAAN", "--version", HUGE]),
        ("letter number --case 2**70",
         [*TU, "letter", "number", "--class", "061", "--perihal", "x", "--case", HUGE]),
        ("letter list --case 2**70", ["letter", "list", "--case", HUGE]),
        ("narasumber bookings --person 2**70", ["narasumber", "bookings", "--person", HUGE]),
        ("narasumber bookings --case 2**63", ["narasumber", "bookings", "--case", INT64_OVER]),
        ("narasumber edit --expect-version 2**70",
         [*TU, "narasumber", "edit", "1", "--jabatan", "x", "--expect-version", HUGE]),
        ("letter record --seq 2**70",
         [*TU, "letter", "record", "--class", "061", "--seq", HUGE, "--year", "2026",
          "--number", "061/1", "--perihal", "x"]),
    ]  # fmt: skip


def _limits() -> list[tuple[str, list[str]]]:
    return [
        ("case list --limit 2**70", ["case", "list", "--limit", HUGE]),
        ("case list --limit 2**63", ["case", "list", "--limit", INT64_OVER]),
        ("narasumber list --limit 2**70", ["narasumber", "list", "--limit", HUGE]),
        ("narasumber search --limit 2**70", ["narasumber", "search", "umkm", "--limit", HUGE]),
        ("narasumber available --limit 2**70",
         ["narasumber", "available", "--from", "2026-12-03 08:00", "--to", "2026-12-03 12:00",
          "--limit", HUGE]),
        ("narasumber bookings --limit 2**70", ["narasumber", "bookings", "--limit", HUGE]),
    ]  # fmt: skip


def _dates() -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for command in ("sla", "monitoring", "bottlenecks", "agenda", "narasumber"):
        out.append((f"report {command} 0001..9999",
                    ["report", command, "--from", ANCIENT, "--to", FAR]))  # fmt: skip
    out += [
        ("report sla --to 9999-12-31", ["report", "sla", "--to", FAR]),
        ("report sla --from 0001-01-01", ["report", "sla", "--from", ANCIENT]),
        ("report sla --to 0001-01-01", ["report", "sla", "--to", ANCIENT]),
        ("calendar show 0001..9999", ["calendar", "show", "--from", ANCIENT, "--to", FAR]),
        ("calendar show from 9999-12-31", ["calendar", "show", "--from", FAR]),
        ("calendar show 20 years", ["calendar", "show", "--from", "2020-01-01",
                                    "--to", "2040-01-01"]),
        ("calendar close 9999-12-31", [*ADMIN, "calendar", "close", FAR, "--note", "x"]),
        ("calendar close 0001..9999",
         [*ADMIN, "calendar", "close", ANCIENT, "--until", FAR, "--note", "x"]),
        ("calendar schedule 0001..9999",
         [*ADMIN, "calendar", "schedule", "--from", ANCIENT, "--to", FAR, "--preset", "ramadan",
          "--note", "x"]),
        ("case new --letter-date 9999-12-31",
         [*TEKNIS, "case", "new", "NARSUM-PERMINTAAN", "--title", "x", "--letter-date", FAR]),
        ("case new --letter-date 0001-01-01",
         [*TEKNIS, "case", "new", "NARSUM-PERMINTAAN", "--title", "x", "--letter-date", ANCIENT]),
        ("letter in --date 0001-01-01",
         [*TU, "letter", "in", "--from", "Dinas", "--number", "1", "--perihal", "x",
          "--date", ANCIENT]),
        ("letter in --received 9999-12-31",
         [*TU, "letter", "in", "--from", "Dinas", "--number", "1", "--perihal", "x",
          "--received", FAR]),
        ("user delegate 0001..9999",
         [*ADMIN, "user", "delegate", "sekda", "karo", "--from", ANCIENT, "--to", FAR]),
        ("date of 100 digits", ["report", "sla", "--from", "9" * 100]),
        ("date 17 Maret 99999", ["report", "sla", "--from", "17 Maret 99999"]),
    ]  # fmt: skip
    for semester in ("99999-1", "0-1", "2026-3", "-1", "2026", "1-1-1", "9" * 40 + "-1"):
        out.append((f"report monitoring --semester {semester[:12]}",
                    ["report", "monitoring", "--semester", semester]))  # fmt: skip
    return out


def _datetimes() -> list[tuple[str, list[str]]]:
    def book(start: str, end: str) -> list[str]:
        return [*TU, "narasumber", "book", "1", "--from", start, "--to", end, "--activity", "Rapat"]

    return [
        ("book at 9999-12-31 23:00", book("9999-12-31 23:00", "9999-12-31 23:30")),
        ("book to 9999-12-31", book("9999-12-31 08:00", FAR)),
        ("book at 0001-01-01 00:00", book("0001-01-01 00:00", "0001-01-01 01:00")),
        ("book at 1899-12-31", book("1899-12-31 08:00", "1899-12-31 09:00")),
        ("block at 9999-12-31", [*TU, "narasumber", "block", "1", "--from", "9999-12-31 08:00",
                                 "--to", FAR, "--note", "cuti"]),
        ("available at 9999-12-31", ["narasumber", "available", "--from", "9999-12-31 22:00",
                                     "--to", "9999-12-31 23:59"]),
        ("available at 0001-01-01", ["narasumber", "available", "--from", "0001-01-01 00:00",
                                     "--to", "0001-01-01 02:00"]),
        ("bookings from 0001-01-01", ["narasumber", "bookings", "--from", "0001-01-01 00:00"]),
        ("bookings to 9999-12-31", ["narasumber", "bookings", "--to", FAR]),
        ("book time 25:99", book("2026-12-03 25:99", "2026-12-03 26:00")),
        ("book offset +99:00", book("2026-12-03T08:00+99:00", "2026-12-03 09:00")),
    ]  # fmt: skip


def _texts() -> list[tuple[str, list[str]]]:
    def title(value: str) -> list[str]:
        return [*TEKNIS, "case", "new", "NARSUM-PERMINTAAN", "--title", value]

    return [
        ("title with NUL", title("Perihal\x00")),
        ("title undecodable", title(UNDECODABLE)),
        ("title 100 KB", title(BIG_TEXT)),
        ("title with newline", title("Perihal\nLangkah 3: selesai")),
        ("title with CR", title("Perihal\rTimpa")),
        ("title with ESC", title("Perihal \x1b[31mmerah")),
        ("title with bidi override", title("Perihal \u202etxt.exe")),
        ("title with zero-width", title("Peri\u200bhal")),
        ("title with BOM", title("\ufeffPerihal")),
        ("title with line separator", title("Perihal\u2028lain")),
        ("requester undecodable",
         [*TEKNIS, "case", "new", "NARSUM-PERMINTAAN", "--title", "x", "--requester",
          UNDECODABLE]),
        ("note undecodable", [*TEKNIS, "case", "note", "1", "--text", UNDECODABLE]),
        ("note 100 KB", [*TEKNIS, "case", "note", "1", "--text", BIG_TEXT]),
        ("note with ESC", [*TEKNIS, "case", "note", "1", "--text", "cek \x1b]0;judul\x07"]),
        ("case list --search 100 KB", ["case", "list", "--search", BIG_TEXT]),
        ("case list --search NUL", ["case", "list", "--search", "a\x00b"]),
        ("case list --search undecodable", ["case", "list", "--search", UNDECODABLE]),
        ("case list --sop 100 KB", ["case", "list", "--sop", BIG_TEXT]),
        ("case list --role 100 KB", ["case", "list", "--role", BIG_TEXT]),
        ("sop show 100 KB code", ["sop", "show", BIG_TEXT]),
        ("sop show undecodable code", ["sop", "show", UNDECODABLE]),
        ("narasumber search 100 KB", ["narasumber", "search", BIG_TEXT]),
        ("narasumber search undecodable", ["narasumber", "search", UNDECODABLE]),
        ("narasumber list --topic 100 KB", ["narasumber", "list", "--topic", BIG_TEXT]),
        ("narasumber available --topic 100 KB",
         ["narasumber", "available", "--topic", BIG_TEXT, "--from", "2026-12-03 08:00",
          "--to", "2026-12-03 12:00"]),
        ("narasumber add name with ESC", [*TU, "narasumber", "add", "--name", "Dr. \x1b[2JX"]),
        ("narasumber add name undecodable", [*TU, "narasumber", "add", "--name", UNDECODABLE]),
        ("narasumber add name with newline", [*TU, "narasumber", "add", "--name", "Dr. A\nB"]),
        ("narasumber add Arabic-Indic phone",
         [*TU, "narasumber", "add", "--name", "Dr. A", "--phone", "٠٨١٢٣٤٥٦٧٨٩"]),
        ("narasumber add 100 KB topic", [*TU, "narasumber", "add", "--name", "Dr. A",
                                         "--topic", BIG_TEXT]),
        ("narasumber edit notes undecodable",
         [*TU, "narasumber", "edit", "1", "--notes", UNDECODABLE]),
        ("letter in perihal undecodable",
         [*TU, "letter", "in", "--from", "Dinas", "--number", "1", "--perihal", UNDECODABLE]),
        ("letter number --class 100 KB",
         [*TU, "letter", "number", "--class", BIG_TEXT, "--perihal", "x"]),
        ("letter pattern with ESC",
         [*ADMIN, "letter", "pattern", "--class", "061", "--pattern", "{nomor}\x1b[0m"]),
        ("letter void 100 KB", [*TU, "letter", "void", BIG_TEXT, "--note", "salah"]),
        ("user add login undecodable",
         [*ADMIN, "user", "add", UNDECODABLE, "--name", "X", "--role", "sekda"]),
        ("user add login with NUL", [*ADMIN, "user", "add", "a\x00b", "--name", "X",
                                     "--role", "sekda"]),
        ("user add name 100 KB", [*ADMIN, "user", "add", "baru", "--name", BIG_TEXT,
                                  "--role", "sekda"]),
        ("--user 100 KB", ["--user", BIG_TEXT, "case", "list", "--mine"]),
        ("--user undecodable", ["--user", UNDECODABLE, "case", "list", "--mine"]),
        ("calendar close note undecodable",
         [*ADMIN, "calendar", "close", "2026-03-11", "--note", UNDECODABLE]),
        ("date undecodable", ["report", "sla", "--from", UNDECODABLE]),
        ("datetime 100 KB", ["narasumber", "available", "--from", BIG_TEXT, "--to", "x"]),
        ("--format 100 KB", ["case", "list", "--format", BIG_TEXT]),
        ("--format undecodable", ["case", "list", "--format", UNDECODABLE]),
        ("option name undecodable", ["case", "list", "--\udcff"]),
        ("command undecodable", ["case", "\udcff"]),
    ]  # fmt: skip


def _files() -> list[tuple[str, list[str]]]:
    def sop(path: str) -> list[str]:
        return [*ADMIN, "sop", "import", path]

    def schedule(path: str) -> list[str]:
        return [*ADMIN, "calendar", "schedule", "--from", "2027-02-08", "--to", "2027-03-09",
                "--file", path, "--note", "Ramadan"]  # fmt: skip

    out = []
    for tag, path in (
        ("/dev/zero", "/dev/zero"),
        ("/dev/null", "/dev/null"),
        ("a FIFO", "{dir}/fifo"),
        ("a directory", "{dir}/folder"),
        ("a huge file", "{dir}/huge.toml"),
        ("binary garbage", "{dir}/garbage.bin"),
        ("undecodable bytes", "{dir}/latin1.toml"),
        ("an empty file", "{dir}/empty.toml"),
        ("a missing file", "{dir}/missing.toml"),
        ("a dangling symlink", "{dir}/dangling"),
    ):
        out.append((f"sop import {tag}", sop(path)))
        out.append((f"calendar schedule --file {tag}", schedule(path)))
    out += [
        ("sop import 100,000 nested arrays", sop("{dir}/nested.toml")),
        ("sop import 100,000 nested tables", sop("{dir}/nested_tables.toml")),
        ("sop import ESC in the name", sop("{dir}/esc_name.toml")),
        ("sop import 1 MB name", sop("{dir}/big_name.toml")),
        ("sop import NUL in a step", sop("{dir}/nul_step.toml")),
        ("sop import bidi override in a step", sop("{dir}/bidi_step.toml")),
        ("calendar schedule 100,000 nested arrays", schedule("{dir}/nested.json")),
        ("calendar schedule 100,000 nested objects", schedule("{dir}/nested_objects.json")),
        ("calendar schedule not an object", schedule("{dir}/list.json")),
        ("calendar schedule huge number", schedule("{dir}/bignum.json")),
    ]
    return out


def _databases() -> list[tuple[str, list[str]]]:
    return [
        ("--db /etc/passwd", ["--db", "/etc/passwd", "sop", "list"]),
        ("--db mysql://", ["--db", "mysql://u:p@localhost/soptui", "sop", "list"]),
        ("--db nonsense scheme", ["--db", "foo+bar://x", "sop", "list"]),
        ("--db corrupt sqlite", ["--db", "{dir}/corrupt.sqlite", "sop", "list"]),
        ("--db a directory", ["--db", "{dir}/folder", "sop", "list"]),
        ("--db /dev/zero", ["--db", "/dev/zero", "sop", "list"]),
        ("--db in a missing folder", ["--db", "{dir}/no/such/folder/x.sqlite", "sop", "list"]),
        ("--db fresh file, sop list", ["--db", "{dir}/fresh.sqlite", "sop", "list"]),
        (
            "--db postgresql refused",
            ["--db", "postgresql://nobody@127.0.0.1:9/soptui", "sop", "list"],
        ),
        (
            "--db postgresql no socket",
            ["--db", "postgresql://nobody@/soptui?host={dir}/nosocket", "sop", "list"],
        ),
        ("--db undecodable path", ["--db", "{dir}/\udcff.sqlite", "case", "list"]),
        ("--db 100 KB", ["--db", BIG_TEXT, "sop", "list"]),
    ]


CORPUS: list[tuple[str, list[str]]] = [
    *_ids(),
    *_id_options(),
    *_limits(),
    *_dates(),
    *_datetimes(),
    *_texts(),
    *_files(),
    *_databases(),
]


def make_files(folder: Path, bundled: str) -> None:
    """The hostile files the corpus names; `bundled` is a valid SOP source."""
    os.mkfifo(folder / "fifo")
    (folder / "folder").mkdir()
    with open(folder / "huge.toml", "wb") as f:  # sparse: 64 MiB that cost no disk
        f.truncate(64 * 1024 * 1024)
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.toml").write_bytes(bundled.replace("Permintaan", "Perm\xefntaan").encode(
        "latin-1", errors="replace"))  # fmt: skip
    (folder / "empty.toml").write_bytes(b"")
    os.symlink(folder / "nowhere", folder / "dangling")
    (folder / "nested.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    (folder / "nested_tables.toml").write_text("a = " + "{b = " * 100_000 + "1" + "}" * 100_000)
    (folder / "esc_name.toml").write_text(_renamed(bundled, "ESC", "Permintaan \x1b[31m\x07"))
    (folder / "big_name.toml").write_text(_renamed(bundled, "BIG", "N" * 1_000_000))
    (folder / "nul_step.toml").write_text(
        _renamed(bundled, "NUL", "Permintaan").replace('text = "', 'text = "\\u0000', 1)
    )
    (folder / "bidi_step.toml").write_text(
        _renamed(bundled, "BIDI", "Permintaan").replace('text = "', 'text = "\\u202e', 1)
    )
    (folder / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "nested_objects.json").write_text('{"mon": ' * 100_000 + "1" + "}" * 100_000)
    (folder / "list.json").write_text("[1, 2, 3]")
    (folder / "bignum.json").write_text('{"mon": [["0' + "9" * 5000 + ':00", "12:00"]]}')
    (folder / "corrupt.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))


def _renamed(source: str, code: str, name: str) -> str:
    """The bundled SOP under another code and version, its name replaced."""
    import re

    out = re.sub(r'(?m)^name = ".*"$', lambda _: "name = " + _toml_string(name), source, count=1)
    return re.sub(r'(?m)^code = ".*"$', f'code = "HOSTILE-{code}"', out, count=1)


def _toml_string(value: str) -> str:
    return '"' + "".join(
        ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in value
    ) + '"'  # fmt: skip
