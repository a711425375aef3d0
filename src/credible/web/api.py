"""The JSON API under /api/v1: thin routes over the capability services; every body that
leaves passes through ``redact`` (``_out``)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile

from credible import __version__, catalog
from credible.errors import NotFoundError
from credible.web import models as m
from credible.web.auth import Principal, api_role, store_of
from credible.web.redact import redact, sees_everything
from credible.web.uploads import import_upload

router = APIRouter()
V1 = "/api/v1"

Viewer = Annotated[Principal, Depends(api_role("viewer"))]
Reviewer = Annotated[Principal, Depends(api_role("reviewer"))]
Analyst = Annotated[Principal, Depends(api_role("analyst"))]
Admin = Annotated[Principal, Depends(api_role("admin"))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
#: A row id: a 32-bit integer, as the store's columns are.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _out(p: Principal, data: Any) -> Any:
    return redact(p.role, data)


@router.get("/healthz", response_model=m.Health, tags=["service"])
def healthz() -> dict[str, str]:
    """Answers without a login: the service is up."""
    return {"status": "ok", "version": __version__}


@router.get(f"{V1}/me", response_model=m.Me, tags=["service"])
def me(p: Viewer) -> dict[str, str]:
    return {"name": p.name, "role": p.role}


def search_hits(request: Request, p: Principal, q: str, source: str | None,
                facility: str | None, date_from: str | None, date_to: str | None,
                limit: int) -> list[dict[str, Any]]:  # fmt: skip
    """The cross-script search service's hits, each marked for the redaction step."""
    from credible.search import SearchFilters, search_people

    store = store_of(request)
    filters = SearchFilters(
        source=source or None,
        facility=facility or None,
        date_from=date_from or None,
        date_to=date_to or None,
        # Dropped by the redaction step anyway; asked for here so they take no place
        # among a viewer's hits.
        exclude_confidential=not sees_everything(p.role),
    )
    # each hit carries its source's confidentiality (``confidential``), which the
    # redaction step acts on
    # a hit's fields are plain values: copied as they are (``dataclasses.asdict`` deep-
    # copies each one, a millisecond a page of hits)
    hits = [dict(vars(h)) for h in search_people(store, q, filters, limit=limit)]
    return list(_out(p, hits))


@router.get(f"{V1}/search", response_model=m.SearchResult, tags=["search"])
def search(
    request: Request,
    p: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=200, description="A name in any script")],
    source: Annotated[str | None, Query(max_length=200)] = None,
    facility: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Annotated[str | None, Query(max_length=40)] = None,
    date_to: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    """People whose name matches ``q`` in any script (古丽, گۈلى, Гули and Guli alike)."""
    hits = search_hits(request, p, q, source, facility, date_from, date_to, limit)
    return {"query": q, "hits": hits}


@router.get(f"{V1}/records", response_model=list[m.Record], tags=["people"])
def records(request: Request, p: Viewer, limit: Limit = 100, offset: Offset = 0) -> Any:
    return _out(
        p,
        catalog.records(
            store_of(request),
            limit=limit,
            offset=offset,
            exclude_confidential=not sees_everything(p.role),
        ),
    )


@router.get(f"{V1}/records/{{record_id}}", response_model=m.Record, tags=["people"])
def record(request: Request, p: Viewer, record_id: Id) -> Any:
    return _out(p, catalog.record(store_of(request), record_id))


@router.get(f"{V1}/persons", response_model=list[m.PersonSummary], tags=["people"])
def persons(request: Request, p: Viewer, limit: Limit = 100, offset: Offset = 0) -> Any:
    return _out(p, catalog.persons(store_of(request), limit, offset))


@router.get(f"{V1}/persons/{{person_id}}", response_model=m.Person, tags=["people"])
def person(request: Request, p: Viewer, person_id: Id) -> Any:
    return _out(p, catalog.person(store_of(request), person_id))


@router.get(f"{V1}/sources", response_model=list[m.Source], tags=["sources"])
def sources(request: Request, p: Viewer) -> Any:
    return _out(p, catalog.sources(store_of(request)))


@router.get(f"{V1}/sources/{{source_id}}", response_model=m.SourceDetail, tags=["sources"])
def source(request: Request, p: Viewer, source_id: Id) -> Any:
    return _out(p, catalog.source(store_of(request), source_id))


@router.get(
    f"{V1}/facilities",
    response_model=list[m.Facility] | m.GeoJSON,
    tags=["facilities"],
)
def facilities(request: Request, p: Viewer, format: Literal["json", "geojson"] = "json") -> Any:
    """Facilities; ``format=geojson`` gives a FeatureCollection for the map."""
    store = store_of(request)
    if format == "geojson":
        return _out(p, catalog.facilities_geojson(store))
    return _out(p, catalog.facilities(store))


@router.get(
    f"{V1}/facilities/{{facility_id}}", response_model=m.FacilityDetail, tags=["facilities"]
)
def facility(request: Request, p: Viewer, facility_id: Id) -> Any:
    return _out(p, catalog.facility(store_of(request), facility_id))


@router.get(f"{V1}/basemap", response_model=m.GeoJSON, tags=["facilities"])
def basemap(p: Viewer) -> Any:
    """The offline boundary layer the report's map uses (GeoJSON)."""
    from credible import report

    layer = getattr(report, "base_map_geojson", None)
    return layer() if layer else {"type": "FeatureCollection", "features": []}


@router.get(f"{V1}/acts", response_model=list[m.Act], tags=["acts"])
def acts(
    request: Request,
    p: Viewer,
    limit: Limit = 100,
    offset: Offset = 0,
    type: Annotated[str | None, Query(max_length=60)] = None,
) -> Any:
    return _out(
        p,
        catalog.acts(
            store_of(request),
            limit,
            offset,
            type,
            exclude_confidential=not sees_everything(p.role),
        ),
    )


@router.get(f"{V1}/acts/{{act_id}}", response_model=m.ActDetail, tags=["acts"])
def act(request: Request, p: Viewer, act_id: Id) -> Any:
    return _out(p, catalog.act(store_of(request), act_id))


@router.get(f"{V1}/assessment", response_model=m.Assessment, tags=["acts"])
def assessment(request: Request, p: Viewer) -> Any:
    found = catalog.assessment(store_of(request))
    if found is None:
        raise NotFoundError("no assessment run in the store yet")
    return _out(p, found)


@router.post(
    f"{V1}/assessment/judgements", response_model=m.Created, status_code=201, tags=["acts"]
)
def judge(request: Request, p: Analyst, body: m.JudgeElement) -> dict[str, int]:
    """An analyst's judgement on an element of crimes against humanity (appended)."""
    from credible.web.services import judge_element

    return {"id": judge_element(store_of(request), p.name, body)}


@router.get(f"{V1}/runs", response_model=list[m.Run], tags=["runs"])
def runs(
    request: Request,
    p: Viewer,
    stage: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    return _out(p, catalog.runs(store_of(request), stage))


@router.get(f"{V1}/review/next", response_model=m.ReviewPair, tags=["review"])
def review_next(request: Request, p: Reviewer) -> Any:
    """The next pair for this reviewer, leased to them alone; ``pair_id`` null when the
    queue is empty."""
    from credible.linkage import lease_next

    store = store_of(request)
    lease = lease_next(store, p.name)
    if lease is None:
        return {"pair_id": None, "remaining": 0}
    # The records as the catalogue gives them (one read for both), not as the linkage
    # model prepares them: the model's preparation cost more than the rest together.
    by_id = {int(r["id"]): r for r in catalog.records(store, [lease.lo, lease.hi])}
    body = {
        **dataclasses.asdict(lease),
        "pair_id": lease.pair_id,
        "record_l": by_id[lease.lo],
        "record_r": by_id[lease.hi],
    }
    del body["lo"], body["hi"]
    return _out(p, body)


@router.post(f"{V1}/review/{{pair_id}}/decision", response_model=m.Decided, tags=["review"])
def review_decide(request: Request, p: Reviewer, pair_id: str, body: m.Decision) -> Any:
    """Accept, reject or mark unsure the pair leased to this reviewer (appended to the
    judgements, audited with the reviewer's name)."""
    from credible.linkage import decide_leased, parse_pair_id

    lo, hi = parse_pair_id(pair_id)
    jid = decide_leased(store_of(request), p.name, f"{lo}-{hi}", body.decision, body.note or "")
    return {"judgement_id": jid, "pair_id": f"{lo}-{hi}", "decision": body.decision}


@router.post(f"{V1}/jobs", response_model=m.Job, status_code=202, tags=["jobs"])
def job_start(request: Request, p: Analyst, body: m.JobRequest) -> Any:
    """Start a link, estimate or assess run in the background; poll GET /jobs/{id}."""
    from credible.jobs import get_job, submit_job

    store = store_of(request)
    return dataclasses.asdict(get_job(store, submit_job(store, p.name, body.kind, body.parameters)))


@router.get(f"{V1}/jobs", response_model=list[m.Job], tags=["jobs"])
def jobs(request: Request, p: Analyst) -> Any:
    from credible.jobs import list_jobs

    return [dataclasses.asdict(j) for j in list_jobs(store_of(request))]


@router.get(f"{V1}/jobs/{{job_id}}", response_model=m.Job, tags=["jobs"])
def job(request: Request, p: Analyst, job_id: Id) -> Any:
    from credible.jobs import get_job

    return dataclasses.asdict(get_job(store_of(request), job_id))


@router.post(f"{V1}/imports", response_model=m.Imported, status_code=201, tags=["imports"])
async def imports(
    request: Request,
    p: Analyst,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX or JSON")],
    source: Annotated[str, Form(max_length=200)],
    kind: Annotated[str | None, Form(max_length=40)] = None,
) -> Any:
    """Import a file through the same importer as `credible import` (one transaction)."""
    result = await import_upload(request, p.name, file, source, kind)
    return {
        "source": result.source,
        "kind": result.kind,
        "rows": result.rows,
        "sha256": result.sha256,
        "already_imported": result.already_imported,
        "warnings": list(result.warnings),
    }


@router.get(f"{V1}/users", response_model=list[m.UserOut], tags=["users"])
def users(request: Request, p: Admin) -> Any:
    from credible.accounts import list_users

    return [dataclasses.asdict(u) for u in list_users(store_of(request))]


@router.post(f"{V1}/users", response_model=m.Created, status_code=201, tags=["users"])
def user_add(request: Request, p: Admin, body: m.NewUser) -> Any:
    from credible.accounts import add_user

    return {"id": add_user(store_of(request), p.name, body.name, body.role, body.password)}
