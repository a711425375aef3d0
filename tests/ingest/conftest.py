"""Helpers for the ingest tests. Every file written here is FICTIONAL."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from credible.errors import Problem
from credible.ingest.reader import ParsedFile, load_mapping, open_file

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


def read_all(parsed: ParsedFile, batch_size: int = 50_000) -> tuple[pa.Table, list[Problem]]:
    tables, problems = [], []
    for batch in parsed.batches(batch_size):
        tables.append(batch.table)
        problems += batch.problems
    return pa.concat_tables(tables) if tables else parsed.schema.empty_table(), problems


def rows_of(path: Path, mapping: str | None = None, **kw: object) -> tuple[list[dict], list]:
    m = None
    if mapping is not None:
        mp = path.parent / "mapping.yml"
        mp.write_text(mapping, encoding="utf-8")
        m = load_mapping(mp)
    table, problems = read_all(open_file(path, mapping=m, **kw))  # type: ignore[arg-type]
    return table.to_pylist(), problems


@pytest.fixture
def data_dir() -> Path:
    return DATA
