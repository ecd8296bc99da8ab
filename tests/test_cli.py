"""The CLI contract: formats, JSON keys, exit codes, one-line errors, and
bad input that writes nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from app_fixtures import sqlite_digest

from soptui import cli
from soptui.identity import os_login
from soptui.service import Soptui


def new_case(run, code: str = "NARSUM-PERMINTAAN", *extra: str) -> int:
    rc, out, err = run(
        "--user",
        "teknis",
        "case",
        "new",
        code,
        "--title",
        "Narsum UMKM",
        "--format",
        "json",
        *extra,
    )
    assert rc == 0, err
    return json.loads(out)["id"]


def test_sop_list_json_and_csv(run):
    rc, out, _ = run("sop", "list", "--format", "json")
    assert rc == 0
    sops = json.loads(out)
    assert len(sops) == 9
    fas = next(s for s in sops if s["code"] == "NARSUM-FASILITASI")
    assert fas == {
        **fas,
        "name": "Fasilitas Penyediaan Narasumber",
        "nomor": "000.8/1619.7/DISKOPUKM.A",
        "steps": 13,
    }
    rc, out, _ = run("sop", "list", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 10 and rows[0][0] == "Kode"


def test_sop_show_json_keys(run):
    rc, out, _ = run("sop", "show", "narsum-fasilitasi", "--format", "json")
    assert rc == 0
    data = json.loads(out)
    assert {"code", "name", "nomor", "roles", "steps"} <= data.keys()
    step7 = data["steps"][6]
    assert {
        "no",
        "key",
        "role",
        "text",
        "kelengkapan",
        "waktu",
        "minutes",
        "output",
        "decision",
        "return_to",
    } <= step7.keys()
    assert step7["decision"] is True and step7["return_to"] == "6" and step7["minutes"] == 15
    assert data["steps"][0]["return_to"] is None


@pytest.mark.parametrize("fmt", ["simple", "github", "grid", "plain", "tsv", "html"])
def test_every_listing_takes_tabulate_formats(run, fmt):
    new_case(run)
    for args in (["sop", "list"], ["user", "list"], ["case", "list"], ["calendar", "show"]):
        rc, out, err = run(*args, "--format", fmt)
        assert rc == 0, (args, err)
        assert out.strip()


def test_case_lifecycle_through_the_cli(run):
    case_id = new_case(
        run,
        "NARSUM-PERMINTAAN",
        "--requester",
        "Dinas Kab. Sambas",
        "--letter-no",
        "005/1/DK",
        "--letter-date",
        "17 Maret 2026",
        "--urgency",
        "sangat segera",
    )
    rc, out, _ = run("case", "list", "--format", "json")
    (row,) = json.loads(out)
    assert {"id", "sop", "title", "status", "step", "role", "due_at", "overdue"} <= row.keys()
    assert (row["id"], row["sop"], row["status"], row["role"]) == (
        case_id,
        "NARSUM-PERMINTAAN",
        "open",
        "pemohon",
    )
    assert run("--user", "teknis", "case", "complete", str(case_id))[0] == 0
    assert run("--user", "sekda", "case", "note", str(case_id), "--text", "cek")[0] == 0
    rc, out, _ = run("case", "show", str(case_id), "--format", "json")
    shown = json.loads(out)
    assert shown["letter_date"] == "2026-03-17" and shown["urgency"] == "sangat_segera"
    kinds = [e["kind"] for e in shown["timeline"] if e["type"] == "event"]
    assert kinds == ["opened", "completed", "note"]
    attempts = [e for e in shown["timeline"] if e["type"] == "attempt"]
    assert attempts[0]["acted_as"] == "requester" and attempts[0]["actor"] == "teknis"
    rc, out, _ = run("case", "show", str(case_id))
    assert rc == 0 and "Permintaan Narasumber" in out


def test_mine_and_filters(run):
    a = new_case(run)
    b = new_case(run, "NARSUM-FASILITASI")
    out = run("--user", "teknis", "case", "list", "--mine", "--format", "json")[1]
    assert [r["id"] for r in json.loads(out)] == [a]
    out = run("case", "list", "--sop", "narsum-fasilitasi", "--format", "json")[1]
    assert [r["id"] for r in json.loads(out)] == [b]
    out = run("case", "list", "--role", "Petugas Informasi/ TU", "--format", "json")[1]
    assert [r["id"] for r in json.loads(out)] == [b]  # the role that must act now
    out = run("case", "list", "--role", "pemohon", "--format", "json")[1]
    assert sorted(r["id"] for r in json.loads(out)) == [a, b]


def test_rule_refusals_exit_1_with_one_line(run):
    case_id = new_case(run)
    rc, out, err = run("--user", "sekda", "case", "complete", str(case_id))
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and "Bukan peran Anda" in err and "Traceback" not in err
    rc, _, err = run("--user", "teknis", "case", "complete", str(case_id), "--expect-version", "7")
    assert rc == 1 and "diubah orang lain" in err


def test_english_messages(run):
    case_id = new_case(run)
    rc, _, err = run("--lang", "en", "--user", "sekda", "case", "complete", str(case_id))
    assert rc == 1 and "Not your role" in err


BAD_INPUT = [
    ["case", "new", "NARSUM-PERMINTAAN", "--title", "   "],
    ["case", "new", "NARSUM-PERMINTAAN", "--title", "x", "--urgency", "kilat"],
    ["case", "new", "NARSUM-PERMINTAAN", "--title", "x", "--letter-date", "31-02-2026"],
    ["case", "new", "NARSUM-PERMINTAAN", "--title", "x\x00"],
    ["case", "new", "NARSUM-PERMINTAAN", "--title", "x" * 501],
    ["case", "new", "TIDAK-ADA", "--title", "x"],
    ["case", "new", "NARSUM-PERMINTAAN"],
    ["case", "complete", "99999"],
    ["case", "complete", "abc"],
    ["case", "return", "1"],
    ["case", "refuse", "1", "--note", ""],
    ["case", "pause", "1", "--note", "\x07"],
    ["case", "list", "--status", "kabur"],
    ["case", "list", "--format", "xml"],
    ["case", "lsit"],
    ["case", "list", "--bogus"],
    ["calendar", "show", "--from", "2026-13-01"],
    ["calendar", "show", "--from", "2026-03-10", "--to", "2026-03-01"],
    ["user", "add", "baru", "--name", "Baru", "--role", "raja"],
    ["user", "add", "baru", "--name", "Baru", "--role", "sekda", "--nip", "123"],
    ["sop", "import", "/nonexistent/file.toml"],
    ["--lang", "fr", "sop", "list"],
]


@pytest.mark.parametrize("args", BAD_INPUT, ids=lambda a: " ".join(a)[:40])
def test_bad_input_exits_2_and_writes_nothing(run, office_url, args):
    new_case(run)
    before = sqlite_digest(office_url) if office_url.startswith("sqlite") else None
    rc, out, err = run("--user", "admin", *args)
    assert rc == 2, (out, err)
    assert err.startswith("soptui: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    if before is not None:
        assert sqlite_digest(office_url) == before


def test_sop_import_reports_file_line_and_adds_a_version(run, tmp_path):
    from tests_support import bundled_text

    broken = tmp_path / "broken.toml"
    broken.write_text(
        bundled_text("narsum-permintaan").replace(
            'role = "petugas-teknis"', 'role = "petugas-gaib"', 1
        )
    )
    rc, _, err = run("--user", "admin", "sop", "import", str(broken))
    assert rc == 2 and "broken.toml:" in err and "petugas-gaib" in err
    v2 = tmp_path / "v2.toml"
    v2.write_text(bundled_text("narsum-permintaan").replace("version = 1", "version = 2", 1))
    assert run("--user", "admin", "sop", "import", str(v2))[0] == 0
    rc, out, _ = run("sop", "list", "--format", "json")
    assert {s["code"]: s["version"] for s in json.loads(out)}["NARSUM-PERMINTAAN"] == 2
    assert run("--user", "teknis", "sop", "import", str(v2))[0] == 1  # admin only


def test_calendar_overrides_need_admin_and_show_in_the_calendar(run):
    rc, _, _err = run("--user", "teknis", "calendar", "close", "2026-03-11", "--note", "Banjir")
    assert rc == 1
    assert run("--user", "admin", "calendar", "close", "11-03-2026", "--note", "Banjir")[0] == 0
    rc, out, _ = run(
        "calendar", "show", "--from", "2026-03-10", "--to", "2026-03-12", "--format", "json"
    )
    days = {d["date"]: d for d in json.loads(out)}
    assert days["2026-03-11"]["working"] is False and days["2026-03-11"]["reason"] == "Banjir"
    assert days["2026-03-12"]["working"] is True
    assert (
        run(
            "--user",
            "admin",
            "calendar",
            "schedule",
            "--from",
            "2027-02-08",
            "--to",
            "2027-03-09",
            "--preset",
            "ramadan",
            "--note",
            "Ramadan 1448 H",
        )[0]
        == 0
    )
    rc, out, _ = run(
        "calendar", "show", "--from", "2027-02-08", "--to", "2027-02-08", "--format", "json"
    )
    assert json.loads(out)[0]["hours"].startswith("08:00")


def test_user_add_and_list(run):
    rc, _, _ = run(
        "--user",
        "admin",
        "user",
        "add",
        "rina",
        "--name",
        "Rina Lestari",
        "--role",
        "Kepala Biro",
        "--role",
        "sekda",
        "--nip",
        "19860926 201505 2 001",
    )
    assert rc == 0
    rc, out, _ = run("user", "list", "--format", "json")
    rina = next(u for u in json.loads(out) if u["login"] == "rina")
    assert rina["roles"] == ["kepala-biro", "sekda"] and rina["name"] == "Rina Lestari"
    assert run("--user", "teknis", "user", "add", "x", "--name", "X", "--role", "sekda")[0] == 1


def test_identity_comes_from_the_os_login(sqlite_url, capsys):
    svc = Soptui(sqlite_url)
    svc.init(admin_login="someone-else")
    svc.close()
    with pytest.raises(SystemExit) as exc:
        cli.main(["--db", sqlite_url, "case", "list", "--mine"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert f"'{os_login()}'" in err and "soptui user add" in err
    # --user is not honoured on a real (non-demo) database for a non-admin
    with pytest.raises(SystemExit) as exc:
        cli.main(["--db", sqlite_url, "--user", "someone-else", "case", "list", "--mine"])
    assert exc.value.code == 1
    assert "--user" in capsys.readouterr().err


def test_init_makes_the_os_login_first_admin_and_is_idempotent(sqlite_url, capsys):
    cli.main(["--db", sqlite_url, "init"])
    cli.main(["--db", sqlite_url, "init"])
    out = capsys.readouterr().out
    assert out.count("admin pertama") == 1
    cli.main(["--db", sqlite_url, "user", "list", "--format", "json"])
    (only,) = json.loads(capsys.readouterr().out)
    assert only["login"] == os_login() and only["roles"] == ["admin"]


def test_a_command_on_a_missing_database_is_refused_and_creates_nothing(sqlite_url, capsys):
    """Only the app, init and demo make a new database: a mistyped --db for
    any other command says so in one line and leaves no file behind."""
    from pathlib import Path

    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with pytest.raises(SystemExit) as exc:
        cli.main(["--db", sqlite_url, "case", "list"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "soptui init" in err
    assert not path.exists()


def test_demo_refuses_a_non_empty_database(run):
    rc, _, err = run("demo")
    assert rc == 1 and "--force" in err


def test_reports_and_letters_through_the_cli(run):
    case_id = new_case(run)
    assert run("--user", "teknis", "case", "complete", str(case_id))[0] == 0
    for name in ("sla", "bottlenecks", "agenda", "workload"):
        rc, out, err = run("report", name, "--format", "json")
        assert rc == 0, err
        assert isinstance(json.loads(out), list)
    rc, out, _ = run("report", "monitoring", "--semester", "2026-1", "--format", "csv")
    assert rc == 0 and len(out.strip().splitlines()) == 10
    assert run("report", "monitoring", "--semester", "2026-9")[0] == 2
    assert run("report", "sla", "--from", "2026-03-10", "--to", "2026-03-01")[0] == 2
    rc, out, _ = run(
        "--user",
        "tu",
        "letter",
        "number",
        "--class",
        "061",
        "--perihal",
        "Balasan",
        "--case",
        str(case_id),
        "--format",
        "json",
    )
    assert rc == 0 and json.loads(out)["number"] == "061/1/DISKOPUKM"
    assert run("--user", "tu", "letter", "void", "061/1/DISKOPUKM", "--note", "salah")[0] == 0
    rc, out, _ = run("letter", "list", "--direction", "out", "--format", "json")
    (only,) = json.loads(out)
    assert only["voided"] is True and only["case_id"] == case_id
