"""Figures: every number the report shows, with the run and the query it comes from.

A report never writes a bare number. Each one is a ``Figure`` registered under a stable
key; the HTML carries the key, the run and the query as ``data-`` attributes, and
``report.json`` lists every figure with the same provenance (and, where a figure counts
rows, the ids of those rows). Identifiers (acts, allegations, sources, runs, persons)
are ``refs``: the HTML names them with ``data-ref`` and ``report.json`` holds what the
report shows of each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: What each query name means, as SQL over the store's tables or a path into a stored
#: run's ``results``/``parameters`` (``report.json`` carries this table).
QUERIES: dict[str, str] = {
    "count.person_records": "SELECT count(*) FROM person_records",
    "count.person_records.by_source": "SELECT source_id, count(*) FROM person_records "
    "GROUP BY source_id",
    "count.acts.by_source": "SELECT source_id, count(*) FROM acts GROUP BY source_id",
    "count.allegations.by_source": "SELECT source_id, count(*) FROM allegations GROUP BY source_id",
    "count.facilities": "SELECT count(*) FROM facilities",
    "count.facilities.by_kind_tier": "SELECT kind, security_tier, count(*) FROM facilities "
    "GROUP BY kind, security_tier",
    "count.observations.by_year_change": "SELECT substr(observed_min, 1, 4), change, count(*) "
    "FROM facility_observations GROUP BY 1, 2",
    "sources": "SELECT * FROM sources (reliability as graded now; the assess run's grade "
    "from runs.parameters.grades)",
    "link.results": "runs.results of the link run",
    "link.parameters": "runs.parameters.settings of the link run",
    "link.em": "runs.parameters.metadata.em_sessions of the link run",
    "link.scores.above": "SELECT count(*), avg(match_probability) FROM match_scores WHERE "
    "run_id = :link_run AND match_probability >= :match_threshold",
    "link.scores.band": "SELECT count(*) FROM match_scores WHERE run_id = :link_run AND "
    "match_probability >= :review_lower AND match_probability < :review_upper",
    "link.judgements.since": "SELECT count(*) FROM judgements WHERE at > "
    "(SELECT finished_at FROM runs WHERE id = :link_run)",
    "estimate.results": "runs.results of the estimate run (estimates, lists, patterns)",
    "estimate.spread": "min and max of runs.results.estimates[stratum = null].estimate of "
    "the estimate run, and their ratio",
    "assess.results": "runs.results of the assess run (findings, elements, conclusion)",
    "assess.parameters": "runs.parameters of the assess run (policy, grades)",
    "assess.contradicted": "SELECT count(DISTINCT acts.id) FROM acts JOIN allegations ON "
    "allegations.act_id = acts.id WHERE allegations.stance = 'contradicts' AND acts.type = "
    ":type [AND the act's assessments row of the assess run meets the run's standard]",
    "assess.acts": "SELECT * FROM assessments WHERE run_id = :assess_run AND act_id IS NOT "
    "NULL, joined to acts, allegations and person_records",
    "runs": "SELECT * FROM runs WHERE id = :run",
    "audit.head": "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
    "sources.graded_f": "SELECT name FROM sources WHERE reliability = 'F'",
}


@dataclass
class Figure:
    """One number (or a stored sentence holding numbers) as the report shows it."""

    key: str
    value: Any
    text: str
    query: str
    run: int | None = None
    stage: str | None = None
    records: list[Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "value": self.value,
            "run": self.run,
            "stage": self.stage,
            "query": self.query,
        }
        if self.records is not None:
            out["records"] = self.records
        return out


def number_text(value: Any, digits: int = 0) -> str:
    """A number as a reader reads it: thousands separated; 'unbounded' for infinity."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    x = float(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "unbounded"
    return f"{x:,.{digits}f}"


@dataclass
class Figures:
    """The registry of every figure and ref one report shows."""

    items: dict[str, Figure] = field(default_factory=dict)
    refs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        key: str,
        value: Any,
        query: str,
        *,
        run: int | None = None,
        stage: str | None = None,
        text: str | None = None,
        digits: int = 0,
        records: list[Any] | None = None,
    ) -> Figure:
        if query not in QUERIES:
            raise KeyError(f"figure {key}: unknown query {query!r}")
        if key in self.items:
            raise KeyError(f"figure {key} registered twice")
        shown = text if text is not None else number_text(value, digits)
        fig = Figure(key, value, shown, query, run, stage, records)
        self.items[key] = fig
        return fig

    def ref(self, key: str, body: dict[str, Any]) -> str:
        self.refs[key] = body
        return key

    def to_dict(self) -> dict[str, Any]:
        return {
            "figures": {k: f.to_dict() for k, f in sorted(self.items.items())},
            "refs": {k: self.refs[k] for k in sorted(self.refs)},
            "queries": dict(sorted(QUERIES.items())),
        }
