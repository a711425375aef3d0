"""The command line: parse, call a service, print. No business logic lives here.

Exit codes: 0 success; otherwise the ``exit_code`` of the CredibleError raised
(1 generic, 2 configuration, 3 store, 4 not found, 5 integrity, 6 bad input),
with the reason on stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from credible.config import Settings
from credible.errors import CredibleError, IntegrityError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    name="credible",
    help="Document, link, count, assess and publish findings of human-rights investigations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class Context:
    db: str | None
    actor: str | None

    def settings(self) -> Settings:
        return Settings.resolve(self.db, self.actor)


def _ctx(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


def _count(value: float) -> str:
    """A head count for a table: '-' for not estimable (NaN), 'unbounded' for infinity."""
    if value != value:
        return "-"
    return "unbounded" if value == float("inf") else f"{value:,.0f}"


def _store_exists(settings: Settings) -> bool:
    return not settings.is_sqlite or Path(_where(settings)).exists()


def _where(settings: Settings) -> str:
    return settings.db_url.removeprefix("sqlite:///")


@contextmanager
def _progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields ``advance(n)``. Quiet when stderr is not a TTY."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store: a file path (SQLite) or postgresql://... URL. "
            "Default: $CREDIBLE_DB, else ./credible.db.",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            help="Who is acting, recorded in the audit log. Default: $CREDIBLE_ACTOR or $USER."
        ),
    ] = None,
) -> None:
    ctx.obj = Context(db=db, actor=actor)


# ---- commands are registered below, one section per capability ----------------------


# ---- store: init, export, audit, search ----------------------------------------------


@app.command()
def init(ctx: typer.Context) -> None:
    """Create a store, or upgrade an existing one to the newest schema.

    A plain path (or nothing: ./credible.db) makes an SQLite file; a postgresql:// URL uses
    PostgreSQL. Safe to run again: an up-to-date store is left as it is.
    """
    from credible.store import init_store

    settings = _ctx(ctx).settings()
    store, before, after = init_store(settings)
    store.close()
    if before == after:
        console.print(f"store at {_where(settings)} is up to date (schema {after})")
    else:
        console.print(
            f"store at {_where(settings)} is ready (schema {before or 'none'} -> {after})"
        )


@app.command()
def export(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Argument(
            help="Table to write: sources, evidence, person_records, "
            "persons, facilities, acts, allegations, audit, ...; links = each "
            "record's Person in the latest linkage run"
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; default stdout.")
    ] = None,
    reveal_sensitive: Annotated[
        bool,
        typer.Option(help="Decrypt sensitive fields (contact) instead of writing [encrypted]."),
    ] = False,
) -> None:
    """Write a table as CSV or JSON Lines, every field a column."""
    from credible.store import open_store
    from credible.store.export import export_table

    store = open_store(_ctx(ctx).settings())
    if out is None:
        export_table(store, table, fmt, sys.stdout, reveal_sensitive)
        return
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        n = export_table(store, table, fmt, fh, reveal_sensitive)
    tmp.replace(out)
    err_console.print(f"wrote {n} {table} rows to {out}")


audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="Hash the chain must end in (as printed "
            "by an earlier verify), to detect a cut tail."
        ),
    ] = None,
) -> None:
    """Check the audit chain and every row against it; exit 5 naming the first breach."""
    from credible.store import open_store, verify

    store = open_store(_ctx(ctx).settings())
    with store.read() as conn:
        report = verify(conn, expect_head)
    if not report.ok:
        first = report.breaches[0]
        more = len(report.breaches) - 1
        raise IntegrityError(
            f"audit check failed at {first}" + (f" (+{more} more)" if more else "")
        )
    console.print(
        f"audit chain intact: {report.entries} entries, {report.rows} rows checked; "
        f"head {report.head_hash}"
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find, in any script: Аблимит, ئابلىمىت, 阿不都.")
    ],
    limit: Annotated[int, typer.Option(help="Most hits to show.")] = 50,
) -> None:
    """Full-text search over person names, facility names and evidence text."""
    from credible.store import open_store

    store = open_store(_ctx(ctx).settings())
    with store.read() as conn:
        hits = store.search.query(conn, query, limit)
    if not hits:
        err_console.print(f"no match for {query!r}")
        raise typer.Exit(1)
    table = Table("kind", "id", "text")
    for hit in hits:
        table.add_row(hit.kind, str(hit.ref), hit.text)
    console.print(table)


# ---- evidence ------------------------------------------------------------------------

evidence_app = typer.Typer(
    help="Preserve evidence files and check the vault.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Any file: a transcript, a photo, a leaked document.")
    ],
    source: Annotated[str, typer.Option(help="The (existing) source it came from.")],
    note: Annotated[str | None, typer.Option(help="How and from whom it was acquired.")] = None,
) -> None:
    """Keep a file as evidence: hashed, encrypted in the vault, its text made searchable."""
    from credible.evidence import Vault, add_evidence
    from credible.store import open_store, vault_dir

    settings = _ctx(ctx).settings()
    store = open_store(settings)
    vault = Vault(vault_dir(settings), settings.key_file.read_bytes())
    r = add_evidence(store, vault, file, source=source, actor=settings.actor, note=note)
    held = "already held; acquisition recorded" if r.already_held else "preserved"
    console.print(
        f"evidence {r.id} {held}: sha256 {r.sha256}, {r.size:,} bytes, "
        f"{r.text_chars:,} characters of text indexed"
    )


@evidence_app.command("verify")
def evidence_verify(ctx: typer.Context) -> None:
    """Re-read every evidence file in the vault and check it against its SHA-256."""
    from credible.evidence import Vault
    from credible.store import open_store, schema, vault_dir

    settings = _ctx(ctx).settings()
    store = open_store(settings)
    vault = Vault(vault_dir(settings), settings.key_file.read_bytes())
    with store.read() as conn:
        hashes = [
            h
            for (h,) in conn.execute(
                schema.evidence.select().with_only_columns(schema.evidence.c.sha256)
            )
        ]
    bad = [h for h in hashes if not vault.verify(h)]
    if bad:
        raise IntegrityError(
            f"{len(bad)} evidence file(s) do not match their hash: {', '.join(bad)}"
        )
    console.print(f"all {len(hashes)} evidence files match their SHA-256")


# ---- ingest --------------------------------------------------------------------------


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON or JSON Lines file.")],
    source: Annotated[
        str, typer.Option(help="Name of the source the file comes from (created if new).")
    ],
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping YAML (see docs/mapping.md).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Without a mapping: person_record (default), "
            "facility, facility_observation, act, allegation."
        ),
    ] = None,
) -> None:
    """Import a file as one transaction; any bad row rejects the whole file.

    The file is kept as evidence (sha256, size, name, who and when). Importing the same
    file for the same source again adds nothing.
    """
    from credible.evidence import Vault
    from credible.ingest import import_file
    from credible.store import open_store, vault_dir

    settings = _ctx(ctx).settings()
    store = open_store(settings)
    vault = Vault(vault_dir(settings), settings.key_file.read_bytes())
    with _progress(f"importing {file.name}") as advance:
        result = import_file(
            store,
            vault,
            file,
            source=source,
            actor=settings.actor,
            mapping_path=mapping,
            kind=kind,
            progress=advance,
        )
    if result.already_imported:
        console.print(
            f"{file.name} was already imported for source {source!r} "
            f"({result.rows} {result.kind} rows); nothing added"
        )
    else:
        console.print(
            f"imported {result.rows} {result.kind} rows from {file.name} "
            f"into source {source!r} (sha256 {result.sha256[:12]}...)"
        )


# ---- simulate ------------------------------------------------------------------------


@app.command()
def simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the FICTIONAL investigation to.")
    ] = Path("simulation"),
    people: Annotated[
        int, typer.Option("--people", min=1, help="Size of the true FICTIONAL population.")
    ] = 20_000,
    lists: Annotated[
        int, typer.Option("--lists", min=2, max=10, help="Number of source lists (2-10).")
    ] = 5,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives identical files.")
    ] = 0,
    heterogeneity: Annotated[
        float,
        typer.Option(
            help="How unequal people's chances of being documented are (0 = all equal).",
            min=0.0,
        ),
    ] = 1.0,
    dependence: Annotated[
        float,
        typer.Option(
            help="How strongly lists that share informants depend on each other (0 = none).",
            min=0.0,
        ),
    ] = 1.0,
) -> None:
    """Write a FICTIONAL investigation with known truth, for demos and tests.

    OUT gets the source lists as a team receives them: a police spreadsheet
    in Chinese, a testimony archive in Uyghur Latin, a diaspora list in
    Uyghur Arabic script, a Kazakhstan list in Cyrillic (legacy encoding),
    a media list in English, and more for --lists above 5. Also facilities,
    observations, acts and allegations, a mapping file for each, the truth
    (truth/records.csv, population.json, people.csv) and manifest.json,
    whose import_order is the order in which to `credible import` them.
    """
    from credible.simulate import simulate as run_simulation

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("simulating", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"wrote {step}", completed=done, total=total)

        result = run_simulation(
            people=people,
            lists=lists,
            seed=seed,
            out=out,
            progress=report,
            heterogeneity=heterogeneity,
            dependence=dependence,
        )
    table = Table("source", "file", "records", "people", title="FICTIONAL source lists")
    for entry in result.lists:
        table.add_row(
            entry["source"], entry["path"], f"{entry['records']:,}", f"{entry['people']:,}"
        )
    console.print(table)
    console.print(
        f"{result.people:,} FICTIONAL people, {result.observed:,} on at least one list, "
        f"{result.records:,} records; {result.facilities} facilities, "
        f"{result.observations} observations, {result.acts:,} acts, "
        f"{result.allegations:,} allegations",
        highlight=False,
    )
    console.print(f"manifest: {result.manifest}", highlight=False)


# ---- estimate (multiple systems estimation) -------------------------------------------


@app.command()
def estimate(
    ctx: typer.Context,
    histories: Annotated[
        Path | None,
        typer.Option(
            "--histories",
            help="CSV of capture histories: a 0/1 column per list and a 'count' column. "
            "Default: the store's latest linkage run.",
        ),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="Estimator (repeatable): chapman, loglinear, Mt, Mth-Chao, Mth-Darroch, "
            "Mth-Poisson2, lcmcr, dga. Default: all.",
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Stratify by this field (a column of the CSV).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same answer.")
    ] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for estimate.json and estimate.html.")
    ] = Path("estimate-output"),
) -> None:
    """Estimate how many people there were, listed or not (multiple systems estimation)."""
    from credible.estimate import read_histories, run_estimation, write_outputs
    from credible.estimate.stored import estimate_in_store
    from credible.store import open_store

    settings = _ctx(ctx).settings()
    if histories is not None and not _store_exists(settings):
        run = run_estimation(read_histories(histories, by), method, seed)
        err_console.print("no store here: the run is not recorded (create one with credible init)")
    else:
        store = open_store(settings)
        run, run_id = estimate_in_store(
            store, settings.actor, method, by, seed, str(histories) if histories else None
        )
        err_console.print(f"recorded as estimation run {run_id}")
    table = Table(
        "method",
        "stratum",
        "model",
        "estimate",
        "lower",
        "upper",
        "ok",
        title=f"Estimated total ({run.n_observed:,} observed on {len(run.lists)} lists)",
    )
    for e in run.estimates:
        if run.by and e.stratum not in (None, "(total of strata)"):
            continue
        table.add_row(
            e.method,
            e.stratum or "all",
            e.model[:48],
            _count(e.estimate),
            _count(e.lower),
            _count(e.upper),
            "yes" if e.converged else "[red]no[/]",
        )
    console.print(table)
    for w in run.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    json_path, html_path = write_outputs(run, out)
    console.print(f"wrote {json_path} and {html_path}", highlight=False)


# ---- names: explain, compare (logic in credible.names) --------------------------------

names_app = typer.Typer(
    help="Names across scripts: detect, romanise, key and compare names.", no_args_is_help=True
)
app.add_typer(names_app, name="names")


@names_app.command("explain")
def names_explain(
    name: Annotated[str, typer.Argument(help="A name in any script (quote it).")],
) -> None:
    """Show a name's script, parts, romanisations and blocking keys."""
    from credible.names import explain

    e = explain(name)
    # every string shown comes from the user's input: escaped so that "[bold]" or "[/]"
    # in a name is printed as written, not read as Rich markup
    table = Table("", "", show_header=False, title=f"name: {escape(e.name)}")
    table.add_row("script", e.script)
    parts = zip(e.parts, e.part_scripts, strict=True)
    table.add_row("parts", escape(" | ".join(f"{p} ({s})" for p, s in parts)))
    table.add_row("romanised", escape(e.romanized))
    table.add_row("candidates", escape("\n".join(e.candidates)))
    table.add_row("part keys", escape(" | ".join(", ".join(k) for k in e.part_keys)))
    table.add_row("blocking keys", escape(" ".join(e.keys)))
    console.print(table)


@names_app.command("compare")
def names_compare(
    a: Annotated[str, typer.Argument(help="First name, any script.")],
    b: Annotated[str, typer.Argument(help="Second name, any script.")],
) -> None:
    """Score two names and show which parts matched which, and how closely."""
    from credible.names import compare

    c = compare(a, b)
    verdict = "[green]same name[/]" if c.same else "[red]different names[/]"
    console.print(
        f"{escape(c.a.romanized)}  vs  {escape(c.b.romanized)}: score {c.score:.3f} "
        f"(threshold {c.threshold:.2f}) → {verdict}",
        highlight=False,
    )
    table = Table("part A", "part B", "key A", "key B", "similarity")
    for m in c.matches:
        cells = (escape(m.a), escape(m.b), escape(m.key_a), escape(m.key_b))
        table.add_row(*cells, f"{m.similarity:.3f}")
    for w in c.unmatched_a:
        table.add_row(escape(w), "—", "", "", "unmatched")
    for w in c.unmatched_b:
        table.add_row("—", escape(w), "", "", "unmatched")
    console.print(table)


# ---- linkage: link, link explain, link evaluate, review (logic in linkage.service) ----

# Splink logs training details (levels not seen in a sample, EM sampling probes) as
# warnings; with no handler Python would print them all on stderr. The run's own
# warnings (failed or unconverged EM passes) are printed with its summary instead.
logging.getLogger("splink").addHandler(logging.NullHandler())

link_app = typer.Typer(
    help="Link person records into Persons (Splink), explain and evaluate the latest run.",
)
app.add_typer(link_app, name="link")


@link_app.callback(invoke_without_command=True)
def link(
    ctx: typer.Context,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Merge pairs at or above this match probability (0-1). Default 0.8.",
            show_default=False,
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="duckdb (default, one machine) or spark (pyspark + Java 17).", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed of the random sampling; the same seed gives the same Persons.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Link every person record in the store: train, predict, cluster, store the run.

    With no options it does the whole job with sensible defaults. Reviewers' decisions
    (`credible review`) are honoured: a rejected pair is never merged, an accepted one is.
    """
    if ctx.invoked_subcommand is not None:
        return
    from credible.linkage.service import make_settings, run_link
    from credible.store import open_store

    settings = _ctx(ctx).settings()
    link_settings = make_settings(match_threshold=threshold, backend=backend, seed=seed)
    store = open_store(settings)
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("linking", total=100)

        def report(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=round(100 * fraction))

        summary = run_link(store, link_settings, settings.actor, progress=report)
    table = Table("", "", show_header=False, title=f"linkage run {summary.run_id}")
    table.add_row("records", f"{summary.records:,}")
    table.add_row("persons", f"{summary.persons:,} ({summary.merged_persons:,} of 2+ records)")
    table.add_row("pairs scored", f"{summary.pairs_scored:,} ({summary.pairs_stored:,} stored)")
    table.add_row("review queue", f"{summary.review_queue:,}")
    table.add_row("judgements honoured", f"{summary.judgements:,}")
    if summary.changes:
        c = summary.changes
        table.add_row(
            f"vs run {c['compared_with_run']}",
            f"{c['merged']:,} persons merged, {c['split']:,} split",
        )
    table.add_row("seconds", f"{max(summary.seconds.values(), default=0):.1f}")
    console.print(table)
    for w in summary.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
    if summary.review_queue:
        console.print(f"{summary.review_queue:,} pairs need a human: run `credible review`")


@link_app.command("explain")
def link_explain(
    ctx: typer.Context,
    record_a: Annotated[str, typer.Argument(help="Id of the first person record.")],
    record_b: Annotated[str, typer.Argument(help="Id of the second person record.")],
    chart: Annotated[
        Path | None, typer.Option(help="Also write the waterfall as an SVG chart to this file.")
    ] = None,
) -> None:
    """Show the match weight of two records by comparison (the latest run's waterfall)."""
    from credible.linkage.service import explain
    from credible.store import open_store

    wf = explain(open_store(_ctx(ctx).settings()), record_a, record_b)
    console.print(wf.to_text(), highlight=False, markup=False)
    if chart is not None:
        console.print(f"wrote {wf.to_svg(chart)}", highlight=False)


@link_app.command("evaluate")
def link_evaluate(
    ctx: typer.Context,
    truth: Annotated[
        Path, typer.Option(help="Simulator output folder (with truth/records.csv) or its truth/.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score the latest run against known truth: pairwise and B-cubed precision/recall/F1."""
    import json

    from credible.linkage.service import evaluate_latest
    from credible.store import open_store

    run_id, m = evaluate_latest(open_store(_ctx(ctx).settings()), truth)
    if as_json:
        console.print_json(json.dumps({"run_id": run_id, **m.as_dict()}))
        return
    table = Table("", "precision", "recall", "F1", title=f"linkage run {run_id} vs truth")
    table.add_row(
        "pairwise",
        f"{m.pairwise_precision:.3f}",
        f"{m.pairwise_recall:.3f}",
        f"{m.pairwise_f1:.3f}",
    )
    table.add_row(
        "B-cubed", f"{m.bcubed_precision:.3f}", f"{m.bcubed_recall:.3f}", f"{m.bcubed_f1:.3f}"
    )
    console.print(table)
    console.print(
        f"{m.records:,} records; {m.predicted_persons:,} persons linked, "
        f"{m.true_persons:,} true; pairs {m.correct_pairs:,} correct of "
        f"{m.predicted_pairs:,} linked and {m.true_pairs:,} true",
        highlight=False,
    )


_REVIEW_CHOICES = {
    "a": "accept",
    "r": "reject",
    "u": "unsure",
    "s": "skip",
    "n": "note",
    "q": "quit",
}


@app.command()
def review(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many pairs.", show_default=False)
    ] = None,
    recluster: Annotated[
        bool,
        typer.Option(
            help="After the session, rebuild Persons from the stored scores and "
            "the decisions (a new run, no retraining)."
        ),
    ] = True,
) -> None:
    """Review the latest run's uncertain pairs: accept, reject, unsure, skip, note or quit.

    Answers are read from the terminal or stdin (one per line: a, r, u, s, n, q), so a
    session can be scripted. Decisions are stored as append-only judgements (who, when).
    """
    from credible.linkage.service import decide, describe, review_items
    from credible.linkage.service import recluster as rebuild
    from credible.store import open_store

    settings = _ctx(ctx).settings()
    store = open_store(settings)
    decided = seen = 0
    for item in review_items(store, limit):
        seen += 1
        a, b = item.record_l, item.record_r
        table = Table(
            "",
            "record A",
            "record B",
            title=f"pair {seen}: match probability {item.match_probability:.3f}",
        )
        for (label, left), (_, right) in zip(describe(a), describe(b), strict=True):
            table.add_row(label, escape(left), escape(right))
        console.print(table)
        waterfall = item.waterfall()
        if waterfall is not None:
            console.print(waterfall.to_text(), highlight=False, markup=False)
        note, action = "", ""
        while True:
            try:
                answer = typer.prompt(
                    "[a]ccept [r]eject [u]nsure [s]kip [n]ote [q]uit", default="s"
                )
            except typer.Abort:  # end of input: stop as if asked to
                answer = "q"
            action = _REVIEW_CHOICES.get(answer.strip().lower()[:1], "")
            if action == "note":
                try:
                    note = typer.prompt("note")
                except typer.Abort:
                    action = "quit"
                    break
                continue
            if action:
                break
            console.print("answer a, r, u, s, n or q")
        if action == "quit":
            break
        if action == "skip" and not note:
            continue
        decision = "unsure" if action == "skip" else action
        decide(store, settings.actor, a["record_id"], b["record_id"], decision, note)
        decided += 1
    console.print(f"{decided} decision(s) stored, {seen} pair(s) shown", highlight=False)
    if not seen:
        console.print("the review queue is empty")
    if decided and recluster:
        summary = rebuild(store, settings.actor)
        console.print(
            f"linkage run {summary.run_id}: {summary.persons:,} persons after review "
            f"({summary.changes.get('merged', 0):,} merged, {summary.changes.get('split', 0):,} "
            f"split; {summary.review_queue:,} pairs still in the queue)",
            highlight=False,
        )
    elif decided:
        console.print("run `credible link` to rebuild Persons with these decisions")


# ---- demo ----------------------------------------------------------------------------


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option(help="Folder for the FICTIONAL lists, the store and results.")
    ] = Path("demo-output"),
    people: Annotated[int, typer.Option(min=10, help="Size of the FICTIONAL population.")] = 20_000,
    lists: Annotated[int, typer.Option(min=2, max=10, help="Number of source lists.")] = 5,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same demo.")
    ] = 2022,
) -> None:
    """Run a FICTIONAL investigation end to end: simulate lists, import, link, summarise.

    Uses its own store in OUT (OUT/credible.db) unless --db is given.
    """
    from credible.demo import run_demo

    c = _ctx(ctx)
    settings = c.settings() if c.db else None
    console.print("[bold]credible demo[/] — every name and record below is FICTIONAL")
    summary = run_demo(
        out,
        people=people,
        lists=lists,
        seed=seed,
        settings=settings,
        say=lambda msg: console.print(f"  {msg}", highlight=False),
    )
    table = Table("source", "records", title="FICTIONAL person records per source")
    for name, n in summary.records_per_source.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    totals = Table("table", "rows", title="FICTIONAL store contents")
    for name, n in summary.counts.items():
        totals.add_row(name, f"{n:,}")
    console.print(totals)
    if summary.link_metrics is not None:
        m = summary.link_metrics
        scores = Table("", "precision", "recall", "F1", title="linkage vs the FICTIONAL truth")
        scores.add_row(
            "pairwise",
            *(f"{v:.3f}" for v in (m.pairwise_precision, m.pairwise_recall, m.pairwise_f1)),
        )
        scores.add_row(
            "B-cubed", *(f"{v:.3f}" for v in (m.bcubed_precision, m.bcubed_recall, m.bcubed_f1))
        )
        console.print(scores)
        console.print(
            f"{m.predicted_persons:,} persons linked, {m.true_persons:,} true",
            highlight=False,
        )
    if summary.estimation is not None:
        run = summary.estimation
        est = Table(
            "method",
            "model",
            "estimate",
            "95% interval",
            title=f"How many people? {run.n_observed:,} linked persons observed on "
            f"{len(run.lists)} lists; FICTIONAL truth: {summary.true_people:,}",
        )
        for e in run.overall():
            interval = "-" if e.lower != e.lower else f"{_count(e.lower)} to {_count(e.upper)}"
            est.add_row(e.method, e.model[:40], _count(e.estimate), interval)
        console.print(est)
    console.print(f"store: {summary.db}")


def main() -> None:
    """Entry point: run the app, turning user-facing errors into a message and exit code.

    Typer (in standalone mode) already turns usage errors into a message and exit code 2.
    """
    try:
        app()
    except CredibleError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
