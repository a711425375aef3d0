"""Facilities with their observations over time, and acts with their allegations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from credible.catalog._rows import plain
from credible.errors import NotFoundError
from credible.store import Store, schema

F, FO, S = schema.facilities, schema.facility_observations, schema.sources
A, AL = schema.acts, schema.allegations

_FACILITY = (
    F.c.id,
    F.c.external_id,
    F.c.name,
    F.c.name_zh,
    F.c.name_ug,
    F.c.kind,
    F.c.latitude,
    F.c.longitude,
    F.c.town,
    F.c.county,
    F.c.prefecture,
    F.c.security_tier,
    F.c.first_seen,
    F.c.last_seen,
    F.c.capacity_estimate,
    S.c.name.label("source"),
    S.c.confidentiality,
)


def _conf(r: dict[str, Any]) -> dict[str, Any]:
    r["confidential"] = r.pop("confidentiality") == "confidential"
    return r


def facilities(store: Store) -> list[dict[str, Any]]:
    stmt = select(*_FACILITY).join(S, S.c.id == F.c.source_id).order_by(F.c.name, F.c.id)
    with store.read() as conn:
        return [_conf(plain(r)) for r in conn.execute(stmt)]


def facility(store: Store, facility_id: int) -> dict[str, Any]:
    stmt = select(*_FACILITY).join(S, S.c.id == F.c.source_id).where(F.c.id == facility_id)
    with store.read() as conn:
        row = conn.execute(stmt).first()
        if row is None:
            raise NotFoundError(f"no facility with id {facility_id}")
        out = _conf(plain(row))
        out["observations"] = [
            _conf(plain(r))
            for r in conn.execute(
                select(
                    FO.c.id,
                    FO.c.observed,
                    FO.c.observed_min,
                    FO.c.imagery,
                    FO.c.features,
                    FO.c.change,
                    FO.c.notes,
                    S.c.name.label("source"),
                    S.c.confidentiality,
                )
                .join(S, S.c.id == FO.c.source_id)
                .where(FO.c.facility_id == facility_id)
                .order_by(FO.c.observed_min, FO.c.id)
            )
        ]
    return out


def facilities_geojson(store: Store) -> dict[str, Any]:
    """Facilities with coordinates as a GeoJSON FeatureCollection (lon, lat order)."""
    features = []
    for f in facilities(store):
        if f["latitude"] is None or f["longitude"] is None:
            continue
        props = {k: v for k, v in f.items() if k not in ("latitude", "longitude")}
        features.append(
            {
                "type": "Feature",
                "id": f["id"],
                "geometry": {"type": "Point", "coordinates": [f["longitude"], f["latitude"]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


_ACT = (
    A.c.id,
    A.c.external_id,
    A.c.type,
    A.c.victim_record_id,
    A.c.victim,
    A.c.facility_id,
    A.c.facility,
    A.c.place,
    A.c.date,
    A.c.status,
    S.c.name.label("source"),
    S.c.confidentiality,
)


def acts(
    store: Store,
    limit: int = 100,
    offset: int = 0,
    type_: str | None = None,
    *,
    exclude_confidential: bool = False,
) -> list[dict[str, Any]]:
    """A page of acts; see ``records`` for why confidential sources are left out in SQL."""
    stmt = (
        select(*_ACT).join(S, S.c.id == A.c.source_id).order_by(A.c.id).limit(limit).offset(offset)
    )
    if exclude_confidential:
        stmt = stmt.where(S.c.confidentiality != "confidential")
    if type_:
        stmt = stmt.where(A.c.type == type_)
    with store.read() as conn:
        out = [_conf(plain(r)) for r in conn.execute(stmt)]
        _standards(conn, out)
    return out


def _standards(conn: Any, rows: list[dict[str, Any]]) -> None:
    """The standard each act met in the latest assessment run."""
    from credible.store import latest_run

    info = latest_run(conn, "assess")
    ids = [r["id"] for r in rows]
    met: dict[int, tuple[str, str]] = {}
    if info is not None and ids:
        t = schema.assessments
        for act_id, standard, result in conn.execute(
            select(t.c.act_id, t.c.standard, t.c.result).where(
                t.c.run_id == info.id, t.c.act_id.in_(ids)
            )
        ):
            met[int(act_id)] = (standard, result)
    for r in rows:
        r["standard"], r["result"] = met.get(r["id"], (None, None))


def act(store: Store, act_id: int) -> dict[str, Any]:
    stmt = select(*_ACT, A.c.description).join(S, S.c.id == A.c.source_id).where(A.c.id == act_id)
    with store.read() as conn:
        row = conn.execute(stmt).first()
        if row is None:
            raise NotFoundError(f"no act with id {act_id}")
        out = _conf(plain(row))
        _standards(conn, [out])
        out["allegations"] = [
            _conf(plain(r))
            for r in conn.execute(
                select(
                    AL.c.id,
                    AL.c.excerpt,
                    AL.c.credibility,
                    AL.c.stance,
                    S.c.name.label("source"),
                    S.c.confidentiality,
                    S.c.reliability,
                )
                .join(S, S.c.id == AL.c.source_id)
                .where(AL.c.act_id == act_id)
                .order_by(AL.c.id)
            )
        ]
    return out
