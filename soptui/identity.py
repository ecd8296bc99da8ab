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


def session_login() -> str:
    """The login of this process's user. Used where the services run in the
    process itself (tests, the server setting itself up). Clerks reach the
    records through the server, which takes who they are from the kernel
    (SO_PEERCRED): no environment variable (SUDO_USER, USER, SOPTUI_IDENTITY)
    is trusted anywhere."""
    return os_login()


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
