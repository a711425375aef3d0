"""The demo: a FICTIONAL investigation from simulation to results, stage by stage.

It only calls the public APIs of the stages; each stage adds its step here as it lands.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from credible.assess import AssessmentRun, StandardScore, assess, score
from credible.config import Settings
from credible.errors import ConfigError
from credible.estimate import (
    EstimationRun,
    answer_split_audit,
    draw_split_audit,
    estimate_in_store,
)
from credible.ingest import ImportResult, import_manifest
from credible.linkage import LinkRunSummary, LinkSettings, Metrics, evaluate_latest, run_link
from credible.report import ReportResult, build_report
from credible.simulate import simulate
from credible.store import Store, init_store, schema

Say = Callable[[str], None]


@dataclass
class DemoSummary:
    out: Path
    db: str
    people: int
    imports: list[ImportResult] = field(default_factory=list)
    records_per_source: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    linkage: LinkRunSummary | None = None
    link_metrics: Metrics | None = None  # the linkage scored against the simulator's truth
    estimation: EstimationRun | None = None
    estimation_note: str | None = None  # how the intervals were obtained, in one sentence
    true_people: int | None = None  # from the simulator's truth, to set beside the estimates
    assessment: AssessmentRun | None = None
    assessment_scores: list[StandardScore] = field(default_factory=list)  # vs the truth
    reports: list[ReportResult] = field(default_factory=list)  # internal, then public
    report_note: str | None = None  # why a report has no PDF


def run_demo(
    out: Path,
    *,
    people: int = 20_000,
    lists: int = 5,
    seed: int = 2022,
    settings: Settings | None = None,
    say: Say | None = None,
    link: bool = True,
    report: bool = True,
) -> DemoSummary:
    """Simulate lists into ``out/data``, import them into a fresh store, link the person
    records (unless ``link`` is false) and score the linkage against the truth."""
    say = say or (lambda _msg: None)
    out = Path(out)
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    out.mkdir(parents=True, exist_ok=True)
    if settings is None:
        db = out / "credible.db"
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        shutil.rmtree(db.with_name(db.name + ".vault"), ignore_errors=True)
        settings = Settings.resolve(str(db), actor="demo")

    say(f"simulating a FICTIONAL population of {people:,} people and {lists} lists (seed {seed})")
    simulate(people=people, lists=lists, seed=seed, out=data)

    say(f"creating the store at {settings.db_url}")
    store, _, _ = init_store(settings)
    summary = DemoSummary(out=out, db=settings.db_url, people=people)
    for result in import_manifest(store, data, actor=settings.actor):
        say(f"imported {result.rows:>7,} {result.kind} rows from {result.path.relative_to(data)}")
        summary.imports.append(result)

    pr, src = schema.person_records, schema.sources
    with store.read() as conn:
        stmt = (
            select(src.c.name, func.count(pr.c.id))
            .join(pr, pr.c.source_id == src.c.id)
            .group_by(src.c.name)
            .order_by(src.c.name)
        )
        summary.records_per_source = {name: int(n) for name, n in conn.execute(stmt)}
    for name in ("person_records", "facilities", "facility_observations", "acts", "allegations"):
        summary.counts[name] = store.count(store.table(name))
    if link:
        say("linking person records across sources and scripts (Splink, default settings)")
        summary.linkage = run_link(store, LinkSettings(), settings.actor)
        _, summary.link_metrics = evaluate_latest(store, data)
        say(
            f"linked {summary.linkage.records:,} records into {summary.linkage.persons:,} "
            f"persons; {summary.linkage.review_queue:,} pairs await review"
        )
        say(
            f"split audit: {AUDIT_SIZE} people seen on one list sampled; the simulator's truth "
            "answers whether each is on another list (a stand-in for a reviewer's searches)"
        )
        audit_from_truth(store, settings.actor, data, seed)
        say("estimating how many people there were, listed or not (multiple systems estimation)")
        summary.estimation, _ = estimate_in_store(store, settings.actor, seed=seed)
        summary.estimation_note = how_estimated(summary.estimation)
        truth = json.loads((data / "truth" / "population.json").read_text(encoding="utf-8"))
        summary.true_people = int(truth["people"])
        say("assessing every act against the standards of proof (the shipped policy)")
        summary.assessment = assess(store, settings.actor)
        summary.assessment_scores = score(summary.assessment, data / "truth")
        if report:
            _reports(store, out, summary, say)
    store.close()
    return summary


#: People the demo's split audit samples among those seen on one list.
AUDIT_SIZE = 150


def audit_from_truth(store: Store, actor: str, data: Path, seed: int) -> None:
    """Draw a split audit and answer it from the simulator's truth, as a reviewer who
    searched the other lists for each sampled person would (a perfect search). A real
    investigation answers with ``credible split-audit answer``."""
    _, audit = draw_split_audit(store, actor, AUDIT_SIZE, seed)
    truth = pd.read_csv(data / "truth" / "records.csv", dtype={"source": str})
    person_col = "person_id" if "person_id" in truth.columns else "person"
    true_of = dict(
        zip(
            zip(truth["source"], truth["source_row"].astype(str), strict=True),
            truth[person_col],
            strict=True,
        )
    )
    pr, src = schema.person_records, schema.sources
    with store.read() as conn:
        rows = conn.execute(
            select(pr.c.id, src.c.name, pr.c.source_row).join(src, src.c.id == pr.c.source_id)
        ).all()
    records = pd.DataFrame(rows, columns=["record_id", "source", "source_row"])
    records["true"] = [
        true_of.get((s, str(r)))
        for s, r in zip(records["source"], records["source_row"], strict=True)
    ]
    by_true = records.dropna(subset=["true"]).groupby("true")
    at = records.set_index("record_id")
    for rec in audit.sample:
        person, source = at.loc[rec, "true"], at.loc[rec, "source"]
        found = None
        if person is not None and not pd.isna(person):
            same = by_true.get_group(person)
            elsewhere = same.loc[same["source"] != source, "record_id"]
            found = int(elsewhere.min()) if len(elsewhere) else None
        answer_split_audit(store, actor, rec, found, note="answered from the simulator's truth")


def how_estimated(run: EstimationRun) -> str:
    """One sentence on how the demo's intervals were obtained."""
    info = run.linkage
    if not info:
        return "intervals with the linkage held fixed, as if it were the truth"
    drawn = info["persons_drawn"]
    return (
        f"intervals carry the linkage's uncertainty: {info['draws']} linkages drawn from the "
        f"link run's match probabilities ({drawn['min']:,}–{drawn['max']:,} persons; the "
        f"stored run has {info['persons_fixed']:,}), each estimated, then combined (posterior "
        "draws pooled for lcmcr and dga, Rubin's rules for the others); "
        + _audit_note(info.get("split_audit") or {})
        + "the interval with the linkage held fixed is shown beside it (docs/estimation.md)"
    )


def _audit_note(audit: dict[str, Any]) -> str:
    if not audit.get("used"):
        return ""
    return (
        f"each draw corrected for people the linkage left split, by a split audit of "
        f"{audit['audited']} people seen on one list ({audit['found']} found on another list, "
        f"a split rate of {audit['split_rate']:.1%}; answered here from the simulator's "
        "truth, in an investigation by a reviewer's searches); "
    )


def _reports(store: Store, out: Path, summary: DemoSummary, say: Say) -> None:
    """The FICTIONAL investigation's report: the team's edition and the public one."""
    title = "FICTIONAL investigation: assessment of the information held"
    for edition, folder in (("internal", "report"), ("public", "report-public")):
        say(f"writing the {edition} edition of the report to {out / folder}")
        try:
            result = build_report(store, out / folder, edition=edition, title=title)
        except ConfigError as exc:  # no Pango for the PDF: the HTML and JSON still come
            summary.report_note = str(exc)
            result = build_report(store, out / folder, edition=edition, title=title, pdf=False)
        summary.reports.append(result)
