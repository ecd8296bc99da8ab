"""The rooms hold: the client side (the app, the screens, the CLI, the client
package) imports no SQLAlchemy and no soptui.db, not even through another
module; the server side and the services import no Textual."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = {"soptui": ROOT / "soptui", "soptui.screens": ROOT / "screens",
                "soptui.db": ROOT / "db"}


def module_name(path: Path) -> str:
    for package, folder in sorted(PACKAGE_DIRS.items(), key=lambda kv: -len(str(kv[1]))):
        if path.is_relative_to(folder):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            return ".".join([package, *parts])
    raise ValueError(path)


def client_files() -> list[Path]:
    files = [*sorted((ROOT / "screens").glob("*.py")), ROOT / "soptui" / "app.py"]
    files += sorted((ROOT / "soptui").glob("cli*.py"))
    files += sorted((ROOT / "soptui" / "client").glob("*.py"))
    files += sorted((ROOT / "soptui" / "printing").glob("*.py"))  # written as the clerk
    files += [ROOT / "soptui" / "flowchart.py"]
    return files


def imported_soptui_modules(path: Path) -> set[str]:
    """Every soptui module the file imports, at any level (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("soptui"):
            found.add(node.module)
            for alias in node.names:
                found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("soptui"))
    return found


def loaded_after_importing(modules: list[str]) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        pass  # a name imported from a module, not a module\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_client_side_reaches_no_database_code():
    modules = {module_name(p) for p in client_files()}
    for path in client_files():
        modules |= imported_soptui_modules(path)
    loaded = loaded_after_importing(sorted(modules))
    offending = [m for m in loaded if m.split(".")[0] == "sqlalchemy" or m.startswith("soptui.db")]
    assert not offending, f"the client side loads {offending[:5]}"
    assert "soptui.app" in loaded and "soptui.client.remote" in loaded  # the check ran


def test_server_and_services_import_no_textual():
    core = ["soptui.service", "soptui.server.serve", "soptui.server.main", "soptui.demo",
            "soptui.narasumber_demo", "soptui.cases", "soptui.narasumber", "soptui.reports"]
    loaded = loaded_after_importing(core)
    assert "soptui.server.serve" in loaded
    assert not [m for m in loaded if m.split(".")[0] == "textual"]


def test_no_client_file_names_the_database_layer():
    """The same rule read from the source, so a lazy import inside a function
    that the runtime check did not reach is caught too."""
    for path in client_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                assert not name.startswith(("sqlalchemy", "soptui.db", "soptui.service")), (
                    f"{path.relative_to(ROOT)} imports {name}"
                )
