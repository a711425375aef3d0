"""Users and roles. A role includes every weaker one: an analyst also reviews, an admin
also analyses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from credible.errors import ConflictError, InputError, NotFoundError, Problem
from credible.store import Store, now, schema

#: Weakest first. viewer reads (redacted); reviewer decides linkage pairs; analyst also
#: imports, runs jobs and judges acts and elements; admin also manages users.
ROLES: tuple[str, ...] = ("viewer", "reviewer", "analyst", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")

# argon2id with the library's defaults (RFC 9106's second recommended option).
_hasher = PasswordHasher()
# Verified against when the name is unknown, so that an unknown name costs as much time
# as a wrong password and does not tell that the name does not exist.
_DUMMY = _hasher.hash("not a password of anyone's")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str


def role_allows(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError([Problem("role", None, None, "one of " + ", ".join(ROLES), role)])
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(
            [Problem("password", None, None, f"at least {MIN_PASSWORD} characters")],
            summary="the password is too short; nothing was written",
        )
    return password


def add_user(store: Store, actor: str, name: str, role: str, password: str) -> int:
    if not _NAME.match(name):
        raise InputError(
            [Problem("user name", None, None, "letters, digits and . _ @ - (up to 100)", name)]
        )
    _check_role(role)
    check_password(password)
    users = schema.users
    with store.write(actor) as uow:
        taken = uow.conn.execute(select(users.c.id).where(users.c.name == name)).first()
        if taken is not None:
            raise ConflictError(f"a user named {name!r} exists already")
        return uow.insert(
            users,
            name=name,
            role=role,
            password_hash=_hasher.hash(password),
            disabled=0,
            created_at=now(),
        )


def _user(row: object) -> User:
    r = row._mapping  # type: ignore[attr-defined]
    return User(r["id"], r["name"], r["role"], bool(r["disabled"]), r["created_at"])


_COLUMNS = (
    schema.users.c.id,
    schema.users.c.name,
    schema.users.c.role,
    schema.users.c.disabled,
    schema.users.c.created_at,
)


def list_users(store: Store) -> list[User]:
    with store.read() as conn:
        return [_user(r) for r in conn.execute(select(*_COLUMNS).order_by(schema.users.c.name))]


def get_user(store: Store, user_id: int) -> User | None:
    with store.read() as conn:
        row = conn.execute(select(*_COLUMNS).where(schema.users.c.id == user_id)).first()
    return None if row is None else _user(row)


def disable_user(store: Store, actor: str, name: str) -> None:
    """Disable an account (kept, as the audit names it): its sessions and tokens stop
    working at once."""
    users = schema.users
    with store.write(actor) as uow:
        row = uow.conn.execute(select(users.c.id).where(users.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no user named {name!r}")
        uow.update(users, int(row[0]), disabled=1)
        uow.conn.execute(
            schema.web_sessions.delete().where(schema.web_sessions.c.user_id == int(row[0]))
        )


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
