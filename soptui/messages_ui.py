"""Messages of the terminal app (screens, dialogs, key help): Indonesian and English."""

from __future__ import annotations

ID: dict[str, str] = {}

EN: dict[str, str] = {}
