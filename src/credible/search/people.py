"""One search for people across scripts: the query's name keys are looked up in the
name-key index, and the records found are ranked by how fully they hold the name
typed (``credible.names.name_containment``); filters by source, facility, detention
date and confidentiality are applied in the database."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, Connection, Integer, and_, any_, bindparam, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from credible import names
from credible.errors import InputError, Problem
from credible.search import keys as _keys
from credible.search.forms import Lexicon, is_han
from credible.store import Store, schema

#: A record is a hit when the query's parts are found in its name at least this well:
#: the threshold ``credible.names`` uses to call two names the same name.
MATCH_THRESHOLD = names.SAME_NAME_THRESHOLD
MAX_LIMIT = 10_000
ID_BATCH = 10_000  # ids bound in one statement (SQLite allows 32,766)
CONFIDENTIAL = "confidential"

pr, src, fac = schema.person_records, schema.sources, schema.facilities


@dataclass(frozen=True)
class SearchFilters:
    source: str | None = None  # source name
    facility: str | None = None  # facility external_id or name
    date_from: str | None = None  # ISO date (or YYYY / YYYY-MM), against the detention date
    date_to: str | None = None
    exclude_confidential: bool = False  # drop records of sources marked confidential


@dataclass(frozen=True)
class PersonHit:
    record_id: int
    source: str
    name: str  # as written
    script: str
    romanised: str
    person_id: int | None  # in the latest link run, if any
    score: float  # how fully the query's name parts are found in the record's name
    sex: str | None
    birth_date: str | None
    facility: str | None
    detained: str | None
    role: str | None


def _bad(field: str, expected: str, value: object) -> InputError:
    return InputError(
        [Problem("search", None, field, expected, value, field=field)], "cannot search"
    )


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_bounds(value: str, field: str) -> tuple[date, date]:
    """The first and last day a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) covers."""
    m = _DATE.match(value.strip())
    try:
        if m is None:
            raise ValueError(value)
        y, mo, d = int(m[1]), m[2], m[3]
        if mo is None:
            return date(y, 1, 1), date(y, 12, 31)
        if d is None:
            last = calendar.monthrange(y, int(mo))[1]
            return date(y, int(mo), 1), date(y, int(mo), last)
        day = date(y, int(mo), int(d))
        return day, day
    except ValueError:
        expected = "an ISO date: YYYY, YYYY-MM or YYYY-MM-DD"
        raise _bad(field, expected, value) from None


def _facility_names(store: Store, value: str) -> set[str]:
    """``value`` and every name and id of the facilities it names."""
    wanted = {value.strip()}
    cols = (fac.c.external_id, fac.c.name, fac.c.name_zh, fac.c.name_ug)
    with store.read() as conn:
        for row in conn.execute(select(*cols).where(or_(*(c == value.strip() for c in cols)))):
            wanted |= {str(v) for v in row if v}
    return wanted


def _conditions(store: Store, f: SearchFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.source:
        where.append(src.c.name == f.source)
    if f.exclude_confidential:
        where.append(src.c.confidentiality != CONFIDENTIAL)
    if f.facility:
        where.append(pr.c.facility.in_(sorted(_facility_names(store, f.facility))))
    if f.date_from:
        lo, _ = date_bounds(f.date_from, "date_from")
        where.append(pr.c.detained_max >= lo)
    if f.date_to:
        _, hi = date_bounds(f.date_to, "date_to")
        where.append(pr.c.detained_min <= hi)
    return where


def _check(query: str, limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        expected = f"a limit from 1 to {MAX_LIMIT}"
        raise _bad("limit", expected, limit)
    if len(query) > 500:
        expected = "a query of at most 500 characters"
        raise _bad("query", expected, f"{len(query)} characters")


def search_people(
    store: Store, query: str, filters: SearchFilters | None = None, limit: int = 50
) -> list[PersonHit]:
    """Person records whose name holds the name ``query`` (any script, any order of
    parts), best first; each with its person in the latest link run."""
    _check(query, limit)
    query = " ".join(query.split())
    tokens = _keys.name_tokens(query)
    if not tokens:
        return []
    where = _conditions(store, filters or SearchFilters())
    _keys.refresh(store)
    sql, params = store.search.refs_matching_sql(tokens)
    columns = (
        pr.c.id,
        src.c.name.label("source"),
        *_keys.NAME_COLUMNS,
        pr.c.name_script,
        pr.c.given_name_script,
        pr.c.sex,
        pr.c.birth_date,
        pr.c.facility,
        pr.c.detained,
        pr.c.role,
    )
    with store.read() as conn:
        # The ids first, then the rows by primary key: one query joining the two lets
        # PostgreSQL scan every record before it has statistics.
        refs = sorted({int(r) for (r,) in conn.execute(text(sql), params)})
        rows: list[Any] = []
        for lo in range(0, len(refs), ID_BATCH):
            ids = refs[lo : lo + ID_BATCH]
            # PostgreSQL takes the ids as one array: a thousand bound values cost more
            # to send and plan than the look-ups themselves
            among = (
                pr.c.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
                if store.dialect == "postgresql"
                else pr.c.id.in_(ids)
            )
            stmt = select(*columns).join(src, src.c.id == pr.c.source_id).where(and_(among, *where))
            rows += conn.execute(stmt).all()
        full = [_keys.record_name(r.name, r.given_name, r.father_name, r.family_name) for r in rows]
        scores = _matching_cached(query, tuple(full))
        scored = [
            (score, row, name)
            for row, name, score in zip(rows, full, scores, strict=True)
            if score >= MATCH_THRESHOLD
        ]
        scored.sort(key=lambda t: (-t[0], t[1].id))
        scored = scored[:limit]
        people = _person_ids(conn, [row.id for _, row, _ in scored])
    return [
        PersonHit(
            record_id=int(row.id),
            source=row.source,
            name=name,
            script=row.name_script or row.given_name_script or names.detect_script(name),
            romanised=names.romanize(name),
            person_id=people.get(int(row.id)),
            score=round(float(score), 4),
            sex=row.sex,
            birth_date=row.birth_date,
            facility=row.facility,
            detained=row.detained,
            role=row.role,
        )
        for score, row, name in scored
    ]


@lru_cache(maxsize=1 << 16)
def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in names.split_name(name) if p.strip())


@lru_cache(maxsize=256)
def _matching_cached(query: str, full: tuple[str, ...]) -> tuple[float, ...]:
    """``_matching``, remembered: it depends on nothing but the query and the names of
    the candidates (the filters have chosen them), and a team repeats its searches."""
    return tuple(_matching(query, list(full)))


def clear_cache() -> None:
    """Forget remembered matchings (a benchmark timing each backend afresh)."""
    _matching_cached.cache_clear()
    names.name_containment.cache_clear()


def _form_similarities(query_parts: tuple[str, ...], forms: list[str]) -> list[dict[str, float]]:
    """For each query part, how like it each form is (batched; a Chinese form whose
    readings are several words, written without a separator, compared part by part)."""
    out = []
    for qp in query_parts:
        sims = names.name_similarity_many([qp] * len(forms), forms).tolist()
        for i, form in enumerate(forms):
            if sims[i] < MATCH_THRESHOLD and is_han(form):
                sims[i] = names.name_containment(qp, form)
        out.append(dict(zip(forms, sims, strict=True)))
    return out


def _matching(query: str, full: list[str]) -> list[float]:
    """The score of each candidate name, 0 unless it holds the name searched for: each
    part of the query must be found among the name's parts (``name_similarity`` at least
    MATCH_THRESHOLD) as the same name (``forms``). A part that the lexicon cannot place
    (a query that resembles no form the candidates write) is held to the similarity
    alone."""
    parts = [_parts(n) for n in full]
    query_parts = _parts(query)
    forms = sorted({p for ps in parts for p in ps})
    sims = _form_similarities(query_parts, forms) if forms else [{} for _ in query_parts]
    lexicon = Lexicon(parts, list(query_parts))
    wanted = [lexicon.query_group(p) for p in query_parts]
    out: list[float] = []
    for name, mine in zip(full, parts, strict=True):
        ok = bool(mine)
        for g, sim in zip(wanted, sims, strict=True):
            like = [p for p in mine if sim[p] >= MATCH_THRESHOLD]
            if not any(g is None or lexicon.own(p) is None or lexicon.matches(p, g) for p in like):
                ok = False
                break
        if not ok:
            out.append(0.0)
        elif len(query_parts) == 1:  # the containment of one part is its best match
            out.append(max(sims[0][p] for p in mine))
        else:
            out.append(names.name_containment(query, name))
    return out


def _person_ids(conn: Connection, record_ids: list[int]) -> dict[int, int]:
    if not record_ids:
        return {}
    runs = schema.runs  # the latest finished link run (its id only: its results are large)
    run_id = conn.execute(
        select(runs.c.id)
        .where(runs.c.stage == "link", runs.c.status == "done")
        .order_by(runs.c.id.desc())
        .limit(1)
    ).scalar()
    if run_id is None:
        return {}
    pm, persons = schema.person_members, schema.persons
    # By the records' own index first: joined, SQLite walks the run's persons instead.
    members = conn.execute(
        select(pm.c.record_id, pm.c.person_id).where(pm.c.record_id.in_(record_ids))
    ).all()
    if not members:
        return {}
    of_run = {
        int(p)
        for (p,) in conn.execute(
            select(persons.c.id).where(
                persons.c.id.in_({int(p) for _, p in members}), persons.c.run_id == run_id
            )
        )
    }
    return {int(r): int(p) for r, p in members if int(p) in of_run}
