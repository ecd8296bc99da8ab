"""Small helpers shared by test modules."""

from __future__ import annotations

from importlib import resources


def bundled_text(name: str) -> str:
    return (resources.files("soptui.sops") / f"{name}.toml").read_text(encoding="utf-8")
