"""Corroboration through linkage: acts that are one incident.

Two act rows are one incident when their victims' records were linked to the same
Person (the latest link run), the acts are of the same type, at the same facility or
one of them at an unknown one, and their date ranges overlap (or one is unknown). The
claims about either then corroborate both. An analyst can accept or split a grouping
with append-only judgements (``same``/``different``, retractable), as in linkage review;
a ``different`` judgement removes the link between the two acts, a ``same`` one adds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from credible.errors import InputError, NotFoundError, Problem
from credible.store import Store, UnitOfWork, latest_run, live_decisions, now, schema

DECISIONS = ("same", "different")


@dataclass(frozen=True)
class ActJudgement:
    id: int
    act_l: int
    act_r: int
    decision: str
    actor: str
    at: str
    note: str | None


def live_act_judgements(conn: Connection) -> list[ActJudgement]:
    """The latest decision per pair of acts that was not retracted."""
    return [
        ActJudgement(r.id, r.act_l, r.act_r, r.decision, r.actor, r.at, r.note)
        for r in live_decisions(conn, schema.act_judgements, "act_l", "act_r")
    ]


def judge_acts(
    store: Store, actor: str, act_a: str, act_b: str, decision: str, note: str | None = None
) -> int:
    """Record that two acts (by external id) are one incident (``same``) or two."""
    if decision not in DECISIONS:
        raise InputError([Problem("decision", None, None, "same or different", decision)])
    a = schema.acts
    with store.write(actor) as uow:
        ids = []
        for ext in (act_a, act_b):
            found = uow.conn.execute(select(a.c.id).where(a.c.external_id == ext)).scalars().all()
            if not found:
                raise NotFoundError(f"no act with external id {ext!r}")
            ids.append(int(found[0]))
        if ids[0] == ids[1]:
            raise InputError([Problem("acts", None, None, "two different acts", act_a)])
        lo, hi = sorted(ids)
        return _append(uow, lo, hi, decision, note)


def _append(uow: UnitOfWork, lo: int, hi: int, decision: str, note: str | None) -> int:
    return uow.insert(
        schema.act_judgements,
        act_l=lo,
        act_r=hi,
        decision=decision,
        note=note,
        actor=uow.actor,
        at=now(),
    )


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = int(self.parent[root])
        while self.parent[i] != root:
            self.parent[i], i = root, int(self.parent[i])
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def victim_persons(conn: Connection) -> tuple[dict[int, int], int | None]:
    """Person record id -> Person id in the latest link run (empty without one)."""
    info = latest_run(conn, "link")
    if info is None:
        return {}, None
    m, p = schema.person_members, schema.persons
    rows = conn.execute(
        select(m.c.record_id, m.c.person_id)
        .join(p, p.c.id == m.c.person_id)
        .where(p.c.run_id == info.id)
    )
    return {int(r): int(pid) for r, pid in rows}, info.id


def _compatible(a: Any, b: Any) -> bool:
    same_place = pd.isna(a.facility_id) or pd.isna(b.facility_id) or a.facility_id == b.facility_id
    if not same_place:
        return False
    if pd.isna(a.date_min) or pd.isna(b.date_min):
        return True
    return bool(a.date_min <= b.date_max and b.date_min <= a.date_max)


def group_incidents(
    acts: pd.DataFrame, person_of: dict[int, int], judgements: list[ActJudgement]
) -> np.ndarray:
    """Incident id (the smallest act id in it) for each row of ``acts`` (columns id,
    type, victim_record_id, facility_id, date_min, date_max), in row order."""
    n = len(acts)
    index = {int(a): i for i, a in enumerate(acts["id"].to_numpy())}
    uf = _UnionFind(n)
    different = {(j.act_l, j.act_r) for j in judgements if j.decision == "different"}
    person = acts["victim_record_id"].map(lambda r: person_of.get(int(r)) if pd.notna(r) else None)
    keyed = acts.assign(person=person).dropna(subset=["person"])
    keyed = keyed[keyed.duplicated(["person", "type"], keep=False)]  # groups of two or more
    for _, group in keyed.groupby(["person", "type"], sort=False):
        rows = list(group.itertuples(index=False))
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                pair = (min(a.id, b.id), max(a.id, b.id))
                if pair not in different and _compatible(a, b):
                    uf.union(index[int(a.id)], index[int(b.id)])
    for j in judgements:
        if j.decision == "same" and j.act_l in index and j.act_r in index:
            uf.union(index[j.act_l], index[j.act_r])
    ids = acts["id"].to_numpy()
    return np.array([int(ids[uf.find(i)]) for i in range(n)], dtype=np.int64)
