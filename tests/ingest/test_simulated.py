"""Every file the simulator writes reads without a problem through its own mapping, and
the rows keep the numbers the simulator's truth gives them. All data FICTIONAL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from credible.errors import InputError
from credible.ingest import read_lists
from credible.ingest.encoding import detect_encoding
from credible.ingest.reader import load_mapping, open_file
from credible.simulate import simulate


@pytest.fixture(scope="module")
def investigation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=600, lists=5, seed=11, out=out)
    return out


def test_every_list_reads_cleanly_with_true_row_numbers(investigation: Path) -> None:
    manifest = json.loads((investigation / "manifest.json").read_text("utf-8"))
    truth: dict[str, list[int]] = {}
    with open(investigation / "truth" / "records.csv", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            truth.setdefault(rec["source"], []).append(int(rec["source_row"]))
    assert manifest["lists"]
    for entry in manifest["lists"]:
        mapping = load_mapping(investigation / entry["mapping"])
        parsed = open_file(investigation / entry["path"], mapping=mapping)
        rows: list[int] = []
        for batch in parsed.batches(batch_size=100):
            assert batch.problems == [], entry["path"]
            rows += batch.table.column("source_row").to_pylist()
        assert sorted(rows) == sorted(truth[entry["source"]]), entry["path"]
        if parsed.encoding not in (None, "utf-8"):
            # a legacy-encoded list is also recognised without its declaration
            sample = (investigation / entry["path"]).read_bytes()[: 1 << 20]
            assert detect_encoding(sample) == parsed.encoding


def test_read_lists_gives_every_listed_record_once_by_truths_numbering(investigation: Path) -> None:
    records = read_lists(investigation)
    truth = pd.read_csv(investigation / "truth" / "records.csv")
    assert records["record_id"].is_unique
    listed = set(zip(records["source"], records["source_row"].astype(int), strict=True))
    assert listed == set(zip(truth["source"], truth["source_row"], strict=True))


def test_read_lists_without_a_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_lists(tmp_path)
    assert "manifest.json" in str(caught.value.problems[0])
