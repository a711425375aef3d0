"""API tokens for scripts: 256 random bits, shown once; the store keeps their SHA-256
(a token is not a password: it is long and random, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from credible.accounts.users import User, _user
from credible.errors import NotFoundError
from credible.store import Store, now, schema

PREFIX = "cred_"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    label: str | None
    created_at: str
    revoked_at: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, actor: str, name: str, label: str | None = None) -> str:
    """A new token for user ``name``; the only time it is ever shown."""
    users = schema.users
    token = PREFIX + secrets.token_urlsafe(32)
    with store.write(actor) as uow:
        row = uow.conn.execute(
            select(users.c.id).where(users.c.name == name, users.c.disabled == 0)
        ).first()
        if row is None:
            raise NotFoundError(f"no active user named {name!r}")
        uow.insert(
            schema.api_tokens,
            user_id=int(row[0]),
            label=label,
            token_hash=token_hash(token),
            created_at=now(),
            revoked_at=None,
        )
    return token


def list_tokens(store: Store, name: str | None = None) -> list[TokenInfo]:
    t, u = schema.api_tokens, schema.users
    stmt = (
        select(t.c.id, u.c.name, t.c.label, t.c.created_at, t.c.revoked_at)
        .join(u, u.c.id == t.c.user_id)
        .order_by(t.c.id)
    )
    if name is not None:
        stmt = stmt.where(u.c.name == name)
    with store.read() as conn:
        return [TokenInfo(*r) for r in conn.execute(stmt)]


def revoke_token(store: Store, actor: str, token_id: int) -> None:
    t = schema.api_tokens
    with store.write(actor) as uow:
        row = uow.conn.execute(select(t.c.revoked_at).where(t.c.id == token_id)).first()
        if row is None:
            raise NotFoundError(f"no API token with id {token_id}")
        if row[0] is None:
            uow.update(t, token_id, revoked_at=now())


def user_for_token(store: Store, token: str) -> User | None:
    """The active user a live token belongs to, else None."""
    t, u = schema.api_tokens, schema.users
    stmt = (
        select(u.c.id, u.c.name, u.c.role, u.c.disabled, u.c.created_at)
        .join(t, t.c.user_id == u.c.id)
        .where(t.c.token_hash == token_hash(token), t.c.revoked_at.is_(None), u.c.disabled == 0)
    )
    with store.read() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else _user(row)
