"""What an assessment reads from the store, in one consistent read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from credible.assess.incidents import ActJudgement, live_act_judgements, victim_persons
from credible.assess.sources import Source, load_sources, roots
from credible.store import run_fingerprint, schema


@dataclass
class Inputs:
    acts: pd.DataFrame  # id, external_id, type, victim_record_id, facility_id, date_min, date_max
    allegations: pd.DataFrame  # id, external_id, act_id, source_id, credibility, stance
    sources: dict[int, Source]
    root: dict[int, int]
    person_of: dict[int, int]
    link_run: int | None
    judgements: list[ActJudgement]
    facilities: pd.DataFrame  # id, name, county

    def fingerprint(self) -> str:
        """Everything the result depends on, in a fixed order. Acts and allegations are
        hashed column-wise (pandas' stable row hashes), a million rows in a second."""
        digest = hashlib.sha256()
        for frame in (self.acts, self.allegations):
            digest.update(",".join(frame.columns).encode("utf-8"))
            text = frame.astype("string")  # one spelling of every value on every backend
            digest.update(pd.util.hash_pandas_object(text, index=False).to_numpy().tobytes())
        rows: list[list[object]] = [["link_run", self.link_run, digest.hexdigest()]]
        rows += [["source", s.id, s.reliability, s.derived_from_id] for s in self.sources.values()]
        rows += [["judgement", j.act_l, j.act_r, j.decision] for j in self.judgements]
        persons = np.array(sorted(self.person_of.items()), dtype=np.int64)
        rows.append(["persons", hashlib.sha256(persons.tobytes()).hexdigest()])
        return run_fingerprint(rows)


def _frame(conn: Connection, stmt: object) -> pd.DataFrame:
    result = conn.execute(stmt)  # type: ignore[call-overload]
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def load_inputs(conn: Connection) -> Inputs:
    a, al, f = schema.acts, schema.allegations, schema.facilities
    acts = _frame(
        conn,
        select(a.c.id, a.c.external_id, a.c.type, a.c.victim_record_id, a.c.facility_id,
               a.c.date_min, a.c.date_max).order_by(a.c.id),
    )  # fmt: skip
    allegations = _frame(
        conn,
        select(al.c.id, al.c.external_id, al.c.act_id, al.c.source_id, al.c.credibility,
               al.c.stance).order_by(al.c.id),
    )  # fmt: skip
    facilities = _frame(conn, select(f.c.id, f.c.name, f.c.county).order_by(f.c.id))
    for col in ("date_min", "date_max"):
        acts[col] = pd.to_datetime(acts[col], errors="coerce")
    sources = load_sources(conn)
    person_of, link_run = victim_persons(conn)
    return Inputs(
        acts=acts,
        allegations=allegations,
        sources=sources,
        root=roots(sources),
        person_of=person_of,
        link_run=link_run,
        judgements=live_act_judgements(conn),
        facilities=facilities,
    )


def as_series(mapping: dict[int, object]) -> pd.Series:
    return pd.Series(mapping, dtype=object) if mapping else pd.Series(dtype=np.int64)
