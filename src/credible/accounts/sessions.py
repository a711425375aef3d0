"""Signing in: rate-limited password checks and server-side browser sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from credible.accounts.users import User, _user, verify_password
from credible.errors import AuthError, RateLimitError
from credible.store import Store, schema

#: Failed sign-ins allowed per account name, and per client address, in ``WINDOW``.
LOGIN_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = timedelta(minutes=15)
SESSION_HOURS = 12


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _failures(store: Store, name: str, client: str) -> tuple[int, int]:
    a = schema.login_attempts
    since = _iso(_now() - WINDOW)
    with store.read() as conn:
        by_name = conn.execute(
            select(func.count()).where(a.c.name == name, a.c.ok == 0, a.c.at >= since)
        ).scalar_one()
        by_client = conn.execute(
            select(func.count()).where(a.c.client == client, a.c.ok == 0, a.c.at >= since)
        ).scalar_one()
    return int(by_name), int(by_client)


def authenticate(store: Store, name: str, password: str, client: str) -> User:
    """The user, if the name and password are right and the account is active.

    Refused with RateLimitError, before the password is even checked, once an account
    name or a client address has had too many failures in the last 15 minutes."""
    name, client = name[:100], client[:100]
    by_name, by_client = _failures(store, name, client)
    if by_name >= LOGIN_LIMIT or by_client >= CLIENT_LIMIT:
        raise RateLimitError("too many failed sign-ins: wait 15 minutes and try again")
    u = schema.users
    with store.read() as conn:
        row = conn.execute(
            select(
                u.c.id, u.c.name, u.c.role, u.c.disabled, u.c.created_at, u.c.password_hash
            ).where(u.c.name == name)
        ).first()
    ok = verify_password(row.password_hash if row is not None else None, password)
    ok = ok and row is not None and not row.disabled
    with store.working() as conn:
        conn.execute(
            schema.login_attempts.insert().values(
                name=name, client=client, ok=int(ok), at=_iso(_now())
            )
        )
    if not ok or row is None:
        raise AuthError("wrong name or password, or the account is disabled")
    return _user(row)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(store: Store, user: User) -> tuple[str, str]:
    """A new session for ``user``: (session id for the cookie, CSRF token)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    s = schema.web_sessions
    with store.working() as conn:
        conn.execute(s.delete().where(s.c.expires_at < _iso(now)))
        conn.execute(
            s.insert().values(
                session_hash=_hash(sid),
                user_id=user.id,
                csrf=csrf,
                created_at=_iso(now),
                expires_at=_iso(now + timedelta(hours=SESSION_HOURS)),
            )
        )
    return sid, csrf


def session_user(store: Store, session_id: str) -> tuple[User, str] | None:
    """The active user of a live session and its CSRF token, else None."""
    s, u = schema.web_sessions, schema.users
    stmt = (
        select(u.c.id, u.c.name, u.c.role, u.c.disabled, u.c.created_at, s.c.csrf)
        .join(s, s.c.user_id == u.c.id)
        .where(
            s.c.session_hash == _hash(session_id),
            s.c.expires_at > _iso(_now()),
            u.c.disabled == 0,
        )
    )
    with store.read() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else (_user(row), str(row.csrf))


def end_session(store: Store, session_id: str) -> None:
    s = schema.web_sessions
    with store.working() as conn:
        conn.execute(s.delete().where(s.c.session_hash == _hash(session_id)))
