"""Two imports of the same file at once: one imports it, the other is told it already
was (on PostgreSQL the loser used to print a raw SQL statement and its parameters)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from credible.config import Settings
from credible.ingest import import_file
from credible.store import Store, open_store, schema

# Spawned processes importing at once: in `make test`, not in `make test-fast`.
pytestmark = pytest.mark.slow

ROWS = "name,sex\n" + "".join(f"FICTIONAL Person {i},female\n" for i in range(3000))


def _import(settings: Settings, path: str, start: mp.synchronize.Barrier, out: mp.Queue) -> None:
    store = open_store(settings)
    start.wait(30)
    try:
        result = import_file(store, Path(path), source="FICTIONAL list", actor="t")
        out.put(("ok", result.already_imported, result.rows))
    except Exception as exc:  # the test reports it
        out.put(("error", type(exc).__name__, str(exc)))


def test_the_loser_of_two_imports_is_told_already_imported(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(ROWS, encoding="utf-8")
    store.close()
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_import, args=(settings, str(path), start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
    assert results == [("ok", False, 3000), ("ok", True, 3000)], results
    again = open_store(settings)
    assert again.count(schema.imports) == 1
    assert again.count(schema.person_records) == 3000
