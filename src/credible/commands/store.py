"""Store commands: init, export, audit (verify, head, reindex), search, key (check, rotate)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from credible.commands._common import (
    app,
    check_output_file,
    console,
    context,
    err_console,
    progress_bar,
    warn,
    where,
)
from credible.errors import ConfigError, IntegrityError

if TYPE_CHECKING:
    from credible.store import Hit, PublishedHead, Store


@app.command()
def init(ctx: typer.Context) -> None:
    """Create a store, or upgrade an existing one to the newest schema.

    A plain path (or nothing: ./credible.db) makes an SQLite file; a postgresql:// URL uses
    PostgreSQL. A new store takes the key file at $CREDIBLE_KEY_FILE (default
    $CREDIBLE_HOME/key), creating it if there is none; an existing store must be given
    its own key. Safe to run again: an up-to-date store is left as it is.
    """
    from credible.store import init_store, short

    settings = context(ctx).settings()
    existed = settings.key_file.exists()
    store, before, after = init_store(settings)
    store.close()
    if before == after:
        console.print(f"store at {where(settings)} is up to date (schema {after})")
    else:
        console.print(f"store at {where(settings)} is ready (schema {before or 'none'} -> {after})")
    if not existed:
        warn(
            f"created the key file {settings.key_file} (fingerprint "
            f"{short(store.keys.fingerprint)}). Back it up apart from the store: without it "
            "the sealed fields and the evidence files cannot be read.",
            "key:",
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
        typer.Option(
            help="Decrypt sealed fields (contact details, evidence text) instead of "
            "writing \\[encrypted]. The reveal is recorded in the audit log."
        ),
    ] = False,
    neutralise_formulas: Annotated[
        bool,
        typer.Option(
            "--neutralise-formulas/--keep-formulas",
            help="In CSV, prefix a value that a spreadsheet would run as a formula "
            "(=, +, -, @ at its start) with an apostrophe.",
        ),
    ] = True,
    edition: Annotated[
        str,
        typer.Option(
            help="internal (every field; sealed ones as \\[encrypted]) or public: the "
            "redaction of `credible report --edition public` (witnesses left out, victims "
            "pseudonymised unless they consented, dates and places coarsened, confidential "
            "sources unnamed, sealed fields never read)."
        ),
    ] = "internal",
    redaction: Annotated[
        Path | None,
        typer.Option(
            help="Redaction policy (YAML) for --edition public; default: the shipped one."
        ),
    ] = None,
) -> None:
    """Write a table as CSV or JSON Lines, every field a column."""
    from credible.store import EXPORT_FORMATS, check_table, export_table, open_store, write_rows

    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if edition not in ("internal", "public"):
        raise ConfigError(f"unknown edition {edition!r}; use internal or public")
    public = edition == "public"
    if public and reveal_sensitive:
        raise ConfigError("--reveal-sensitive cannot be combined with --edition public")
    if redaction is not None and not public:
        raise ConfigError("--redaction applies to the public edition: add --edition public")
    if public:
        from credible.report import check_public_table, load_redaction

        check_public_table(table)
        policy = load_redaction(redaction)
    elif table != "links":
        check_table(table)
    if out is not None:
        check_output_file(out, "--out")
    settings = context(ctx).settings()
    store = open_store(settings, label=f"export {table}")

    def write(fh: IO[str]) -> int:
        if public:
            from credible.report import public_rows

            columns, rows = public_rows(store, table, policy)
            return write_rows(columns, rows, fmt, fh, neutralise_formulas=neutralise_formulas)
        if table == "links":
            from credible.linkage import export_links

            return export_links(store, fmt, fh)
        return export_table(
            store,
            table,
            fmt,
            fh,
            reveal_sensitive=reveal_sensitive,
            neutralise_formulas=neutralise_formulas and fmt == "csv",
            actor=settings.actor,
        )

    if out is None:
        write(sys.stdout)
        return
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            n = write(fh)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    err_console.print(f"wrote {n} {table} rows to {out}")


audit_app = typer.Typer(
    help="Check the hash-chained, signed audit log and the search index.", no_args_is_help=True
)
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
    published: Annotated[
        Path | None,
        typer.Option(
            help="A head written earlier by `credible audit head --out`: the chain must "
            "still hold it (entries cut from the end, or a rewritten chain, fail)."
        ),
    ] = None,
) -> None:
    """Check the audit chain, its signed heads, every row and the search index; exit 5
    naming the first breach."""
    from credible.store import check_index, open_store, verify

    head = _read_published(published) if published is not None else None
    store = open_store(context(ctx).settings(), label="audit verify")
    with store.read() as conn:
        report = verify(conn, expect_head, public_key=store.keys.public_key, published=head)
        index = check_index(conn, store.search) if report.ok else None
    if not report.ok:
        first = report.breaches[0]
        more = len(report.breaches) - 1
        raise IntegrityError(
            f"audit check failed at {first}" + (f" (+{more} more)" if more else "")
        )
    assert index is not None
    if not index.ok:
        raise IntegrityError(
            f"the search index does not match the rows: {index.describe()}. Entries were "
            "removed from it or added to it behind the store's back (a person deleted from "
            "the index is hidden from every search); `credible audit reindex` rebuilds it"
        )
    from credible.search import check_name_index

    unkeyed = check_name_index(store)
    if unkeyed:
        shown = ", ".join(str(r) for r in unkeyed[:5]) + (" and more" if len(unkeyed) > 5 else "")
        raise IntegrityError(
            f"the name keys of {len(unkeyed)} person record(s) ({shown}) are missing or "
            "altered: they would be hidden from a search in another script; `credible audit "
            "reindex` writes them again"
        )
    console.print(
        f"audit chain intact: {report.entries} entries, {report.rows} rows checked, "
        f"every head signed by this store's key; search index matches the rows "
        f"({index.documents} documents); head {report.head_hash}"
    )


def _read_published(path: Path) -> PublishedHead:
    from credible.store import PublishedHead

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PublishedHead(int(data["entry"]), str(data["hash"]))
    except OSError as exc:
        raise ConfigError(f"cannot read the published head {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a head written by `credible audit head --out` ({exc})"
        ) from exc


@audit_app.command("head")
def audit_head(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(help="Also write the signed head as JSON to this file, to keep elsewhere."),
    ] = None,
) -> None:
    """Print the chain's newest entry and its signature: publish it (a signed email, a
    second system), then `audit verify --published FILE` proves nothing was cut since."""
    from credible.store import open_store, signed_head

    if out is not None:
        check_output_file(out, "--out")
    store = open_store(context(ctx).settings(), label="audit head")
    with store.read() as conn:
        head = signed_head(conn)
    if head is None:
        raise IntegrityError("the audit chain has no signed head yet")
    body = json.dumps({"store": where(context(ctx).settings()), **head}, indent=2)
    console.print(body)
    if out is not None:
        out.write_text(body + "\n", encoding="utf-8")
        err_console.print(f"wrote {out}")


@audit_app.command("reindex")
def audit_reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from the rows (after `audit verify` found it altered)."""
    from credible.store import open_store, reindex

    settings = context(ctx).settings()
    store = open_store(settings, label="audit reindex")
    written = reindex(store, settings.actor)
    console.print(f"search index rebuilt from the rows: {written} documents")
    from credible.search import refresh_name_index

    keyed = refresh_name_index(store, settings.actor)
    console.print(f"name keys written again for {keyed} person records")


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help="A name in any script (Турсун, تۇرسۇن, 吐尔逊 and Tursun find the same "
            "people), or words of facility names and evidence text."
        ),
    ],
    source: Annotated[str | None, typer.Option(help="Only people of this source.")] = None,
    facility: Annotated[
        str | None,
        typer.Option(help="Only people held at this facility (its id, or a name of it)."),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="Only people detained on or after this date (YYYY[-MM[-DD]])."),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", help="Only people detained on or before this date (YYYY[-MM[-DD]])."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most hits to show.")] = 50,
    reveal_sensitive: Annotated[
        bool,
        typer.Option(
            help="Show the passage of sealed evidence text around the hit (decrypted; "
            "recorded in the audit log)."
        ),
    ] = False,
) -> None:
    """Find people by name across scripts, and facilities and evidence text by their words.

    People are matched by the name keys of credible.names (see docs/search.md); --source,
    --facility, --from and --to narrow the people found, and leave out the other hits.
    """
    from credible.search import SearchFilters, search_people
    from credible.store import open_store, record_custody

    settings = context(ctx).settings()
    store = open_store(settings, label="search")
    filters = SearchFilters(source=source, facility=facility, date_from=date_from, date_to=date_to)
    people = search_people(store, query, filters, limit)
    hits = []
    if filters == SearchFilters():
        with store.read() as conn:
            found = store.search.find(conn, query, limit, reveal=reveal_sensitive)
        hits = [h for h in found if h.kind != "person_record"]
        hits += _cross_script_evidence(store, query, limit, hits)
    if reveal_sensitive and any(h.kind == "evidence" for h in hits):
        with store.write(settings.actor) as uow:
            uow.log("reveal", "evidence", {"search": True, "hits": len(hits)})
            for hit in hits:
                if hit.kind == "evidence":  # a passage of the file's text, read in clear
                    record_custody(
                        uow,
                        hit.ref,
                        "accessed",
                        reason="search --reveal-sensitive",
                        details={"search": True},
                    )
    if not people and not hits:
        err_console.print(f"no match for {query!r}")
        raise typer.Exit(1)
    if people:
        table = Table("name", "script", "romanised", "source", "person", "record", "score")
        for p in people:
            person = "" if p.person_id is None else str(p.person_id)
            table.add_row(
                p.name, p.script, p.romanised, p.source, person, str(p.record_id), f"{p.score:.2f}"
            )
        console.print(table)
    if hits:
        table = Table("kind", "id", "text")
        for hit in hits:
            table.add_row(hit.kind, str(hit.ref), hit.text)
        console.print(table)


def _cross_script_evidence(store: Store, query: str, limit: int, hits: list[Hit]) -> list[Hit]:
    """Evidence whose words match the query's in another script (credible.evidence)."""
    from credible.evidence import cross_script_hits
    from credible.store import Hit

    seen = frozenset(h.ref for h in hits if h.kind == "evidence")
    return [
        Hit("evidence", ref, f"{name}: [a word in another script matches]")
        for ref, name in cross_script_hits(store, query, limit, seen)
    ]


key_app = typer.Typer(help="The store's key: check it, rotate it.", no_args_is_help=True)
app.add_typer(key_app, name="key")


@key_app.command("check")
def key_check(ctx: typer.Context) -> None:
    """Check that the key file is this store's key and opens every sealed value."""
    from credible.store import check_key, open_store, short

    settings = context(ctx).settings()
    result = check_key(open_store(settings, label="key check"))
    console.print(f"key file {settings.key_file}: fingerprint {short(result.fingerprint)}")
    console.print(f"public key (publish it to let others check signed heads): {result.public_key}")
    if result.key_file_mode & 0o077:
        warn(
            f"the key file can be read by other users (mode {result.key_file_mode:03o}); "
            f"run: chmod 600 {settings.key_file}"
        )
    if result.unreadable:
        t, r = result.unreadable[0]
        raise IntegrityError(
            f"{len(result.unreadable)} of {result.sealed_values} sealed values cannot be "
            f"opened with this key (first: {t} row {r})"
        )
    console.print(f"the key matches the store and opens all {result.sealed_values} sealed values")


@key_app.command("rotate")
def key_rotate(ctx: typer.Context) -> None:
    """Move the store to a new key: re-seal every sealed value, re-encrypt every evidence
    file, re-sign the audit chain (one audited write). The old key file is kept, renamed
    ``.retired-<time>``: destroy it once your backups hold the new one."""
    from credible.store import open_store, rotate_key, short

    settings = context(ctx).settings()
    store = open_store(settings, label="key rotate")
    with progress_bar() as bar:
        task = bar.add_task("rotating the key", total=None)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        result = rotate_key(store, settings.actor, progress=report)
    console.print(
        f"key rotated: {short(result.old_fingerprint)} -> {short(result.new_fingerprint)}; "
        f"{result.sealed_values} sealed rows re-sealed, {result.vault_files} evidence files "
        f"re-encrypted, {result.signatures} signed heads re-signed"
    )
    warn(
        f"the old key is now {result.retired_key}. Back up the new key file "
        f"{settings.key_file}, then destroy the old one.",
        "key:",
    )
