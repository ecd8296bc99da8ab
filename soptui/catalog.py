"""SOP catalog: load and validate the TOML definitions in ``soptui/sops/``.

A catalog file describes one SOP (identity block, roles, steps) as transcribed from the
agency's SOP sheet. This module turns it into frozen dataclasses and refuses anything the
case engine could trip over later, with ``file:line: message`` errors an editor can jump to.

Only the standard library is used here: the catalog is read by the CLI, the engine and the
Textual app alike, and must stay importable without them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from soptui.errors import RuleError

__all__ = [
    "CatalogError",
    "Role",
    "SopDefinition",
    "Step",
    "bundled_catalog",
    "load_catalog_file",
    "parse_catalog",
    "parse_waktu",
]

FORMAT = 1
# One working day under Perpres 21/2023: 37.5 h a week over five days = 7.5 h.
WORKDAY_MINUTES = 450
SHORT_NAME_MAX = 18  # the inbox has to fit an 80-column terminal
REFUSE_END = "end"

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_WAKTU_RE = re.compile(r"^\s*(\d+)\s*(menit|jam|hari)\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"menit": 1, "jam": 60, "hari": WORKDAY_MINUTES}
# "[[steps]]" or "[table]" at the start of a line (tomllib has already vouched for the syntax).
_HEADER_RE = re.compile(r"""^\s*(\[\[?)\s*([A-Za-z0-9_.-]+|"[^"]*")\s*\]\]?\s*(#.*)?$""")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class CatalogError(ValueError):
    """A catalog file is unreadable or inconsistent; ``str()`` is ``source:line: message``."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {message}")


def parse_waktu(text: str) -> int | None:
    """Standard time of a step in working minutes; ``None`` for "Relatif" (no fixed standard)."""
    if text.strip().lower() == "relatif":
        return None
    m = _WAKTU_RE.match(text)
    if m is None:
        raise ValueError(f"unreadable Waktu {text!r} (expected e.g. '5 Menit', '2 Jam', '1 Hari')")
    return int(m.group(1)) * _UNIT_MINUTES[m.group(2).lower()]


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    external: bool = False  # outside the office: no login, a clerk records their steps
    recorded_by: str | None = None  # role key of that clerk (external roles only)


@dataclass(frozen=True)
class Step:
    key: str
    no: str  # source numbering as written; not unique (Pelaksanaan Diklat has two "9")
    index: int
    role: str
    text: str
    kelengkapan: str
    waktu: str
    minutes: int | None
    output: str
    ket: str
    decision: bool = False
    return_to: str | None = None
    refuse_to: str | None = None

    @property
    def checklist(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.kelengkapan.split(",") if part.strip())


@dataclass(frozen=True)
class SopDefinition:
    code: str
    version: int
    name: str
    short_name: str
    nomor: str
    unit: str
    tanggal_pembuatan: str
    tanggal_revisi: str
    tanggal_efektif: str
    disahkan_oleh: str
    dasar_hukum: tuple[str, ...]
    kualifikasi: tuple[str, ...]
    keterkaitan: tuple[str, ...]
    peralatan: tuple[str, ...]
    peringatan: tuple[str, ...]
    pencatatan: tuple[str, ...]
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(key)

    def next_step(self, key: str) -> Step | None:
        index = self.step(key).index + 1
        return self.steps[index] if index < len(self.steps) else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name not in ("roles", "steps"):
                value = getattr(self, f.name)
                out[f.name] = list(value) if isinstance(value, tuple) else value
        out["roles"] = [
            {"key": r.key, "name": r.name, "external": r.external, "recorded_by": r.recorded_by}
            for r in self.roles
        ]
        out["steps"] = [
            {
                "no": s.no,
                "key": s.key,
                "role": s.role,
                "role_name": self.role(s.role).name,
                "text": s.text,
                "kelengkapan": s.kelengkapan,
                "waktu": s.waktu,
                "minutes": s.minutes,
                "output": s.output,
                "ket": s.ket,
                "decision": s.decision,
                "return_to": self.step(s.return_to).no if s.return_to else None,
                "return_to_key": s.return_to,
                "refuse_to": s.refuse_to,
            }
            for s in self.steps
        ]
        return out


# --- schema -------------------------------------------------------------------------------

_STR = "a string"
_INT = "an integer"
_BOOL = "true or false"
_STRLIST = "a list of strings"
_TABLES = "an array of tables ([[...]])"

# (field, kind); required fields are listed in _REQUIRED, the rest default to ""/[]/false/None.
_TOP_FIELDS: list[tuple[str, str]] = [
    ("format", _INT),
    ("code", _STR),
    ("version", _INT),
    ("name", _STR),
    ("short_name", _STR),
    ("nomor", _STR),
    ("unit", _STR),
    ("tanggal_pembuatan", _STR),
    ("tanggal_revisi", _STR),
    ("tanggal_efektif", _STR),
    ("disahkan_oleh", _STR),
    ("dasar_hukum", _STRLIST),
    ("kualifikasi", _STRLIST),
    ("keterkaitan", _STRLIST),
    ("peralatan", _STRLIST),
    ("peringatan", _STRLIST),
    ("pencatatan", _STRLIST),
    ("roles", _TABLES),
    ("steps", _TABLES),
]
_ROLE_FIELDS: list[tuple[str, str]] = [
    ("key", _STR),
    ("name", _STR),
    ("external", _BOOL),
    ("recorded_by", _STR),
]
_STEP_FIELDS: list[tuple[str, str]] = [
    ("key", _STR),
    ("no", _STR),
    ("role", _STR),
    ("text", _STR),
    ("kelengkapan", _STR),
    ("waktu", _STR),
    ("output", _STR),
    ("ket", _STR),
    ("decision", _BOOL),
    ("return_to", _STR),
    ("refuse_to", _STR),
]
_REQUIRED = {
    # roles/steps: absent or empty gets its own message in _parse_roles/_parse_steps
    None: {"format", "code", "version", "name", "short_name"},
    "roles": {"key", "name"},
    "steps": {"key", "no", "role", "text", "waktu"},
}
_DEFAULTS: dict[str, Any] = {_STR: "", _STRLIST: [], _BOOL: False, _TABLES: []}
_NULLABLE = {"recorded_by", "return_to", "refuse_to"}  # absent means "none", not ""

# Where a value sits: None for the top level, ("steps", 2) for the third [[steps]] table.
_Where = tuple[str, int] | None


class _Source:
    """Finds line numbers for values, which tomllib does not report."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = text.split("\n")  # tomllib counts "\n" only, unlike str.splitlines
        self.headers: list[tuple[int, str]] = []  # (0-based line, "[[steps]]"-style header)
        for i, line in enumerate(self.lines):
            m = _HEADER_RE.match(line)
            if m:
                self.headers.append((i, m.group(1) + m.group(2).strip("\"'")))

    def line(self, where: _Where, field: str | None = None) -> int | None:
        """1-based line of ``field`` in the table ``where``, else of the table's header."""
        if where is None:
            start, header = 0, 1
        else:
            found = [i for i, h in self.headers if h == f"[[{where[0]}"]
            if where[1] >= len(found):
                return None  # written inline (e.g. steps = [{...}]): no header to point at
            start = found[where[1]]
            header = start + 1
            start += 1
        end = next((i for i, _ in self.headers if i >= start), len(self.lines))
        if field is not None:
            pattern = re.compile(rf"""^\s*(["']?){re.escape(field)}\1\s*=""")
            for i in range(start, end):
                if pattern.match(self.lines[i]):
                    return i + 1
        return header

    def error(self, where: _Where, field: str | None, message: str) -> CatalogError:
        return CatalogError(self.name, self.line(where, field), message)


def _label(where: _Where, table: dict[str, Any] | None = None) -> str:
    """How an error names the table it is about, e.g. "steps[3] ('cek-berkas')"."""
    if where is None:
        return ""
    key = table.get("key") if table else None
    suffix = f" ({key!r})" if isinstance(key, str) else ""
    return f"{where[0]}[{where[1] + 1}]{suffix}"


def _is_kind(value: Any, kind: str) -> bool:
    if kind == _STR:
        return isinstance(value, str)
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _STRLIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _fields(
    src: _Source, table: dict[str, Any], where: _Where, spec: list[tuple[str, str]]
) -> dict[str, Any]:
    """Check a table against its spec; return every field with defaults filled in."""
    kinds = dict(spec)
    required = _REQUIRED[None if where is None else where[0]]
    label = _label(where, table)
    label += ": " if label else ""
    for name in table:
        if name not in kinds:
            raise src.error(where, name, f"{label}unknown field {name!r}")
    out: dict[str, Any] = {}
    for name, kind in spec:
        if name not in table:
            if name in required:
                raise src.error(where, None, f"{label}missing required field {name!r}")
            out[name] = None if name in _NULLABLE else _DEFAULTS[kind]
            continue
        value = table[name]
        if not _is_kind(value, kind):
            raise src.error(
                where, name, f"{label}field {name!r} must be {kind}, not {_type_name(value)}"
            )
        out[name] = value
    return out


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "a list of strings"
        return "a list with non-string items"
    if isinstance(value, dict):
        return "a table"
    return names.get(type(value), type(value).__name__)


# --- what any value may hold ---------------------------------------------------------------

SOURCE_MAX = 1_048_576
VALUE_MAX = 4000  # a step's text, a list item
LINE_FIELDS = ("code", "name", "short_name", "nomor", "unit", "key", "role", "no", "waktu")
LINE_MAX = 300
_INVISIBLE = frozenset(("Cf", "Zl", "Zp", "Cs"))


def _check_values(src: _Source, data: dict[str, Any]) -> None:
    """Every string of the file is text a clerk's screen can show: no control
    characters but newline and tab (ESC or BEL in a name would reach every
    `sop list` and break a dialog's border), nothing invisible or
    text-direction, bounded; names and codes are one line; numbers fit a
    64-bit column."""
    import unicodedata

    def check(value: Any, where: _Where, field: str, depth: int) -> None:
        if depth > 8:
            raise src.error(where, field, f"{field}: nested too deeply")
        if isinstance(value, dict):
            for item in value.values():
                check(item, where, field, depth + 1)
        elif isinstance(value, list):
            for item in value:
                check(item, where, field, depth + 1)
        elif isinstance(value, str):
            single = field in LINE_FIELDS
            limit = LINE_MAX if single else VALUE_MAX
            if len(value) > limit:
                raise src.error(where, field, f"{field}: {len(value)} characters (at most {limit})")
            for ch in value:
                if " " <= ch < "\x7f" or (ch in "\n\t" and not single):
                    continue
                category = unicodedata.category(ch)
                if category == "Cc" or category in _INVISIBLE:
                    raise src.error(where, field, f"{field}: character U+{ord(ch):04X} not allowed")
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise src.error(where, field, f"{field}: {value} is out of range")

    for key, value in data.items():
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            for i, table in enumerate(value):  # [[steps]], [[roles]]: name the table's line
                for field, item in table.items():
                    check(item, (key, i), field, 1)
        else:
            check(value, None, key, 1)


# --- parsing ------------------------------------------------------------------------------


def parse_catalog(text: str, source: str = "<string>") -> SopDefinition:
    """Parse and validate one SOP definition; raise CatalogError naming file, line and fault."""
    import tomllib  # only when a file is parsed: start-up reads cached definitions

    if len(text) > SOURCE_MAX:
        raise CatalogError(source, None, f"{len(text)} characters (at most {SOURCE_MAX})")
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise CatalogError(source, None, "nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_POS_RE.search(message)
        line = int(m.group(1)) if m else None
        if m:
            message = f"{message[: m.start()]} (column {m.group(2)})"
        raise CatalogError(source, line, f"TOML syntax error: {message}") from None
    src = _Source(text, source)
    _check_values(src, data)
    top = _fields(src, data, None, _TOP_FIELDS)

    if top["format"] != FORMAT:
        raise src.error(None, "format", f"unsupported format {top['format']} (expected {FORMAT})")
    if not _CODE_RE.match(top["code"]):
        raise src.error(
            None, "code", f"bad code {top['code']!r}: use A-Z, 0-9 and '-' (e.g. DIKLAT-BAHAN)"
        )
    if not 1 <= top["version"] <= 1_000_000:
        raise src.error(None, "version", f"bad version {top['version']}: must be 1 to 1000000")
    for name in ("name", "short_name"):
        if not top[name].strip():
            raise src.error(None, name, f"{name} must not be empty")
    if len(top["short_name"]) > SHORT_NAME_MAX:
        raise src.error(
            None,
            "short_name",
            f"short_name {top['short_name']!r} is {len(top['short_name'])} characters "
            f"(at most {SHORT_NAME_MAX})",
        )

    roles = _parse_roles(src, top["roles"])
    steps = _parse_steps(src, top["steps"], {r.key for r in roles})
    return SopDefinition(
        code=top["code"],
        version=top["version"],
        name=top["name"],
        short_name=top["short_name"],
        nomor=top["nomor"],
        unit=top["unit"],
        tanggal_pembuatan=top["tanggal_pembuatan"],
        tanggal_revisi=top["tanggal_revisi"],
        tanggal_efektif=top["tanggal_efektif"],
        disahkan_oleh=top["disahkan_oleh"],
        dasar_hukum=tuple(top["dasar_hukum"]),
        kualifikasi=tuple(top["kualifikasi"]),
        keterkaitan=tuple(top["keterkaitan"]),
        peralatan=tuple(top["peralatan"]),
        peringatan=tuple(top["peringatan"]),
        pencatatan=tuple(top["pencatatan"]),
        roles=roles,
        steps=steps,
    )


def _parse_roles(src: _Source, tables: list[dict[str, Any]]) -> tuple[Role, ...]:
    if not tables:
        raise src.error(None, "roles", "no [[roles]]: an SOP needs at least one role")
    rows = [_fields(src, t, ("roles", i), _ROLE_FIELDS) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = ("roles", i)
        if not row["key"].strip():
            raise src.error(where, "key", f"{_label(where)}: key must not be empty")
        if row["key"] in seen:
            raise src.error(where, "key", f"{_label(where)}: duplicate role key {row['key']!r}")
        seen.add(row["key"])
    external = {row["key"]: row["external"] for row in rows}
    for i, row in enumerate(rows):
        where, label, by = ("roles", i), _label(("roles", i), row), row["recorded_by"]
        if by is None:
            if row["external"]:
                # Someone inside the office has to record what an outsider did.
                raise src.error(where, None, f"{label}: external role needs recorded_by")
            continue
        if not row["external"]:
            raise src.error(where, "recorded_by", f"{label}: recorded_by is for external roles")
        if by not in external:
            raise src.error(where, "recorded_by", f"{label}: recorded_by: unknown role {by!r}")
        if external[by]:
            raise src.error(where, "recorded_by", f"{label}: recorded_by {by!r} is itself external")
    return tuple(Role(r["key"], r["name"], r["external"], r["recorded_by"]) for r in rows)


def _parse_steps(
    src: _Source, tables: list[dict[str, Any]], role_keys: set[str]
) -> tuple[Step, ...]:
    if not tables:
        raise src.error(None, "steps", "no [[steps]]: an SOP needs at least one step")
    rows = [_fields(src, t, ("steps", i), _STEP_FIELDS) for i, t in enumerate(tables)]
    index: dict[str, int] = {}
    for i, row in enumerate(rows):
        where = ("steps", i)
        for name in ("key", "no", "text"):
            if not row[name].strip():
                raise src.error(where, name, f"{_label(where, row)}: {name} must not be empty")
        if row["key"] in index:
            raise src.error(
                where,
                "key",
                f"{_label(where)}: duplicate step key {row['key']!r} "
                f"(already steps[{index[row['key']] + 1}])",
            )
        index[row["key"]] = i

    steps: list[Step] = []
    for i, row in enumerate(rows):
        where, label = ("steps", i), _label(("steps", i), row)
        if row["role"] not in role_keys:
            raise src.error(
                where, "role", f"{label}: unknown role {row['role']!r} (not in [[roles]])"
            )
        try:
            minutes = parse_waktu(row["waktu"])
        except ValueError as exc:
            raise src.error(where, "waktu", f"{label}: {exc}") from None
        _check_transitions(src, where, label, row, index)
        steps.append(
            Step(
                key=row["key"],
                no=row["no"],
                index=i,
                role=row["role"],
                text=row["text"],
                kelengkapan=row["kelengkapan"],
                waktu=row["waktu"],
                minutes=minutes,
                output=row["output"],
                ket=row["ket"],
                decision=row["decision"],
                return_to=row["return_to"],
                refuse_to=row["refuse_to"],
            )
        )
    return tuple(steps)


def _check_transitions(
    src: _Source, where: _Where, label: str, row: dict[str, Any], index: dict[str, int]
) -> None:
    """Decision targets: return goes back to an earlier step, refusal forward or to the end."""
    here = where[1] if where else 0
    back, refuse = row["return_to"], row["refuse_to"]
    if not row["decision"]:
        for name in ("return_to", "refuse_to"):
            if row[name] is not None:
                raise src.error(where, name, f"{label}: {name} needs decision = true")
        return
    if back is None and refuse is None:
        raise src.error(
            where, "decision", f"{label}: a decision step needs return_to and/or refuse_to"
        )
    if back is not None:
        if back not in index:
            raise src.error(where, "return_to", f"{label}: return_to: unknown step {back!r}")
        if index[back] >= here:
            raise src.error(
                where,
                "return_to",
                f"{label}: return_to {back!r} is not an earlier step "
                f"(steps[{index[back] + 1}], this is steps[{here + 1}])",
            )
    if refuse is not None and refuse != REFUSE_END:
        if refuse not in index:
            raise src.error(
                where,
                "refuse_to",
                f"{label}: refuse_to: unknown step {refuse!r} (use a step key or {REFUSE_END!r})",
            )
        if index[refuse] <= here:
            raise src.error(
                where,
                "refuse_to",
                f"{label}: refuse_to {refuse!r} is not a later step "
                f"(steps[{index[refuse] + 1}], this is steps[{here + 1}])",
            )


def load_catalog_file(path: str | os.PathLike[str]) -> SopDefinition:
    source = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(source, None, f"cannot read: {exc}") from exc
    return parse_catalog(text, source)


def bundled_catalog() -> list[SopDefinition]:
    """The SOPs shipped in soptui/sops/, sorted by code."""
    folder = resources.files("soptui.sops")
    sops = [
        parse_catalog(entry.read_text(encoding="utf-8"), f"soptui/sops/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    ]
    return sorted(sops, key=lambda sop: sop.code)


def return_target(definition: SopDefinition, step: Step, to: str | None = None) -> Step:
    """The step a return goes to: the one chosen (an earlier step, by key or
    source number; for a repeated number the latest earlier one), else the
    one the definition names, else the previous step."""
    earlier = definition.steps[: step.index]
    if not earlier:
        raise RuleError("err.no_return_target")
    if to is not None and to.strip():
        wanted = to.strip()
        for candidate in reversed(earlier):
            if wanted in (candidate.key, candidate.no):
                return candidate
        raise RuleError("err.bad_return_target", step=wanted)
    if step.return_to:
        return definition.step(step.return_to)
    return earlier[-1]
