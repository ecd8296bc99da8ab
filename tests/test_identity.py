"""Who is at the keyboard: the OS login, the sudo hand-over used by the SSH
deployment, and the PostgreSQL session user."""

from __future__ import annotations

import os
from pathlib import Path

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


def test_sudo_user_is_trusted_when_running_as_the_database_owner(sqlite_office, monkeypatch):
    # The test process owns the fresh database file, as the service account would.
    monkeypatch.setenv("SUDO_USER", "rina")
    assert sqlite_office.identify().login == "rina"


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the file another owner")
def test_sudo_user_is_ignored_when_the_database_belongs_to_someone_else(sqlite_office, monkeypatch):
    path = Path(sqlite_office.db.engine.url.database)
    os.chown(path, 65534, 65534)  # nobody: this process is not the service account
    monkeypatch.setenv("SUDO_USER", "rina")
    assert sqlite_office.identify().login == os_login()


def test_unregistered_login_gets_a_clear_message(sqlite_url, monkeypatch):
    svc = Soptui(sqlite_url)
    svc.init(admin_login="someone-else")
    with pytest.raises(IdentityError) as err:
        svc.identify()
    assert os_login() in err.value.message() and "soptui user add" in err.value.message()
    svc.close()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_session_user_is_the_identity_when_configured(db_url, monkeypatch):
    svc = Soptui(db_url)
    svc.init(admin_login="someone-else")
    monkeypatch.setenv("SOPTUI_IDENTITY", "database")
    monkeypatch.setenv("SUDO_USER", "someone-else")  # not consulted in this mode
    assert svc.session_login() == "postgres"  # the role the test server authenticated
    with pytest.raises(IdentityError):
        svc.identify()
    svc.close()


def test_new_database_file_is_private(tmp_path):
    path = tmp_path / "kantor" / "soptui.sqlite"
    svc = Soptui(str(path))
    svc.init(admin_login="someone-else")
    svc.close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
