"""Real-data check: the published BuzzFeed News facility list (CC BY 4.0) read with
examples/buzzfeed_facilities.yml. See shared/data/facilities/README.md."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from credible.config import shared_dataset
from credible.ingest.reader import ParsedFile, load_mapping, open_file

ROOT = Path(__file__).resolve().parents[2]
# Missing, it fails the run (naming CREDIBLE_SHARED_DATA) rather than skipping.
LIST = shared_dataset("facilities", "xinjiang_facilities_buzzfeed_2021-07-20.tsv")
MAPPING = ROOT / "examples" / "buzzfeed_facilities.yml"


@pytest.fixture(scope="module")
def parsed() -> ParsedFile:
    return open_file(LIST, mapping=load_mapping(MAPPING))


@pytest.fixture(scope="module")
def rows(parsed: ParsedFile) -> list[dict]:
    batches = list(parsed.batches())
    assert [p for b in batches for p in b.problems] == []
    return pa.concat_tables([b.table for b in batches]).to_pylist()


def test_file_settings(parsed: ParsedFile) -> None:
    assert (parsed.kind, parsed.format, parsed.encoding, parsed.delimiter) == (
        "facility",
        "tsv",
        "cp437",
        "\t",
    )
    assert parsed.mapping.source.kind == "media"


def test_all_551_facilities_with_their_own_ids(rows: list[dict]) -> None:
    assert len(rows) == 551
    ids = [r["external_id"] for r in rows]
    assert None not in ids and len(set(ids)) == 551
    assert sum(r["name"] is None for r in rows) == 47
    # three empty rows under the header: data starts at row 4 and ends at 554
    assert rows[0]["source_row"] == 4 and rows[-1]["source_row"] == 554


def test_coordinates_are_in_xinjiang(rows: list[dict]) -> None:
    for r in rows:
        assert 34.0 < r["latitude"] < 50.0 and 73.0 < r["longitude"] < 97.0, r
    first = rows[0]
    assert (first["external_id"], first["name"]) == ("106", "Shufu - I")
    assert first["latitude"] == pytest.approx(39.3591944444444)
    assert first["longitude"] == pytest.approx(75.8638888888889)


def test_prefecture_and_town(rows: list[dict]) -> None:
    prefectures = Counter(r["prefecture"] for r in rows)
    assert prefectures["Ürümqi"] == 34
    assert not any("\ufffd" in str(p) or "r\u0081" in str(p) for p in prefectures)
    assert prefectures[None] == 2
    assert all(r["town"] for r in rows if r["name"])


def test_kinds_recoded(rows: list[dict]) -> None:
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == {
        "camp",
        "detention_center",
        "prison_medium_security",
        "prison_high_security",
        None,
    }
    assert kinds[None] == 103


def test_other_columns_kept_in_extra(rows: list[dict]) -> None:
    extras = [json.loads(r["extra"]) for r in rows if r["extra"]]
    assert len(extras) == 551  # every row has at least its corroboration level
    keys = set().union(*extras)
    assert {"corroboration level", "ETNAM", "ASPI 2020 #", "Links", "id_sub"} <= keys
    assert Counter(e.get("corroboration level") for e in extras)["corroborated"] > 100


def test_without_a_mapping_the_list_still_reads(rows: list[dict]) -> None:
    """Encoding detected, headers recognised, facility types matched to codes ignoring
    spaces and punctuation: the same facilities as through the mapping."""
    parsed = open_file(LIST, kind="facility")
    assert (parsed.encoding, parsed.delimiter) == ("cp437", "\t")
    batches = list(parsed.batches())
    assert [p for b in batches for p in b.problems] == []
    plain = pa.concat_tables([b.table for b in batches]).to_pylist()
    keys = ("external_id", "name", "kind", "latitude", "longitude", "town", "prefecture")
    assert [tuple(r[k] for k in keys) for r in plain] == [tuple(r[k] for k in keys) for r in rows]
