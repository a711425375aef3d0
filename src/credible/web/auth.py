"""Who is asking: a browser session (cookie + CSRF token) or an API token (Bearer).

Routes declare the weakest role they admit with ``api_role(...)`` or ``page_role(...)``;
anonymous requests get 401 (API) or a redirect to the sign-in page (pages), a role too
weak gets 403.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Form, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from credible.accounts import User, role_allows, session_user, user_for_token
from credible.store import Store
from credible.web.i18n import _

COOKIE = "credible_session"


@dataclass(frozen=True)
class Principal:
    user: User
    csrf: str | None  # the session's CSRF token; None for a Bearer token

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role


class LoginRequired(Exception):
    """A page asked for without a session: the handler redirects to the sign-in page."""


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def identify(request: Request) -> Principal | None:
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    store = store_of(request)
    principal = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = user_for_token(store, header[7:].strip())
        principal = Principal(user, None) if user else None
    else:
        sid = request.cookies.get(COOKIE)
        found = session_user(store, sid) if sid else None
        principal = Principal(*found) if found else None
    request.state.principal = principal
    return principal


def _check_header_csrf(request: Request, p: Principal) -> None:
    # A write authorised by the session cookie must carry the session's CSRF token
    # (a Bearer token cannot be sent by another site, a cookie can).
    if p.csrf is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token", "")
        if not secrets.compare_digest(sent.encode(), p.csrf.encode()):
            raise HTTPException(403, _("missing or wrong X-CSRF-Token header"))


async def _identified(request: Request) -> Principal | None:
    """The principal the gate found for this request (the store is read only when it was
    not asked: a route mounted without the gate)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    return await run_in_threadpool(identify, request)


# The role checks are coroutines: they only read what the gate found, and a plain
# function would cost every request a hop to a worker thread and back.
def api_role(role: str) -> Callable[[Request], Awaitable[Principal]]:
    async def dependency(request: Request) -> Principal:
        p = await _identified(request)
        if p is None:
            raise HTTPException(
                401, _("sign in or send Authorization: Bearer TOKEN"),
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
        if not role_allows(p.role, role):
            raise HTTPException(403, _("this needs the %(role)s role") % {"role": role})
        _check_header_csrf(request, p)
        return p

    return dependency


def page_role(role: str) -> Callable[[Request], Awaitable[Principal]]:
    async def dependency(request: Request) -> Principal:
        p = await _identified(request)
        if p is None or p.csrf is None:
            raise LoginRequired
        if not role_allows(p.role, role):
            raise HTTPException(403, _("this page needs the %(role)s role") % {"role": role})
        return p

    return dependency


def csrf_checked(role: str) -> Callable[..., Principal]:
    """For a form POST: the page role, and the form's csrf_token equal to the session's."""

    def dependency(
        request: Request,
        csrf_token: str = Form(""),
        p: Principal = Depends(page_role(role)),
    ) -> Principal:
        assert p.csrf is not None
        if not secrets.compare_digest(csrf_token.encode(), p.csrf.encode()):
            raise HTTPException(403, _("the form's security token is missing or out of date"))
        return p

    return dependency
