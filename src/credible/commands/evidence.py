"""Evidence commands: add, verify, extract, texts, similar, timestamp, custody, bundle, check,
export, transfer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from credible.commands._common import app, console, context, progress_bar, styled, warn
from credible.errors import IntegrityError

#: credible.evidence.DEFAULT_OCR_LANG, written out so that --help needs no import of it
#: (tests/evidence/test_extract_cli.py holds the two equal).
OCR_LANG = "uig+chi_sim+kaz+rus+eng"
OCR_LANG_HELP = (
    "Tesseract language packs for OCR of images and scans, joined by '+' "
    "(uig: Uyghur, chi_sim: Chinese, kaz: Kazakh, rus: Russian, eng: English)."
)

evidence_app = typer.Typer(
    help="Preserve evidence files, keep their signed custody and timestamps, and bundle "
    "them for anyone to check offline.",
    no_args_is_help=True,
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
    ocr_lang: Annotated[str, typer.Option(help=OCR_LANG_HELP)] = OCR_LANG,
) -> None:
    """Keep a file as evidence: hashed, encrypted in the vault, its text read (PDF, OCR of
    images and scans, DOCX, HTML, e-mail) and made searchable, its metadata recorded."""
    from credible.evidence import add_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label=f"evidence add {file.name}")
    r = add_evidence(store, file, source=source, actor=settings.actor, note=note, ocr_lang=ocr_lang)
    if r.already_held:
        console.print(
            f"evidence {r.id} already held (sha256 {r.sha256}); this acquisition was "
            "added to its custody log, nothing else changed"
        )
        return
    indexed = (
        f"{r.text_chars:,} characters of text ({r.method}) sealed and indexed"
        if r.text_chars
        else "no text read from it"
    )
    console.print(f"evidence {r.id} preserved: sha256 {r.sha256}, {r.size:,} bytes, {indexed}")
    if r.problem:
        warn(r.problem, "not read:")


@evidence_app.command("verify")
def evidence_verify(ctx: typer.Context) -> None:
    """Re-read every evidence file in the vault and check it against its SHA-256; list
    files in the vault that no evidence record accounts for."""
    from credible.evidence import verify_vault
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence verify")
    report = verify_vault(store)
    for name in report.orphans:
        warn(
            f"{store.vault.root / name[:2] / name} is in the vault but no evidence record "
            "names it (left by an import that was refused or killed); it can be deleted",
            "orphan:",
        )
    if report.bad:
        shown = "; ".join(f"{sha[:16]}...: {why}" for sha, why in report.bad[:10])
        raise IntegrityError(
            f"{len(report.bad)} of {report.checked} evidence file(s) fail the check: {shown}"
        )
    console.print(f"all {report.checked} evidence files match their SHA-256")


@evidence_app.command("timestamp")
def evidence_timestamp(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Evidence ids to timestamp; none: only send the queued requests."),
    ] = None,
    tsa: Annotated[
        list[str] | None,
        typer.Option(
            help="A timestamping authority's URL (RFC 3161); repeat for several. "
            "Default: $CREDIBLE_TSA."
        ),
    ] = None,
    tsa_root: Annotated[
        list[Path] | None,
        typer.Option(
            help="PEM file of a root certificate the TSAs' tokens must chain to; repeat "
            "for several. Default: $CREDIBLE_TSA_ROOTS."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=600, help="Seconds to wait for each TSA.")
    ] = 20.0,
) -> None:
    """Ask trusted timestamping authorities (RFC 3161) for tokens over files' SHA-256;
    each token is checked and kept. Without a network the requests are queued, and the
    next run sends them."""
    from credible.evidence import read_roots, timestamp_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    roots = read_roots(tsa_root or list(settings.tsa_roots))
    store = open_store(settings, label="evidence timestamp")
    results = timestamp_evidence(
        store, ids or [], tsa or list(settings.tsa_urls), roots, settings.actor, timeout
    )
    table = Table("evidence", "TSA", "result", "detail")
    for r in results:
        table.add_row(str(r.evidence_id), r.tsa_url, r.state, r.detail)
    console.print(table)
    queued = [r for r in results if r.state == "queued"]
    if queued:
        warn(
            f"{len(queued)} request(s) could not be sent (no network, or the TSA is down) "
            "and are queued: run `credible evidence timestamp` again to send them",
            "queued:",
        )
    failed = [r for r in results if r.state == "failed"]
    if failed:
        shown = "; ".join(f"evidence {r.evidence_id}: {r.detail}" for r in failed[:5])
        raise IntegrityError(f"{len(failed)} token(s) refused or invalid, none kept: {shown}")


@evidence_app.command("custody")
def evidence_custody(
    ctx: typer.Context,
    evidence_id: Annotated[int, typer.Argument(help="The evidence id.")],
) -> None:
    """Show a file's chain of custody, each event's signature checked, and its
    timestamp tokens checked; exit non-zero if anything fails."""
    from credible.evidence import custody_report
    from credible.store import open_store, short

    store = open_store(context(ctx).settings(), label="evidence custody")
    r = custody_report(store, evidence_id)
    console.print(f"evidence {r.evidence_id} ({r.original_name or 'no name'}), sha256 {r.sha256}")
    table = Table("#", Column("when (UTC)", no_wrap=True), "who", "action", "why", "details",
                  "signature")  # fmt: skip
    for ev in r.events:
        problems = r.problems_of(ev.seq)
        state = "FAILS: " + ", ".join(p.kind for p in problems) if problems else "holds"
        if ev.signed_late and not problems:
            state = f"holds (signed at upgrade, {ev.signed_at[:10]})"
        if ev.key_fingerprint and ev.key_fingerprint != r.key_fingerprint:
            state += f", key {short(ev.key_fingerprint)}"
        table.add_row(
            str(ev.seq),
            ev.at[:19].replace("T", " "),
            ev.actor,
            ev.action,
            ev.reason or "",
            ev.details or "",
            state,
        )
    console.print(table)
    if r.tokens:
        tokens = Table("TSA", "time", "state", "check")
        for token, check in r.tokens:
            verdict = "holds" if check.ok else str(check.problem)
            if token.state == "queued":
                verdict = token.problem or "not sent yet"
            tokens.add_row(
                token.tsa_name or token.tsa_url, token.gen_time or "", token.state, verdict
            )
        console.print(tokens)
    for p in r.problems:
        console.print(styled("FAILS", "red", f" {p.message}"))
    if not r.ok:
        n = len(r.problems) + sum(1 for t, c in r.tokens if t.state == "granted" and not c.ok)
        raise IntegrityError(f"the custody of evidence {evidence_id} does not hold: {n} problem(s)")
    console.print(
        f"{len(r.events)} event(s), every signature holds (key {short(r.key_fingerprint)})"
    )


@evidence_app.command("bundle")
def evidence_bundle(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Evidence ids to put in the bundle.")],
    out: Annotated[Path, typer.Option("--out", help="A new (or empty) folder to write.")],
    hash_only: Annotated[
        bool, typer.Option(help="Leave the files out: only their SHA-256 goes in the bundle.")
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(help="Why the bundle is made and for whom (kept in the custody log)."),
    ] = None,
) -> None:
    """Write a verification bundle: per file, the file (or its hash), its signed custody
    chain, its timestamp tokens and its audit entries, with the public key; anyone can
    check it offline (`credible evidence check`, or OpenSSL: docs/evidence.md)."""
    from credible.evidence import write_bundle
    from credible.store import open_store, short

    settings = context(ctx).settings()
    store = open_store(settings, label="evidence bundle")
    r = write_bundle(store, ids, out, actor=settings.actor, hash_only=hash_only, reason=reason)
    what = "hashes only" if hash_only else f"{r.files} file(s)"
    console.print(
        f"bundle written to {r.out}: {r.items} item(s), {what}, {r.events} custody event(s), "
        f"{r.tokens} timestamp token(s); signed with key {short(r.key_fingerprint)}"
    )


@evidence_app.command("check")
def evidence_check(
    folder: Annotated[Path, typer.Argument(help="A folder written by `credible evidence bundle`.")],
    key_fingerprint: Annotated[
        str | None,
        typer.Option(
            help="The organisation's published key fingerprint (hex, whole or its first 16 "
            "digits); the bundle must be signed with it."
        ),
    ] = None,
    tsa_root: Annotated[
        list[Path] | None,
        typer.Option(
            help="PEM root certificate(s) to check the tokens against, instead of the roots "
            "the bundle carries."
        ),
    ] = None,
) -> None:
    """Check a bundle with nothing but the bundle (no store, no key file): files, custody
    chains and signatures, timestamp tokens, audit entries. Exit non-zero on any failure."""
    from credible.evidence import check_bundle, read_roots
    from credible.store import short

    roots = read_roots(tsa_root) if tsa_root else None
    r = check_bundle(folder, key_fingerprint=key_fingerprint, tsa_roots=roots)
    for p in r.problems:
        console.print(styled("FAILS", "red", f" {p}"))
    summary = (
        f"{r.items} item(s), {r.files} file(s), {r.events} custody event(s), "
        f"{r.tokens} timestamp token(s); signed with key {short(r.key_fingerprint)}"
    )
    if r.problems:
        raise IntegrityError(f"the bundle does not hold ({len(r.problems)} problem(s)): {summary}")
    console.print(f"the bundle holds: {summary}")
    if key_fingerprint is None:
        console.print(
            f"compare the key's fingerprint, {r.key_fingerprint}, with the one the "
            "organisation publishes (or pass --key-fingerprint)"
        )


@evidence_app.command("export")
def evidence_export(
    ctx: typer.Context,
    evidence_id: Annotated[int, typer.Argument(help="The evidence id.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write (must not exist).")],
    reason: Annotated[
        str | None, typer.Option(help="Why the file is taken out (kept in the custody log).")
    ] = None,
) -> None:
    """Write an evidence file, decrypted, out of the vault; recorded in its custody log."""
    from credible.evidence import export_file
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="evidence export")
    sha, size = export_file(store, evidence_id, out, reason=reason, actor=settings.actor)
    console.print(f"evidence {evidence_id} written to {out}: {size:,} bytes, sha256 {sha}")


@evidence_app.command("transfer")
def evidence_transfer(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Evidence ids handed over.")],
    to: Annotated[str, typer.Option("--to", help="Who received them (person or organisation).")],
    reason: Annotated[str, typer.Option(help="Why they were handed over.")],
) -> None:
    """Record in the custody log that files passed into someone else's hands."""
    from credible.evidence import transfer
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="evidence transfer")
    done = transfer(store, ids, to, reason, settings.actor)
    console.print(f"transfer to {to} recorded for evidence {', '.join(map(str, done))}")


@evidence_app.command("extract")
def evidence_extract(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Evidence ids; none: every evidence file.")
    ] = None,
    ocr_lang: Annotated[str, typer.Option(help=OCR_LANG_HELP)] = OCR_LANG,
) -> None:
    """Read the text and metadata of evidence files again, from the vault (a better OCR,
    other languages): each reading is a new text version, the older ones are kept, and
    the newest is what search finds."""
    from credible.evidence import extract_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="evidence extract")
    with progress_bar() as bar:
        task = bar.add_task("reading evidence", total=None)
        results = extract_evidence(
            store,
            ids or (),
            actor=settings.actor,
            ocr_lang=ocr_lang,
            on_start=lambda n: bar.update(task, total=n),
            on_done=lambda _r: bar.advance(task, 1),
        )
    table = Table("id", "file", "version", "method", "characters", "OCR pages")
    for r in results:
        version = "-" if r.version is None else str(r.version)
        table.add_row(
            str(r.evidence_id), r.original_name, version, r.method, f"{r.chars:,}", str(r.ocr_pages)
        )
    console.print(table)
    for r in results:
        if r.problem:
            warn(f"evidence {r.evidence_id} ({r.original_name}): {r.problem}", "not read:")
    console.print(f"{len(results)} evidence file(s) read")


@evidence_app.command("texts")
def evidence_texts(
    ctx: typer.Context,
    evidence_id: Annotated[int, typer.Argument(help="The evidence id.")],
) -> None:
    """List the text versions of an evidence file: how each was read, when, by whom."""
    from credible.evidence import text_versions
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence texts")
    with store.read() as conn:
        versions = text_versions(conn, evidence_id)
    if not versions:
        console.print(
            f"evidence {evidence_id} has no text version (run `credible evidence extract`)"
        )
        return
    table = Table("version", "method", "tools", "OCR languages", "characters", "at", "by")
    for v in versions:
        tools = ", ".join(f"{k} {val}" for k, val in sorted(v.tools.items()))
        table.add_row(
            str(v.version), v.method, tools, v.ocr_lang or "", f"{v.chars:,}", v.at, v.actor
        )
    console.print(table)
    console.print(f"version {versions[-1].version} is the one search holds")


@evidence_app.command("similar")
def evidence_similar(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Only pairs with these evidence ids; none: every image."),
    ] = None,
    max_distance: Annotated[
        int,
        typer.Option(min=0, max=64, help="Differing bits (of 64) within which images pair."),
    ] = 10,
    same_source: Annotated[bool, typer.Option(help="Also list pairs within one source.")] = False,
) -> None:
    """List near-duplicate images (the same photo resized or re-encoded) across sources,
    and the derived_from links they suggest (suggestions only: nothing is changed)."""
    from credible.evidence import derived_from_suggestions, near_duplicates
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence similar")
    pairs = near_duplicates(
        store, ids or (), max_distance=max_distance, across_sources=not same_source
    )
    if not pairs:
        console.print("no near-duplicate images found")
        return
    table = Table("evidence", "file", "source", "evidence", "file", "source", "distance")
    for p in pairs:
        table.add_row(
            str(p.a), p.name_a, p.source_a, str(p.b), p.name_b, p.source_b, str(p.distance)
        )
    console.print(table)
    for s in derived_from_suggestions(store, pairs):
        shown = ", ".join(f"{c}~{o}" for c, o in s.pairs[:5])
        console.print(
            f"suggestion: source {s.source!r} may derive from {s.derived_from!r} "
            f"({len(s.pairs)} near-duplicate image(s): {shown}; {s.reason}); "
            "not independent evidence if so"
        )
