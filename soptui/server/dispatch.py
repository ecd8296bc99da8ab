"""From a Call to a service method: the whitelist, the caller put in the
actor's place, every argument converted to its declared type, errors as
Failures. The only way a request reaches the services."""

from __future__ import annotations

import inspect
import logging
import time
import typing
from dataclasses import dataclass
from typing import Any

import msgspec

from soptui import errors
from soptui.errors import InputError, PermissionDenied, SoptuiError
from soptui.i18n import set_thread_language
from soptui.identity import Actor
from soptui.protocol import ME, OPS, Call, Failure, Op, Reply, convert, encode
from soptui.service import Soptui

log = logging.getLogger("soptui.server")
LANGUAGES = ("id", "en")
# What a connection that is no registered clerk may still ask the office
# server: who it is (the reason it is refused), whether the database is new,
# and the set-up operations, which check the caller themselves. Everything
# else, reads included, needs a registered clerk.
OPEN_OPS = frozenset({"whoami", "token", "is_empty", "init", "demo", "users.add", "users.count"})
KNOWN_FOR = 30.0  # seconds a caller found registered is not looked up again for reads


@dataclass(frozen=True)
class Caller:
    """Who is on the other end, as the kernel said (SO_PEERCRED)."""

    uid: int
    login: str
    as_user: str | None  # asked for in Hello; honoured as users.identify says
    server_uid: int
    private: bool

    @property
    def is_operator(self) -> bool:
        """root or the server's own account: the one who set the server up."""
        return self.uid in (0, self.server_uid)


@dataclass(frozen=True)
class Target:
    op: Op
    owner: Any  # the service object; its method is looked up at each call
    name: str
    signature: inspect.Signature
    hints: dict[str, Any]
    actor_param: str | None


class Dispatcher:
    def __init__(self, svc: Soptui) -> None:
        self.svc = svc
        self._known: dict[Caller, float] = {}  # caller -> when last found registered
        self.targets = {
            name: self._target(name, op)
            for name, op in OPS.items()
            if not name.startswith("server.")  # the server answers those itself
        }

    def _target(self, name: str, op: Op) -> Target:
        owner: Any = self.svc
        *path, method_name = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        method = getattr(owner, method_name)
        signature = inspect.signature(method)
        hints = typing.get_type_hints(method)
        params = list(signature.parameters)
        actor_param = params[0] if op.actor and params else None
        if op.actor and (actor_param is None or "Actor" not in str(hints.get(actor_param))):
            raise TypeError(f"{name}: an actor operation whose first parameter is no Actor")
        return Target(op, owner, method_name, signature, hints, actor_param)

    # ----- one call ------------------------------------------------------------------

    def handle(self, call: Call, caller: Caller) -> tuple[Reply, bool]:
        """The reply, and whether the call changed anything."""
        try:
            set_thread_language(call.lang if call.lang in LANGUAGES else None)
            result, wrote = self._run(call, caller)
            return Reply(call.id, result=msgspec.Raw(encode(result))), wrote
        except SoptuiError as exc:
            return Reply(call.id, failure=failure_of(exc)), False
        except Exception:
            log.exception("op %s failed", call.op)
            return Reply(call.id, failure=Failure("ServerError", "err.server_internal")), False
        finally:
            set_thread_language(None)

    def _run(self, call: Call, caller: Caller) -> tuple[Any, bool]:
        target = self.targets.get(call.op)
        if target is None:
            raise InputError("err.server_op", op=call.op[:80])
        op = target.op
        if not caller.private and call.op not in OPEN_OPS:
            self._registered(caller)
        args = list(call.args)
        kwargs = dict(call.kwargs)
        if target.actor_param is not None:
            given = (
                kwargs.pop(target.actor_param)
                if target.actor_param in kwargs
                else (args.pop(0) if args else None)
            )
            args.insert(0, self._actor(given, call.op, caller))
        if call.op == "init":
            return self._init(caller), True
        if call.op == "demo":
            return self._demo(caller, *args, **kwargs), True
        try:
            bound = target.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise InputError("err.server_args", op=call.op, detail=str(exc)) from exc
        for name, value in bound.arguments.items():
            if name == target.actor_param:
                continue
            kind = target.hints.get(name)
            if kind is None:
                continue
            param = target.signature.parameters[name]
            if param.kind is param.VAR_KEYWORD:
                kind = dict[str, kind]
            elif param.kind is param.VAR_POSITIONAL:
                kind = tuple[kind, ...]
            try:
                bound.arguments[name] = convert(value, kind)
            except msgspec.ValidationError as exc:
                raise InputError("err.server_args", op=call.op, detail=str(exc)) from exc
            if not _fits(bound.arguments[name]):
                raise InputError("err.server_args", op=call.op, detail=f"{name}: out of range")
        result = getattr(target.owner, target.name)(*bound.args, **bound.kwargs)
        return result, op.write

    def _actor(self, given: Any, name: str, caller: Caller) -> Actor | None:
        op = OPS[name]
        # The first user of a database (its admin) is added by nobody, as
        # `soptui init` does: only by root or the server's account (a private
        # server's user is its account), never by whoever connects first to an
        # office server. With users, users.add refuses anyone but an admin.
        if given is None and op.actor == "optional":
            if name == "users.add" and not caller.is_operator and self.svc.users.count() == 0:
                raise PermissionDenied("err.server_first_admin")
            return None
        if given != ME:
            raise InputError("err.server_args", op="actor", detail="")
        try:
            actor = self.identify(caller)
        except errors.IdentityError:
            if op.actor == "optional" and caller.is_operator and self.svc.users.count() == 0:
                return None
            raise
        if op.admin and not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        return actor

    def _registered(self, caller: Caller) -> None:
        """Raise why not, unless the caller is a registered clerk (or may act
        as the login asked for in Hello)."""
        now = time.monotonic()
        seen = self._known.get(caller)
        if seen is not None and now - seen < KNOWN_FOR:
            return
        self.identify(caller)
        self._known[caller] = now

    def identify(self, caller: Caller) -> Actor:
        return self.svc.users.identify(caller.as_user, login=caller.login)

    def _init(self, caller: Caller) -> tuple[int, str | None]:
        """Upgrade the schema and refresh the catalog. On a database without
        users the caller becomes its admin: on a private server always (it is
        theirs), on the office server only root or the server's account."""
        if self.svc.users.count() == 0:  # the server made the schema at start
            if not (caller.private or caller.is_operator):
                raise PermissionDenied("err.server_first_admin")
            return self.svc.init(admin_login=caller.login)
        actor = self.identify(caller)
        if not actor.is_admin:
            raise PermissionDenied("err.admin_only")
        return self.svc.init(admin_login=caller.login)

    def _demo(self, caller: Caller, *, force: bool = False) -> tuple[int, int]:
        """The demo fills a private server's empty (or demo) database; on the
        office server only its operator may, and never over real records."""
        if not (caller.private or caller.is_operator):
            raise PermissionDenied("err.server_demo")
        return self.svc.demo(force=bool(force))


INT64 = range(-(2**63), 2**63)


def _fits(value: Any) -> bool:
    """Every integer in an argument fits the databases' 64-bit integers."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in INT64
    if isinstance(value, list | tuple | set | frozenset):
        return all(_fits(v) for v in value)
    if isinstance(value, dict):
        return all(_fits(v) for v in value.values())
    return True


def failure_of(exc: SoptuiError) -> Failure:
    params = {k: v for k, v in exc.params.items() if _sendable(v)}
    return Failure(type(exc).__name__, exc.key, params)


def _sendable(value: Any) -> bool:
    try:
        encode(value)
    except (TypeError, NotImplementedError, OverflowError):
        return False
    return True
