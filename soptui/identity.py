"""Who is at the keyboard: the OS login, mapped to a registered clerk."""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass, field

ADMIN_ROLE = "admin"
DEFAULT_DEMO_LOGIN = "demo"  # the demo's admin, and who the app opens as on --demo


def os_login() -> str:
    # Not getpass.getuser(): that trusts $USER, which anyone can set.
    return pwd.getpwuid(os.getuid()).pw_name


def session_login(database_owner_uid: int | None) -> str:
    """The clerk behind this process.

    Over SSH the deployment runs soptui through sudo as a service account that
    alone owns the SQLite file (docs/deployment.md). sudo sets SUDO_USER to the
    clerk's own login. It is trusted only when this process runs as the owner
    of the database file: a clerk running soptui as themselves cannot forge it
    into someone else's identity, because their own uid is not the owner.
    """
    login = os_login()
    via_sudo = os.environ.get("SUDO_USER")
    if via_sudo and database_owner_uid is not None and os.getuid() == database_owner_uid:
        return via_sudo
    return login


@dataclass(frozen=True)
class Actor:
    """A clerk as resolved for this session. `roles` are the roles they may act
    in now: their own plus those delegated to them (Plt/Plh) for today;
    `delegated` maps each delegated role to the login acted on behalf of."""

    id: int
    login: str
    name: str
    roles: frozenset[str]
    delegated: Mapping[str, str] = field(default_factory=dict)

    @property
    def own_roles(self) -> frozenset[str]:
        return self.roles - self.delegated.keys()

    @property
    def is_admin(self) -> bool:
        # Administration is never delegated.
        return ADMIN_ROLE in self.own_roles
