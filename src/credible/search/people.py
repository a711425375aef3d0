"""One search for people across scripts: the query's name keys are looked up in the
name-key index, and the records found are ranked by how fully they hold the name
typed (``credible.names.name_containment``); filters by source, facility, detention
date and confidentiality are applied in the database."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Connection,
    Integer,
    Text,
    any_,
    bindparam,
    func,
    or_,
    select,
)
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
ID_BATCH = 10_000  # values bound in one statement (SQLite allows 32,766)
CONFIDENTIAL = "confidential"
CACHE = "search.people"
RESULTS = 1024  # hit lists kept per store: ~30 KB each at the web's limit of 50
KEPT_LIMIT = 500  # the API's largest page (~300 MB if every list kept were that long)
PART_CACHE = "search.part_forms"
PARTS = 8192  # name parts kept per store, each with the forms that are its name

pr, src, fac = schema.person_records, schema.sources, schema.facilities
snk, snp = schema.search_name_keys, schema.search_name_parts


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
    confidential: bool = False  # of a source marked confidential


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
    """The filters, as conditions on the name-part index: by source without the
    record's row, which only the facility and the dates need."""
    where: list[ColumnElement[bool]] = []
    if f.source:
        where.append(snp.c.source_id.in_(select(src.c.id).where(src.c.name == f.source)))
    if f.exclude_confidential:
        secret = select(src.c.id).where(src.c.confidentiality == CONFIDENTIAL)
        where.append(snp.c.source_id.not_in(secret))
    of_record: list[ColumnElement[bool]] = []
    if f.facility:
        of_record.append(pr.c.facility.in_(sorted(_facility_names(store, f.facility))))
    if f.date_from:
        lo, _ = date_bounds(f.date_from, "date_from")
        of_record.append(pr.c.detained_max >= lo)
    if f.date_to:
        _, hi = date_bounds(f.date_to, "date_to")
        of_record.append(pr.c.detained_min <= hi)
    if of_record:
        where.append(snp.c.record_id.in_(select(pr.c.id).where(*of_record)))
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
    parts), best first; each with its person in the latest link run. Kept while the
    record does not change (``Store.version``): a team repeats its searches, and a hit
    list read again costs one look-up of the audit table."""
    _check(query, limit)
    query = " ".join(query.split())
    wanted = filters or SearchFilters()
    with store.read() as conn:
        version = store.version(conn)
    if limit > KEPT_LIMIT:  # a long list (an export, a benchmark) is not kept
        return list(_search(store, query, wanted, limit, version))
    hits = store.cache(CACHE, RESULTS).get(
        (query, wanted, limit), version, lambda: _search(store, query, wanted, limit, version)
    )
    return list(hits)


def _search(
    store: Store, query: str, filters: SearchFilters, limit: int, version: int
) -> tuple[PersonHit, ...]:
    query_parts = _keys.parts(query)
    if not query_parts or not any(_keys.part_tokens(p) for p in query_parts):
        return ()
    where = _conditions(store, filters)
    _keys.refresh(store)
    with store.read() as conn:
        # each part decided alone: the same part asks for the same forms whatever else
        # is typed beside it, and is kept for the next query that holds it
        forms = store.cache(PART_CACHE, PARTS)
        wanted = tuple(
            forms.get(p, version, functools.partial(_part_forms, conn, store, p))
            for p in query_parts
        )
        ranked = _ranked(conn, store, query, wanted, where, limit)
        rows = {int(r.id): r for r in _rows(conn, store, [rid for rid, _ in ranked])}
        people = _person_ids(conn, [rid for rid, _ in ranked])
    hits = []
    for rid, score in ranked:
        row = rows[rid]
        name = _keys.record_name(row.name, row.given_name, row.father_name, row.family_name)
        hits.append(
            PersonHit(
                record_id=rid,
                source=row.source,
                name=name,
                script=row.name_script or row.given_name_script or names.detect_script(name),
                romanised=names.romanize(name),
                person_id=people.get(rid),
                score=round(float(score), 4),
                sex=row.sex,
                birth_date=row.birth_date,
                facility=row.facility,
                detained=row.detained,
                role=row.role,
                confidential=row.confidentiality == CONFIDENTIAL,
            )
        )
    return tuple(hits)


def _among(store: Store, column: Any, values: list[Any], name: str) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as one array parameter: a thousand bound
    values cost more to send and plan than the look-ups themselves."""
    if store.dialect == "postgresql":
        kind = Integer if values and isinstance(values[0], int) else Text
        return cast(ColumnElement[bool], column == any_(bindparam(name, values, type_=ARRAY(kind))))
    return cast(ColumnElement[bool], column.in_(values))


def _part_forms(conn: Connection, store: Store, part: str) -> dict[str, float]:
    """The forms that are the name a query part asks for (``_matching_forms``), decided
    among the forms sharing a key with that part alone."""
    keyed, df = _candidate_forms(conn, store, (part,))
    return _matching_forms((part,), tuple(keyed), tuple(df.items()))[0]


def _candidate_forms(
    conn: Connection, store: Store, query_parts: tuple[str, ...]
) -> tuple[list[str], dict[str, int]]:
    """The forms sharing a key with a part of the query (those that may be the name it
    asks for), and the lexicon they are decided in: every name part written by the
    records that write one of them, with how many of those records write it. The forms
    sharing no key with the query are what tells its neighbours apart (a form in Chinese
    characters that reads as Mahmut, or Mama, is not Memet)."""
    tokens = sorted({t for p in query_parts for t in _keys.part_tokens(p)})
    keyed = sorted(_forms_keyed(conn, store, tokens))
    df: dict[str, int] = {}
    if not keyed:
        return keyed, df
    # one batch: a query's keys are shared by a few hundred forms at most
    writers = select(snp.c.record_id).where(_among(store, snp.c.form, keyed, "f"))
    stmt = (
        select(snp.c.form, func.count())
        .where(snp.c.record_id.in_(writers.scalar_subquery()))
        .group_by(snp.c.form)
    )
    df = {f: int(n) for f, n in conn.execute(stmt)}
    return [f for f in keyed if f in df], dict(sorted(df.items()))


def _forms_keyed(conn: Connection, store: Store, tokens: list[str]) -> set[str]:
    forms: set[str] = set()
    for lo in range(0, len(tokens), ID_BATCH):
        stmt = select(snk.c.form).where(_among(store, snk.c.token, tokens[lo : lo + ID_BATCH], "t"))
        forms |= {f for (f,) in conn.execute(stmt)}
    return forms


@lru_cache(maxsize=1024)
def _matching_forms(
    query_parts: tuple[str, ...], keyed: tuple[str, ...], counted: tuple[tuple[str, int], ...]
) -> tuple[dict[str, float], ...]:
    """For each part of the query, the forms that are the name it asks for, with how like
    it each is: found at MATCH_THRESHOLD or better (``name_similarity``) and, as far as
    the lexicon of the forms can tell, the same name (``forms``); a part that the lexicon
    cannot place (a query that resembles no form written) is held to the likeness alone.
    Only the forms ``keyed`` (sharing a key with the query) are candidates. Remembered:
    it depends on nothing but the query and the forms with their counts (``counted``),
    and a team repeats its searches. (Read only: shared between calls.)"""
    df = dict(counted)
    forms = list(keyed)
    sims = _form_similarities(query_parts, forms) if forms else [{} for _ in query_parts]
    lexicon = Lexicon.of_counts(df, list(query_parts), keyed)
    out = []
    for part, sim in zip(query_parts, sims, strict=True):
        g = lexicon.query_group(part)
        out.append(
            {
                f: s
                for f, s in sim.items()
                if (
                    s >= MATCH_THRESHOLD
                    and (g is None or lexicon.own(f) is None or lexicon.matches(f, g))
                )
                # a spelling of the very name the query's characters read as (赛力克
                # reads Serik: Серік), though the skeletons compare less well
                or (g is not None and not is_han(f) and lexicon.own(f) == g)
            }
        )
    return tuple(out)


def _ranked(
    conn: Connection,
    store: Store,
    query: str,
    wanted: tuple[dict[str, float], ...],
    where: list[ColumnElement[bool]],
    limit: int,
) -> list[tuple[int, float]]:
    """The records (passing the filters) that write the name of every part of the query,
    best first, at most ``limit``: by the likeness of their best part for a query of one
    part, else by how fully they hold the query (``name_containment``)."""
    forms = sorted(set().union(*wanted))
    writes: dict[int, set[str]] = {}
    for lo in range(0, len(forms), ID_BATCH):
        # the forms as one array, not joined to a list of values: PostgreSQL then scans
        # the whole table instead of its index
        among = _among(store, snp.c.form, forms[lo : lo + ID_BATCH], "f")
        for rid, form in conn.execute(select(snp.c.record_id, snp.c.form).where(among, *where)):
            writes.setdefault(int(rid), set()).add(form)
    if len(wanted) == 1:
        sims = wanted[0]
        scored = [(rid, max(sims[f] for f in fs)) for rid, fs in writes.items()]
    else:
        held = sorted(rid for rid, fs in writes.items() if all(fs & w.keys() for w in wanted))
        scored = [
            (
                int(r.id),
                names.name_containment(
                    query, _keys.record_name(r.name, r.given_name, r.father_name, r.family_name)
                ),
            )
            for r in _rows(conn, store, held)
        ]
    return sorted(scored, key=lambda t: (-t[1], t[0]))[:limit]


def _rows(conn: Connection, store: Store, ids: list[int]) -> list[Any]:
    columns = (
        pr.c.id,
        src.c.name.label("source"),
        src.c.confidentiality,
        *_keys.NAME_COLUMNS,
        pr.c.name_script,
        pr.c.given_name_script,
        pr.c.sex,
        pr.c.birth_date,
        pr.c.facility,
        pr.c.detained,
        pr.c.role,
    )
    rows: list[Any] = []
    for lo in range(0, len(ids), ID_BATCH):
        stmt = (
            select(*columns)
            .join(src, src.c.id == pr.c.source_id)
            .where(_among(store, pr.c.id, ids[lo : lo + ID_BATCH], "ids"))
        )
        rows += conn.execute(stmt).all()
    return rows


def clear_cache(store: Store | None = None) -> None:
    """Forget remembered matchings, and the hit lists kept for ``store`` (a benchmark
    timing each backend afresh)."""
    if store is not None:
        store.cache(CACHE, RESULTS).clear()
        store.cache(PART_CACHE, PARTS).clear()
    _matching_forms.cache_clear()
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
