"""The audit trail (see docs/reliability.md, "Audit trail").

- chain: the events and their keyless hash chain, appended in each change's
  transaction; a trail that does not end at its head refuses new events.
- keys: the HMAC key kept outside the database (load_or_create_key).
- state: digests of the state tables, by subject (a case with its attempts...).
- seal: one keyed seal per writing transaction (event hash + row digests).
- verify: chain, seals, SOP hashes, state against the seals, head log.
- headlog: the head written outside the database by the server.
"""

from soptui.audit.chain import (
    GENESIS,
    HEAD_KEY,
    TrailDamaged,
    append,
    canonical,
    chain_hash,
    damage,
    event_content,
)
from soptui.audit.keys import DEV_KEY, AuditKey, AuditKeyError, load_or_create_key, rotate_key
from soptui.audit.seal import Sealer, touch, touch_all
from soptui.audit.verify import ChainReport, verify
from soptui.db.models import Setting

__all__ = [
    "DEV_KEY",
    "GENESIS",
    "HEAD_KEY",
    "AuditKey",
    "AuditKeyError",
    "ChainReport",
    "Sealer",
    "Setting",
    "TrailDamaged",
    "append",
    "canonical",
    "chain_hash",
    "damage",
    "event_content",
    "load_or_create_key",
    "rotate_key",
    "touch",
    "touch_all",
    "verify",
]
