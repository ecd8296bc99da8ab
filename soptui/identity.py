"""Who is at the keyboard: the OS login, mapped to a registered clerk."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

ADMIN_ROLE = "admin"


def os_login() -> str:
    # Not getpass.getuser(): that trusts $USER, which anyone can set.
    return pwd.getpwuid(os.getuid()).pw_name


@dataclass(frozen=True)
class Actor:
    id: int
    login: str
    name: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles
