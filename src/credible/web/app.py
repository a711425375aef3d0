"""The application factory: ``create_app(settings)``.

Pages and the JSON API call the same capability services as the CLI; this module only
wires them: sessions and tokens, the security headers, error statuses, static files and
the background job worker.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credible import __version__
from credible.config import Settings
from credible.errors import (
    AccessError,
    AuthError,
    ConfigError,
    ConflictError,
    CredibleError,
    InputError,
    NotFoundError,
    RateLimitError,
    StoreError,
)
from credible.store import Store, open_store
from credible.web.auth import LoginRequired, identify
from credible.web.i18n import _
from credible.web.redact import Withheld

log = logging.getLogger("credible.web")

STATUS: tuple[tuple[type[CredibleError], int], ...] = (
    (AuthError, 401),
    (AccessError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (ConfigError, 422),
    (RateLimitError, 429),
    (StoreError, 503),
)

WEB_THREADS = 16

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class WebSettings:
    """How the server behaves, beside the store's settings."""

    secure_cookies: bool = False  # True behind HTTPS (the proxy terminates TLS)
    max_upload_mb: int = 200
    jobs: bool = True  # run queued jobs in a background thread of this process


def status_for(exc: CredibleError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


PUBLIC = ("/healthz", "/login")


async def _gate(request: Request) -> Response | None:
    """Refuse every anonymous request but the public ones, before any route or body is
    read: 401 for the API, a redirect to the sign-in page for a page."""
    path = request.url.path
    if path in PUBLIC or path.startswith("/static/"):
        return None
    if await run_in_threadpool(identify, request) is not None:
        return None
    if _wants_json(request):
        return JSONResponse(
            {"detail": _("sign in or send Authorization: Bearer TOKEN")},
            401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)


class Guard:
    """Around every request, as plain ASGI (Starlette's ``BaseHTTPMiddleware`` costs each
    request a task group and a stream): refuse a body larger than the upload limit, refuse
    the anonymous (``_gate``), and add the security headers to every response."""

    def __init__(self, app: ASGIApp, web: WebSettings) -> None:
        self.app = app
        self.web = web
        self.limit = web.max_upload_mb * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        static = request.url.path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if not static:
                    headers["Cache-Control"] = "no-store"
                if self.web.secure_cookies:
                    headers["Strict-Transport-Security"] = "max-age=63072000"
            await send(message)

        length = request.headers.get("content-length")
        refused: Response | None = None
        if length and length.isdigit() and int(length) > self.limit:
            refused = JSONResponse(
                {
                    "detail": _("the request is larger than %(mb)s MB")
                    % {"mb": self.web.max_upload_mb}
                },
                413,
            )
        else:
            refused = await _gate(request)
        if refused is not None:
            await refused(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)


def create_app(
    settings: Settings, web: WebSettings | None = None, store: Store | None = None
) -> FastAPI:
    web = web or WebSettings()
    store = store or open_store(settings, label="web")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Fewer request threads than the store's connections (POOL_SIZE + POOL_OVERFLOW):
        # under load, requests queue for a thread instead of timing out on the pool.
        to_thread.current_default_thread_limiter().total_tokens = WEB_THREADS
        worker = None
        if web.jobs:
            from credible.jobs import JobWorker

            worker = JobWorker(store)
            worker.start()
        yield
        if worker is not None:
            worker.stop()

    app = FastAPI(
        title="credible",
        version=__version__,
        description="Search, people, facilities, review and findings of a credible store.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.web = web
    app.state.settings = settings

    app.add_middleware(Guard, web=web)

    @app.exception_handler(CredibleError)
    async def credible_error(request: Request, exc: CredibleError) -> Response:
        status = status_for(exc)
        if _wants_json(request):
            body: dict[str, object] = {"detail": str(exc)}
            if isinstance(exc, InputError):
                body["problems"] = [str(p) for p in exc.problems[: exc.max_shown]]
            return JSONResponse(body, status)
        from credible.web.pages import error_page

        return error_page(request, status, str(exc))

    @app.exception_handler(Withheld)
    async def withheld(request: Request, exc: Withheld) -> Response:
        return await credible_error(request, NotFoundError("not found"))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request) or exc.status_code == 401:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        from credible.web.pages import error_page

        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:50]
        ]
        return JSONResponse({"detail": _("invalid request"), "problems": problems}, 422)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        # The trace goes to the server's log only, never to the client.
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": _("internal error; the server's log has the details")}, 500)

    static = resources.files("credible.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from credible.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    return app
