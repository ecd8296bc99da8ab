"""One translation layer for every string the user sees.

Bahasa Indonesia is the default (the clerks' language); English on request.
SOP text is never translated: it stays as written.
"""

from __future__ import annotations

from typing import Any

from soptui.messages import MESSAGES

LANGUAGES = ("id", "en")
_language = "id"


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose id or en")
    _language = lang


def language() -> str:
    return _language


def t(key: str, /, **params: Any) -> str:
    """The message for key in the current language, formatted with params.

    A missing translation falls back to Indonesian, then to the key itself, so
    a slip shows up as a visible key rather than a crash.
    """
    text = MESSAGES[_language].get(key) or MESSAGES["id"].get(key) or key
    return text.format(**params) if params else text
