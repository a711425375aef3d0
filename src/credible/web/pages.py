"""Server-rendered pages. Each gathers what a capability service returns, passes it
through ``redact`` (in ``render``) and fills a template; no business logic here."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from credible import __version__, catalog
from credible.accounts import (
    ROLES,
    authenticate,
    end_session,
    role_allows,
    start_session,
)
from credible.errors import CredibleError, NotFoundError
from credible.web import charts
from credible.web.api import Id
from credible.web.auth import COOKIE, Principal, csrf_checked, identify, page_role, store_of
from credible.web.i18n import DEFAULT_LOCALE, translations
from credible.web.redact import WITHHELD, redact, sees_everything

router = APIRouter(include_in_schema=False)

_env = Environment(
    loader=FileSystemLoader(str(resources.files("credible.web") / "templates")),
    autoescape=select_autoescape(("html",)),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]


def _number(value: Any) -> str:
    """A count as the interface's locale writes it (25,048 in English); a value that is
    not a number (withheld, missing) is shown as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return format_decimal(value, locale=DEFAULT_LOCALE)


_env.filters["number"] = _number

Viewer = Annotated[Principal, Depends(page_role("viewer"))]
Reviewer = Annotated[Principal, Depends(page_role("reviewer"))]
Analyst = Annotated[Principal, Depends(page_role("analyst"))]
Admin = Annotated[Principal, Depends(page_role("admin"))]


def render(
    request: Request, template: str, p: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """The one way a page is made: its data redacted for the user's role first."""
    if p is not None:
        context = redact(p.role, context)
    html = _env.get_template(template).render(
        request=request,
        user=p,
        csrf=p.csrf if p else "",
        roles=ROLES,
        can=lambda role: p is not None and role_allows(p.role, role),
        withheld=WITHHELD,
        version=__version__,
        **context,
    )
    return HTMLResponse(html, status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    try:
        p = identify(request)
    except CredibleError:
        p = None
    return render(request, "error.html", p, status, code=status, message=message)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never //host or a scheme (an open redirect).
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/search"
    return target


# ---- signing in ----------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/search",
) -> Response:
    store = store_of(request)
    client = request.client.host if request.client else "unknown"
    try:
        user = authenticate(store, name, password, client)
    except CredibleError as exc:
        from credible.web.app import status_for

        return render(
            request, "login.html", None, status_for(exc), next=_safe_next(next), error=str(exc)
        )
    sid, _ = start_session(store, user)
    response = _see_other(_safe_next(next))
    response.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        samesite="strict",
        secure=request.app.state.web.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, p: Annotated[Principal, Depends(csrf_checked("viewer"))]) -> Response:
    sid = request.cookies.get(COOKIE)
    if sid:
        end_session(store_of(request), sid)
    response = _see_other("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(p: Viewer) -> Response:
    return _see_other("/search")


# ---- search, people, sources -------------------------------------------------------------


@router.get("/search")
def search_page(
    request: Request,
    p: Viewer,
    q: Annotated[str, Query(max_length=200)] = "",
    source: Annotated[str, Query(max_length=200)] = "",
    facility: Annotated[str, Query(max_length=200)] = "",
    date_from: Annotated[str, Query(max_length=40)] = "",
    date_to: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    from credible.web.api import search_hits

    store = store_of(request)
    hits = (
        search_hits(request, p, q.strip(), source, facility, date_from, date_to, 100)
        if q.strip()
        else []
    )
    return render(
        request, "search.html", p,
        q=q, source=source, facility=facility, date_from=date_from, date_to=date_to,
        hits=hits, sources=catalog.sources(store), facilities=catalog.facilities(store),
        counts=catalog.counts(store),
    )  # fmt: skip


def _explanations(request: Request, person: dict[str, Any]) -> list[dict[str, Any]]:
    from credible.linkage import explain

    store = store_of(request)
    by_id = {r["id"]: r for r in person["records"]}
    out = []
    for pair in person["pairs"][:4]:
        a, b = by_id.get(pair["record_l"]), by_id.get(pair["record_r"])
        if a is None or b is None:
            continue
        try:
            chart = charts.waterfall(explain(store, a["id"], b["id"]))
        except CredibleError:
            continue
        # Marked as the records are, so that the redaction step treats the values alike.
        chart["confidential"] = a["confidential"] or b["confidential"]
        chart["bars"] = [
            {**bar, "role": "witness" if "witness" in (a["role"], b["role"]) else None}
            for bar in chart["bars"]
        ]
        out.append(chart)
    return out


@router.get("/persons/{person_id}")
def person_page(request: Request, p: Viewer, person_id: Id) -> HTMLResponse:
    person = catalog.person(store_of(request), person_id)
    return render(
        request, "person.html", p, person=person, explanations=_explanations(request, person)
    )


@router.get("/records/{record_id}")
def record_page(request: Request, p: Viewer, record_id: Id) -> Response:
    rec = redact(p.role, catalog.record(store_of(request), record_id))
    if rec.get("person_id"):
        return _see_other(f"/persons/{rec['person_id']}")
    person = {"id": None, "size": 1, "records": [rec], "pairs": [], "label": None}
    return render(request, "person.html", p, person=person, explanations=[])


@router.get("/sources")
def sources_page(request: Request, p: Viewer) -> HTMLResponse:
    return render(request, "sources.html", p, sources=catalog.sources(store_of(request)))


@router.get("/sources/{source_id}")
def source_page(request: Request, p: Viewer, source_id: Id) -> HTMLResponse:
    return render(request, "source.html", p, source=catalog.source(store_of(request), source_id))


# ---- facilities ------------------------------------------------------------------------


@router.get("/facilities")
def facilities_page(request: Request, p: Viewer) -> HTMLResponse:
    return render(request, "facilities.html", p, facilities=catalog.facilities(store_of(request)))


@router.get("/facilities/{facility_id}")
def facility_page(request: Request, p: Viewer, facility_id: Id) -> HTMLResponse:
    facility = catalog.facility(store_of(request), facility_id)
    return render(
        request, "facility.html", p,
        facility=facility, timeline=charts.timeline(facility["observations"]),
    )  # fmt: skip


# ---- review ---------------------------------------------------------------------------


@router.get("/review")
def review_page(request: Request, p: Reviewer) -> HTMLResponse:
    from credible.linkage import describe, next_pair

    store = store_of(request)
    try:
        pair = next_pair(store, p.name)
    except NotFoundError as exc:
        return render(request, "review.html", p, pair=None, empty=str(exc))
    lines = None
    chart = None
    if pair is not None:
        lines = list(zip(describe(pair.record_l), describe(pair.record_r), strict=True))
        from credible.linkage import explain

        try:
            chart = charts.waterfall(
                explain(store, pair.record_l["record_id"], pair.record_r["record_id"])
            )
        except CredibleError:
            chart = None
    return render(
        request, "review.html", p,
        pair=dataclasses.asdict(pair) if pair else None, lines=lines, chart=chart, empty=None,
    )  # fmt: skip


@router.post("/review/{pair_id}")
def review_decide(
    request: Request,
    pair_id: str,
    p: Annotated[Principal, Depends(csrf_checked("reviewer"))],
    decision: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    from credible.linkage import decide_leased

    decide_leased(store_of(request), p.name, pair_id, decision, note)
    return _see_other("/review?" + urlencode({"decided": pair_id}))


# ---- acts, findings, runs, report ------------------------------------------------------


@router.get("/acts")
def acts_page(
    request: Request,
    p: Viewer,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    type: Annotated[str, Query(max_length=60)] = "",
) -> HTMLResponse:
    store = store_of(request)
    return render(
        request, "acts.html", p,
        acts=catalog.acts(
            store, 100, offset, type or None, exclude_confidential=not sees_everything(p.role)
        ),
        assessment=catalog.assessment(store),
        offset=offset, type=type,
    )  # fmt: skip


@router.get("/acts/{act_id}")
def act_page(request: Request, p: Viewer, act_id: Id) -> HTMLResponse:
    return render(request, "act.html", p, act=catalog.act(store_of(request), act_id))


@router.post("/assessment/judge")
def judge(
    request: Request,
    p: Annotated[Principal, Depends(csrf_checked("analyst"))],
    element: Annotated[str, Form(max_length=100)],
    met: Annotated[str, Form(max_length=3)],
    rationale: Annotated[str, Form(min_length=1, max_length=10_000)],
    standard: Annotated[str, Form(max_length=100)] = "reasonable_grounds_to_believe",
) -> Response:
    from credible.web.models import JudgeElement
    from credible.web.services import judge_element

    body = JudgeElement(element=element, met=met, rationale=rationale, standard=standard)  # type: ignore[arg-type]
    judge_element(store_of(request), p.name, body)
    return _see_other("/acts")


@router.get("/runs")
def runs_page(request: Request, p: Viewer) -> HTMLResponse:
    from credible.jobs import list_jobs

    store = store_of(request)
    jobs = (
        [dataclasses.asdict(j) for j in list_jobs(store, 20)]
        if role_allows(p.role, "analyst")
        else []
    )
    return render(
        request, "runs.html", p,
        runs=catalog.runs(store), jobs=jobs, report=_report_dir(request, p).exists(),
    )  # fmt: skip


@router.post("/runs/start")
def start_job(
    request: Request,
    p: Annotated[Principal, Depends(csrf_checked("analyst"))],
    kind: Annotated[str, Form(max_length=20)],
) -> Response:
    from credible.jobs import submit_job

    submit_job(store_of(request), p.name, kind, {})
    return _see_other("/runs")


def _report_root(request: Request) -> Path:
    settings = request.app.state.settings
    store = store_of(request)
    return Path(settings.home) / "web-reports" / store.keys.fingerprint[:16]


def _report_dir(request: Request, p: Principal) -> Path:
    # A viewer reads the public (redacted) edition only.
    edition = "internal" if sees_everything(p.role) else "public"
    return _report_root(request) / edition


@router.post("/report/build")
def build_report_page(
    request: Request,
    p: Annotated[Principal, Depends(csrf_checked("analyst"))],
    confirm: Annotated[str, Form(pattern="^yes$")],
) -> Response:
    """Render both editions of the report from the stored runs (no PDF)."""
    from credible.report import build_report

    root = _report_root(request)
    for edition in ("internal", "public"):
        build_report(store_of(request), root / edition, edition=edition, pdf=False)
    return _see_other("/report")


@router.get("/report")
def report_page(request: Request, p: Viewer) -> Response:
    index = _report_dir(request, p) / "index.html"
    if not index.is_file():
        raise NotFoundError("no report has been built yet (an analyst builds it on Runs)")
    response = FileResponse(index, media_type="text/html")
    # The report is one self-contained page (its styles inline, no script at all).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    )
    return response


# ---- imports, jobs, users --------------------------------------------------------------


@router.get("/import")
def import_form(request: Request, p: Analyst) -> HTMLResponse:
    from credible.model import KINDS

    return render(request, "import.html", p, kinds=list(KINDS), result=None)


@router.post("/import")
async def import_page(
    request: Request,
    p: Annotated[Principal, Depends(csrf_checked("analyst"))],
    file: Annotated[Any, File()],
    source: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=40)] = "",
) -> HTMLResponse:
    from credible.model import KINDS
    from credible.web.uploads import import_upload

    result = await import_upload(request, p.name, file, source, kind or None)
    return render(
        request, "import.html", p, kinds=list(KINDS),
        result={"rows": result.rows, "kind": result.kind, "source": result.source,
                "already": result.already_imported, "warnings": list(result.warnings)},
    )  # fmt: skip


@router.get("/users")
def users_page(request: Request, p: Admin) -> HTMLResponse:
    from credible.accounts import list_users

    users = [dataclasses.asdict(u) for u in list_users(store_of(request))]
    return render(request, "users.html", p, users=users)


@router.post("/users")
def users_add(
    request: Request,
    p: Annotated[Principal, Depends(csrf_checked("admin"))],
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    from credible.accounts import add_user

    add_user(store_of(request), p.name, name, role, password)
    return _see_other("/users")
