"""One translation layer for every string the user sees.

Bahasa Indonesia is the default (the clerks' language); English on request.
SOP text is never translated: it stays as written.
"""

from __future__ import annotations

import threading
from typing import Any

from soptui.messages import MESSAGES

LANGUAGES = ("id", "en")
_language = "id"
# The server answers clerks of both languages at once: a request's thread
# speaks its caller's language (see soptui.server), everything else the
# process-wide one.
_local = threading.local()


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose id or en")
    _language = lang


def language() -> str:
    return getattr(_local, "language", None) or _language


def set_thread_language(lang: str | None) -> None:
    """The language of this thread's messages (None: the process's again)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose id or en")
    _local.language = lang


def t(key: str, /, **params: Any) -> str:
    """The message for key in the current language, formatted with params.

    A missing translation falls back to Indonesian, then to the key itself, so
    a slip shows up as a visible key rather than a crash.
    """
    text = MESSAGES[language()].get(key) or MESSAGES["id"].get(key) or key
    return text.format(**params) if params else text
