"""Cross-script person search measured on the simulator's truth (issue 16).

For each seed: simulate a FICTIONAL investigation, import its lists into a fresh SQLite
store (and, with --pg, into a PostgreSQL schema), draw given names at random with a
seeded Generator, write each in every script the simulator renders names in, and search.
A record *carries* a name when its person's given name is that name, or their father's
name is and the record wrote the father's name down (the simulator drops it from some
records), or their (Hui) family name is spelt so. Per query script x record script:
recall (records carrying the name that were found), precision (hits that carry the
name) and n (records carrying it); then the
search's latency, timed in-process (server side), over every query.

    python bench/search.py --seeds 2022 31 --people 20000 --names 100 --pg
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, select, text

from credible.config import Settings
from credible.ingest import import_manifest
from credible.names import split_name
from credible.search import MATCH_THRESHOLD, clear_search_cache, search_people
from credible.simulate import given_name_forms, simulate
from credible.store import Store, init_store, open_store, schema

PG_ADMIN = os.environ.get("CREDIBLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LIMIT = 10_000


def truth(data: Path) -> tuple[dict[tuple[str, int], int], dict[int, tuple[str, str, str]]]:
    with (data / "truth" / "records.csv").open(encoding="utf-8") as fh:
        who = {(r["source"], int(r["source_row"])): int(r["person_id"]) for r in csv.DictReader(fh)}
    with (data / "truth" / "people.csv").open(encoding="utf-8") as fh:
        people = {
            int(r["person_id"]): (r["given_name"], r["father_name"], r["family_name"])
            for r in csv.DictReader(fh)
        }
    return who, people


def records(store: Store) -> list[tuple[int, str, int, str, list[str]]]:
    """(record id, source, source row, script, name parts as written) of every record."""
    pr, src = schema.person_records, schema.sources
    stmt = select(
        pr.c.id, src.c.name, pr.c.source_row, pr.c.name_script, pr.c.given_name_script,
        pr.c.name, pr.c.given_name, pr.c.father_name, pr.c.family_name,
    ).join(src, src.c.id == pr.c.source_id)  # fmt: skip
    out = []
    with store.read() as conn:
        for rid, source, row, s1, s2, name, given, father, family in conn.execute(stmt):
            if name:
                parts = split_name(name)
                has_father = len(parts) > 1
            else:
                parts = [p for p in (given, father, family) if p]
                has_father = bool(father)
            out.append((rid, source, row, s1 or s2 or "?", [str(has_father)]))
    return out


def carriers(
    store: Store, data: Path
) -> tuple[dict[str, set[int]], dict[int, str], dict[str, str]]:
    """Records carrying each given name; each record's source; each source's script."""
    who, people = truth(data)
    carry: dict[str, set[int]] = defaultdict(set)
    source_of: dict[int, str] = {}
    scripts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rid, source, row, script, (has_father,) in records(store):
        source_of[rid] = source
        scripts[source][script] += 1
        given, father, family = people[who[(source, row)]]
        carry[given].add(rid)
        if father and has_father == "True":
            carry[father].add(rid)
        if family:  # a Hui family name (Li) is the given name Li as well, in letters
            carry[family].add(rid)
    script_of = {s: max(c, key=lambda k: c[k]) for s, c in scripts.items()}
    return carry, source_of, script_of


def build(data: Path, url: str, home: Path) -> Store:
    """A store of the simulated lists (an SQLite file built before is opened again)."""
    os.environ["CREDIBLE_HOME"] = str(home)
    if not url.startswith("postgresql") and Path(url).exists():
        return open_store(Settings.resolve(url, actor="bench"))
    store, _, _ = init_store(Settings.resolve(url, actor="bench"))
    for _ in import_manifest(store, data, actor="bench"):
        pass
    return store


def pg_url(schema_name: str) -> str:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    admin.dispose()
    return f"{PG_ADMIN}?options=-csearch_path%3D{schema_name}"


def drop_pg(schema_name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
    admin.dispose()


def measure(
    store: Store,
    carry: dict[str, set[int]],
    source_of: dict[int, str],
    script_of: dict[str, str],
    drawn: list[str],
) -> tuple[dict[tuple[str, str], list[int]], list[float], list[float], int]:
    """Per (query script, record script): [found, hits, relevant]; latencies and the
    process's CPU time per search, in ms."""
    forms = given_name_forms()
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    latencies: list[float] = []
    cpu: list[float] = []
    truncated = 0
    record_scripts = sorted(set(script_of.values()))
    for name in drawn:
        relevant = carry.get(name, set())
        for qscript, query in forms[name].items():
            t0, c0 = time.perf_counter(), time.process_time()
            hits = search_people(store, query, limit=LIMIT)
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            truncated += len(hits) == LIMIT
            got = {h.record_id for h in hits}
            for rscript in record_scripts:
                rel = {r for r in relevant if script_of[source_of[r]] == rscript}
                hit = {r for r in got if script_of[source_of[r]] == rscript}
                cell = cells[(qscript, rscript)]
                cell[0] += len(rel & hit)
                cell[1] += len(hit)
                cell[2] += len(rel)
    return cells, latencies, cpu, truncated


def table(cells: dict[tuple[str, str], list[int]]) -> None:
    qs = sorted({q for q, _ in cells})
    rs = sorted({r for _, r in cells})
    print("| query script | " + " | ".join(rs) + " | all records |")
    print("|---|" + "---:|" * (len(rs) + 1))
    for q in qs:
        row = []
        tot = [0, 0, 0]
        for r in rs:
            found, hits, rel = cells[(q, r)]
            tot = [a + b for a, b in zip(tot, (found, hits, rel), strict=True)]
            row.append(_cell(found, hits, rel))
        row.append(_cell(*tot))
        print(f"| {q} | " + " | ".join(row) + " |")
    print("(each cell: recall / precision / n relevant records)")


def _cell(found: int, hits: int, rel: int) -> str:
    recall = found / rel if rel else float("nan")
    precision = found / hits if hits else float("nan")
    return f"{recall:.3f} / {precision:.3f} / {rel:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2022])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--names", type=int, default=100)
    parser.add_argument("--pg", action="store_true", help="also measure on PostgreSQL")
    parser.add_argument("--work", type=Path, help="folder to build in (default: temp)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-search-"))
    print(f"match threshold {MATCH_THRESHOLD}; limit {LIMIT} hits a query")
    for seed in args.seeds:
        data = work / f"data-{seed}"
        if not (data / "manifest.json").exists():
            simulate(people=args.people, seed=seed, out=data)
        t0 = time.perf_counter()
        store = build(data, str(work / f"store-{seed}.db"), work / "home")
        print(f"\n## seed {seed}: {args.people:,} FICTIONAL people, "
              f"imported into SQLite in {time.perf_counter() - t0:.0f} s")  # fmt: skip
        carry, source_of, script_of = carriers(store, data)
        pool = sorted(n for n in given_name_forms() if carry.get(n))
        rng = np.random.default_rng(seed)
        drawn = [pool[i] for i in rng.choice(len(pool), min(args.names, len(pool)), False)]
        shown = ", ".join(f"{s}={c}" for s, c in sorted(script_of.items()))
        print(f"{len(drawn)} given names drawn from the {len(pool)} the records carry; "
              f"record scripts: {shown}")  # fmt: skip
        backends = [("sqlite", store)]
        pg_schema = None
        if args.pg:
            pg_schema = f"bench_search_{seed}_{uuid.uuid4().hex[:6]}"
            t0 = time.perf_counter()
            pg_store = build(data, pg_url(pg_schema), work / "home")
            print(f"imported into PostgreSQL in {time.perf_counter() - t0:.0f} s")
            backends.append(("postgresql", pg_store))
        try:
            for backend, st in backends:
                clear_search_cache(st)  # the other backend's queries were the same
                cells, lat, cpu, truncated = measure(st, carry, source_of, script_of, drawn)
                if backend == "sqlite":
                    table(cells)
                    if truncated:
                        print(f"{truncated} queries reached the limit of {LIMIT} hits")
                p50, p95, p99 = np.percentile(lat, [50, 95, 99])
                print(f"latency {backend}: {len(lat)} searches, p50 {p50:.1f} ms, "
                      f"p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms")  # fmt: skip
                c50, c95, c99 = np.percentile(cpu, [50, 95, 99])
                print(f"CPU of this process a search ({backend}; PostgreSQL's own not "
                      f"counted): p50 {c50:.1f} ms, p95 {c95:.1f} ms, "
                      f"p99 {c99:.1f} ms")  # fmt: skip
        finally:
            for _, st in backends:
                st.close()
            if pg_schema:
                drop_pg(pg_schema)


if __name__ == "__main__":
    main()
