"""The audit trail (see docs/reliability.md, "Audit trail").

- chain: the events and their keyless hash chain, appended in each change's
  transaction; a trail that does not end at its head refuses new events.
- keys: the HMAC key kept outside the database (load_or_create_key).
- state: digests of the state tables, by subject (a case with its attempts...).
- seal: one keyed seal per writing transaction (event hash + row digests).
- check: verify() - chain, seals, SOP hashes, state against the seals, head log.
- headlog: the head written outside the database by the server.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names -> the module that has them. Loaded on first use: the client side
# (the CLI reading a head log) imports soptui.audit.headlog without pulling
# in SQLAlchemy through the rest of the package.
_WHERE = {
    "GENESIS": "chain",
    "HEAD_KEY": "chain",
    "TrailDamaged": "chain",
    "append": "chain",
    "canonical": "chain",
    "chain_hash": "chain",
    "damage": "chain",
    "event_content": "chain",
    "DEV_KEY": "keys",
    "AuditKey": "keys",
    "AuditKeyError": "keys",
    "load_or_create_key": "keys",
    "rotate_key": "keys",
    "Sealer": "seal",
    "touch": "seal",
    "touch_all": "seal",
    "verify": "check",
}
__all__ = [*sorted(_WHERE), "ChainReport", "Setting"]


def __getattr__(name: str) -> Any:
    if name == "ChainReport":
        from soptui.views import ChainReport

        return ChainReport
    if name == "Setting":
        from soptui.db.models import Setting

        return Setting
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'soptui.audit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"soptui.audit.{module}"), name)
