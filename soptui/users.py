"""Clerks, their roles, and who is acting."""

from __future__ import annotations

import pwd
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from soptui import audit
from soptui.actors import DEMO_KEY, Lookups, UserRecord, actor_of, identify, office_today
from soptui.catalog_store import CatalogStore
from soptui.db.engine import Database
from soptui.db.models import Delegation, Setting, User, UserRole
from soptui.errors import InputError, NotFoundError, PermissionDenied, RuleError
from soptui.identity import ADMIN_ROLE, Actor, os_login
from soptui.inbox_marks import InboxMarks
from soptui.validate import NAME_MAX, clean_text, guarded, normalise_nip
from soptui.views import DelegationView, UserView


def _user_query(login: str) -> Select[Any]:
    return select(User.id, User.login, User.name, User.active).where(User.login == login)


def _roles_query(user_id: int) -> Select[Any]:
    return select(UserRole.role_key).where(UserRole.user_id == user_id)


def _demo_query() -> Select[Any]:
    return select(Setting.value).where(Setting.key == DEMO_KEY)


def _delegations_query(user_id: int, today: date) -> Select[Any]:
    """(principal login, principal's role) of today's delegations to the user."""
    return (
        select(User.login, UserRole.role_key)
        .select_from(Delegation)
        .join(User, User.id == Delegation.principal_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            Delegation.delegate_id == user_id,
            Delegation.revoked_at.is_(None),
            Delegation.start_date <= today,
            Delegation.end_date >= today,
        )
        .order_by(Delegation.id, UserRole.role_key)
    )


# The statements behind soptui.actors.Lookups, by name.
IDENTITY_QUERIES: dict[str, Callable[..., Select[Any]]] = {
    "user": _user_query,
    "roles": _roles_query,
    "demo": _demo_query,
    "delegations": _delegations_query,
}


def _lookups(s: Session) -> Lookups:
    return Lookups(lambda name, **inputs: s.execute(IDENTITY_QUERIES[name](**inputs)).all())


def _actor(s: Session, user: User, today: date) -> Actor:
    """The user with their own roles plus those delegated to them for today."""
    record = UserRecord(user.id, user.login, user.name, user.active)
    return actor_of(_lookups(s), record, today)


def _view(user: User) -> UserView:
    return UserView(
        user.id,
        user.login,
        user.name,
        user.nip,
        user.jabatan,
        tuple(sorted(r.role_key for r in user.roles)),
        user.active,
    )


@guarded
class UserService:
    def __init__(self, db: Database, catalogs: CatalogStore, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.catalogs = catalogs
        self.clock = clock

    def preference(self, actor: Actor, key: str) -> str:
        """One of the clerk's own settings (soptui.inbox_marks.PREFERENCES)."""
        return InboxMarks(self.db, self.clock).preference(actor, key)

    def set_preference(self, actor: Actor, key: str, value: str) -> None:
        InboxMarks(self.db, self.clock).set_preference(actor, key, value)

    def resolve_role(self, s: Session, value: str) -> str:
        """A role given by key or by its name as written in the SOPs."""
        wanted = value.strip().lower()
        if wanted == ADMIN_ROLE:
            return ADMIN_ROLE
        known = self.catalogs.all_role_keys(s)
        for key, name in known.items():
            if wanted in (key.lower(), name.lower()):
                return key
        raise InputError("err.unknown_role", role=value)

    def add(
        self,
        actor: Actor | None,
        login: str,
        *,
        name: str,
        roles: Iterable[str],
        nip: str | None = None,
        jabatan: str | None = None,
    ) -> UserView:
        """Register a clerk. Only an admin may, except for the very first user."""
        clean_login = clean_text(login, "Login", max_len=64, required=True)
        assert clean_login is not None
        if not clean_login.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InputError("err.empty", field="Login")
        clean_name = clean_text(name, "Nama", max_len=NAME_MAX, required=True)
        clean_jabatan = clean_text(jabatan, "Jabatan", max_len=NAME_MAX)
        clean_nip = normalise_nip(nip)
        with self.db.write() as s:
            has_users = s.execute(select(func.count()).select_from(User)).scalar_one() > 0
            if has_users and (actor is None or not actor.is_admin):
                raise PermissionDenied("err.admin_only")
            role_keys = sorted({self.resolve_role(s, r) for r in roles})
            if not has_users and ADMIN_ROLE not in role_keys:
                role_keys.append(ADMIN_ROLE)  # whoever sets up the database administers it
            if s.execute(select(User).where(User.login == clean_login)).scalar_one_or_none():
                raise RuleError("err.user_exists", login=clean_login)
            user = User(
                login=clean_login,
                name=clean_name,
                nip=clean_nip,
                jabatan=clean_jabatan,
                active=True,
                created_at=self.clock(),
            )
            user.roles = [UserRole(role_key=k) for k in role_keys]
            s.add(user)
            s.flush()
            audit.append(
                s,
                at=self.clock(),
                kind="user_added",
                actor_id=actor.id if actor is not None else None,
                data={"id": user.id, "login": clean_login, "roles": role_keys},
            )
            return _view(user)

    def list(self) -> list[UserView]:
        with self.db.read() as s:
            return [_view(u) for u in s.execute(select(User).order_by(User.login)).scalars()]

    def today(self) -> date:
        return office_today(self.clock())

    def actor(self, login: str) -> Actor:
        with self.db.read() as s:
            user = s.execute(select(User).where(User.login == login)).scalar_one_or_none()
            if user is None or not user.active:
                raise NotFoundError("err.user_not_found", login=login)
            return _actor(s, user, self.today())

    def delegate(
        self,
        actor: Actor,
        principal: str,
        delegate: str,
        *,
        start: date,
        end: date,
        kind: str = "plh",
        note: str | None = None,
    ) -> int:
        """Plt/Plh: `delegate` may act in `principal`'s roles from start to end
        (inclusive); what they do so is recorded on the principal's behalf."""
        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        if kind not in ("plt", "plh"):
            raise InputError("err.bad_delegation_kind", value=kind)
        if end < start:
            raise InputError("err.bad_range")
        text = clean_text(note, "Catatan", max_len=NAME_MAX) or ""
        with self.db.write() as s:
            users = {
                u.login: u
                for u in s.execute(
                    select(User).where(User.login.in_([principal, delegate]))
                ).scalars()
            }
            for login in (principal, delegate):
                if login not in users:
                    raise NotFoundError("err.user_not_found", login=login)
            if principal == delegate:
                raise InputError("err.self_delegation")
            row = Delegation(
                principal_id=users[principal].id,
                delegate_id=users[delegate].id,
                kind=kind,
                start_date=start,
                end_date=end,
                note=text,
                created_at=self.clock(),
                created_by=actor.id,
            )
            s.add(row)
            s.flush()
            audit.append(
                s,
                at=self.clock(),
                kind="delegation",
                actor_id=actor.id,
                note=text or None,
                data={
                    "id": row.id,
                    "principal": principal,
                    "delegate": delegate,
                    "kind": kind,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                },
            )
            return row.id

    def revoke_delegation(self, actor: Actor, delegation_id: int) -> None:
        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        with self.db.write() as s:
            row = s.get(Delegation, delegation_id)
            if row is None or row.revoked_at is not None:
                raise NotFoundError("err.delegation_not_found", id=delegation_id)
            row.revoked_at = self.clock()
            audit.append(
                s,
                at=self.clock(),
                kind="delegation_revoked",
                actor_id=actor.id,
                data={"id": delegation_id},
            )

    def delegations(self) -> list[DelegationView]:
        with self.db.read() as s:
            logins = {uid: login for uid, login in s.execute(select(User.id, User.login))}
            return [
                DelegationView(
                    d.id,
                    logins[d.principal_id],
                    logins[d.delegate_id],
                    d.kind,
                    d.start_date,
                    d.end_date,
                    d.note,
                    d.revoked_at is not None,
                )
                for d in s.execute(select(Delegation).order_by(Delegation.id)).scalars()
            ]

    def is_demo(self) -> bool:
        with self.db.read() as s:
            row = s.get(Setting, DEMO_KEY)
            return row is not None and row.value == "1"

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.execute(select(func.count()).select_from(User)).scalar_one())

    def identify(self, requested: str | None = None, *, login: str | None = None) -> Actor:
        """The clerk at the keyboard: the OS login. Acting as another login
        (--user) is honoured only on a demo database or for an admin."""
        me_login = login or os_login()
        with self.db.read() as s:
            return identify(_lookups(s), requested, me_login, self.today())


def os_full_name(login: str) -> str:
    try:
        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except KeyError:
        gecos = ""
    return gecos or login
