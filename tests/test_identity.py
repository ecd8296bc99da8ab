"""Who is at the keyboard: the OS login, the sudo hand-over used by the SSH
deployment, and the PostgreSQL session user."""

from __future__ import annotations

import pytest

from soptui.errors import IdentityError
from soptui.identity import os_login
from soptui.service import Soptui


@pytest.fixture
def sqlite_office(sqlite_url):
    svc = Soptui(sqlite_url)
    svc.init(admin_login=os_login())
    admin = svc.users.actor(os_login())
    svc.users.add(admin, "rina", name="Rina", roles=["sekda"])
    yield svc
    svc.close()


def test_os_login_ignores_user_environment(monkeypatch):
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    assert os_login() != "someone-else"


@pytest.mark.parametrize("variable", ["SUDO_USER", "SOPTUI_IDENTITY", "USER", "LOGNAME"])
def test_no_environment_variable_changes_who_is_asking(sqlite_office, monkeypatch, variable):
    """The services in this process identify its own OS login; the environment
    (which a clerk controls) is never consulted (the server takes the login
    from the kernel: see test_server.py)."""
    monkeypatch.setenv(variable, "rina" if variable != "SOPTUI_IDENTITY" else "database")
    assert sqlite_office.session_login() == os_login()


def test_unregistered_login_gets_a_clear_message(sqlite_url, monkeypatch):
    svc = Soptui(sqlite_url)
    svc.init(admin_login="someone-else")
    with pytest.raises(IdentityError) as err:
        svc.identify()
    assert os_login() in err.value.message() and "soptui user add" in err.value.message()
    svc.close()


def test_new_database_file_is_private(tmp_path):
    path = tmp_path / "kantor" / "soptui.sqlite"
    svc = Soptui(str(path))
    svc.init(admin_login="someone-else")
    svc.close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
