"""A simulated investigation on disk: parseable, consistent with its truth, FICTIONAL."""

from __future__ import annotations

import csv
import filecmp
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from credible.model import KINDS, vocabulary
from credible.simulate import simulate, simulate_captures

FICTIONAL = "FICTIONAL"


def read_rows(path: Path, mapping: dict[str, Any]) -> list[dict[str, Any]]:
    """Data rows of a list or supporting file as dicts (header -> value), as written."""
    fmt = mapping["format"]
    if fmt == "xlsx":
        ws = load_workbook(path, read_only=True).active
        assert ws is not None
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        return [dict(zip(header, r, strict=True)) for r in rows[1:]]
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        for part in (mapping.get("records") or "").split("."):
            if part:
                data = data[part]
        out = []
        for obj in data:
            flat: dict[str, Any] = {}
            for key, value in obj.items():
                if isinstance(value, dict):
                    flat.update({f"{key}.{k}": v for k, v in value.items()})
                else:
                    flat[key] = value
            out.append(flat)
        return out
    with path.open(encoding=mapping.get("encoding", "utf-8"), newline="") as fh:
        return list(csv.DictReader(fh, delimiter=mapping.get("delimiter", ",")))


def _columns(mapping: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for fld, spec in mapping["columns"].items():
        if isinstance(spec, str):
            out[fld] = [spec]
        elif isinstance(spec, list):
            out[fld] = spec
        else:
            out[fld] = [spec["column"]]
    return out


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "run"
    simulate(people=2500, lists=5, seed=11, out=out)
    return out


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _entries(out: Path) -> list[dict[str, Any]]:
    m = _manifest(out)
    return m["lists"] + m["supporting"]


def test_same_seed_gives_identical_bytes(sim: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    simulate(people=2500, lists=5, seed=11, out=again)
    cmp = filecmp.dircmp(sim, again)
    files = [p.relative_to(sim) for p in sim.rglob("*") if p.is_file()]
    match, mismatch, errors = filecmp.cmpfiles(sim, again, [str(f) for f in files], shallow=False)
    assert not mismatch and not errors and len(match) == len(files) > 10
    assert not cmp.left_only and not cmp.right_only


def test_other_seed_differs(sim: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    simulate(people=2500, lists=5, seed=12, out=other)
    rel = "truth/records.csv"
    assert (sim / rel).read_bytes() != (other / rel).read_bytes()


def test_manifest_lists_every_file_in_an_importable_order(sim: Path) -> None:
    m = _manifest(sim)
    assert m["fictional"] is True and m["seed"] == 11
    assert len(m["lists"]) == 5
    kinds = [e["kind"] for e in m["supporting"]]
    assert kinds[:2] == ["facility", "facility_observation"]
    assert set(kinds[2:]) == {"act", "allegation"}
    order = m["import_order"]
    paths = [e["path"] for e in m["lists"] + m["supporting"]]
    assert sorted(order) == sorted(paths)
    assert order[:2] == [m["supporting"][0]["path"], m["supporting"][1]["path"]]
    # Lists (the victims), then acts and allegations, each source's acts before its
    # allegations.
    assert order[2 : 2 + len(m["lists"])] == [e["path"] for e in m["lists"]]
    assert order[2 + len(m["lists"]) :] == [e["path"] for e in m["supporting"][2:]]
    for e in m["lists"] + m["supporting"]:
        assert (sim / e["path"]).is_file() and (sim / e["mapping"]).is_file()
        assert FICTIONAL in e["path"]
    assert FICTIONAL in (sim / "README.txt").read_text(encoding="utf-8")


def test_mappings_use_known_fields_and_vocab_codes(sim: Path) -> None:
    scripts = vocabulary("scripts")
    for e in _entries(sim):
        text = (sim / e["mapping"]).read_text(encoding="utf-8")
        assert text.startswith("# FICTIONAL")
        mapping = yaml.safe_load(text)
        assert mapping["kind"] == e["kind"] and mapping["format"] == e["format"]
        known = {f.name: f for f in KINDS[mapping["kind"]]}
        for fld, spec in mapping["columns"].items():
            assert fld in known, (e["path"], fld)
            if isinstance(spec, dict):
                if "script" in spec:
                    assert spec["script"] in scripts
                if "values" in spec and known[fld].type.startswith("vocab:"):
                    vocab = vocabulary(known[fld].type.split(":", 1)[1])
                    assert set(spec["values"].values()) <= set(vocab.codes)
        for fld in mapping.get("constants", {}):
            assert fld in known
        assert mapping["source"]["kind"] in vocabulary("source_kinds")
        assert mapping["source"]["reliability"] in vocabulary("reliability")


def test_every_file_parses_every_row_is_fictional_and_mapped_columns_exist(sim: Path) -> None:
    for e in _entries(sim):
        mapping = yaml.safe_load((sim / e["mapping"]).read_text(encoding="utf-8"))
        rows = read_rows(sim / e["path"], mapping)
        assert rows, e["path"]
        assert all(r["fictional"] == FICTIONAL for r in rows)
        for fld, headers in _columns(mapping).items():
            for h in headers:
                assert h in rows[0], (e["path"], fld, h)


def test_vocab_values_in_supporting_files(sim: Path) -> None:
    m = _manifest(sim)
    by_kind = {e["kind"]: e for e in m["supporting"]}  # the first file of each kind

    def rows(e: dict[str, Any]) -> list[dict[str, Any]]:
        return read_rows(sim / e["path"], {"format": "csv"})

    facilities = rows(by_kind["facility"])
    assert {r["kind"] for r in facilities} <= set(vocabulary("facility_kinds").codes)
    for r in facilities:
        # Inside Xinjiang's bounding box.
        assert 34.3 < float(r["latitude"]) < 49.2 and 73.5 < float(r["longitude"]) < 96.4
        assert r["name_zh"] and r["name_ug"] and r["prefecture"]
    fac_ids = {r["external_id"] for r in facilities}
    obs = rows(by_kind["facility_observation"])
    assert {r["change"] for r in obs} <= set(vocabulary("observation_changes").codes)
    assert {r["facility"] for r in obs} <= fac_ids
    acts = [r for e in m["supporting"] if e["kind"] == "act" for r in rows(e)]
    assert {r["type"] for r in acts} <= set(vocabulary("act_types").codes)
    assert len({r["type"] for r in acts}) >= 5
    assert {r["facility"] for r in acts} - {""} <= fac_ids
    testimony = m["lists"][1]
    tmap = yaml.safe_load((sim / testimony["mapping"]).read_text(encoding="utf-8"))
    ids = {r["id"] for r in read_rows(sim / testimony["path"], tmap)}
    assert {r["victim"] for r in acts} <= ids
    allegations = [r for e in m["supporting"] if e["kind"] == "allegation" for r in rows(e)]
    assert {r["act"] for r in allegations} <= {r["external_id"] for r in acts}
    assert {r["credibility"] for r in allegations} <= set(vocabulary("credibility").codes)
    assert {r["stance"] for r in allegations} == set(vocabulary("stance").codes)
    assert all(r["excerpt"] for r in allegations)


def test_truth_matches_the_files(sim: Path) -> None:
    m = _manifest(sim)
    population = json.loads((sim / "truth/population.json").read_text(encoding="utf-8"))
    assert population["people"] == 2500 and population["fictional"] is True
    with (sim / "truth/records.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert list(truth[0])[:3] == ["source", "source_row", "person_id"]
    per_source: dict[str, list[dict[str, str]]] = {}
    for row in truth:
        per_source.setdefault(row["source"], []).append(row)
    with (sim / "truth/people.csv").open(encoding="utf-8") as fh:
        people = {int(r["person_id"]): r for r in csv.DictReader(fh)}
    assert sorted(people) == list(range(1, 2501))
    assert all(r["fictional"] == FICTIONAL for r in people.values())
    for k, e in enumerate(m["lists"]):
        mapping = yaml.safe_load((sim / e["mapping"]).read_text(encoding="utf-8"))
        rows = read_rows(sim / e["path"], mapping)
        mine = per_source[e["source"]]
        assert [int(r["source_row"]) for r in mine] == list(range(1, len(rows) + 1))
        assert population["lists"][e["source"]]["records"] == len(rows)
        ids = [int(r["person_id"]) for r in mine]
        # Everyone documented by the list, and only them, with some listed twice.
        captured = {i for i, p in people.items() if p["capture_history"][k] == "1"}
        assert set(ids) == captured
        assert len(ids) > len(captured)  # duplicates within the list
    assert population["observed"] == sum("1" in p["capture_history"] for p in people.values())


def test_names_in_the_testimony_archive_are_the_true_names_mostly(sim: Path) -> None:
    e = _manifest(sim)["lists"][1]
    mapping = yaml.safe_load((sim / e["mapping"]).read_text(encoding="utf-8"))
    rows = read_rows(sim / e["path"], mapping)
    with (sim / "truth/records.csv").open(encoding="utf-8") as fh:
        pid = {
            int(r["source_row"]): int(r["person_id"])
            for r in csv.DictReader(fh)
            if r["source"] == e["source"]
        }
    with (sim / "truth/people.csv").open(encoding="utf-8") as fh:
        people = {int(r["person_id"]): r for r in csv.DictReader(fh)}
    exact = Counter(
        row["given_name"] == people[pid[i]]["given_name"].replace("'", "")
        for i, row in enumerate(rows, 1)
    )
    share = exact[True] / len(rows)
    assert 0.75 < share < 0.99  # mostly right, and noisy


def test_kazakh_list_needs_kz1048(sim: Path) -> None:
    e = _manifest(sim)["lists"][3]
    raw = (sim / e["path"]).read_bytes()
    text = raw.decode("kz1048")
    assert any(ch in text for ch in "әғқңөұүһі")
    with pytest.raises(UnicodeEncodeError):
        text.encode("cp1251")


def test_captures_match_simulate_captures(sim: Path) -> None:
    with (sim / "truth/people.csv").open(encoding="utf-8") as fh:
        history = [r["capture_history"] for r in csv.DictReader(fh)]
    m = simulate_captures(2500, 5, np.random.default_rng(11))
    assert ["".join(map(str, row)) for row in m.tolist()] == history


@pytest.mark.parametrize("lists", range(2, 11))
def test_every_list_count_works(lists: int, tmp_path: Path) -> None:
    result = simulate(people=300, lists=lists, seed=lists, out=tmp_path)
    m = _manifest(tmp_path)
    assert len(m["lists"]) == lists
    assert len({e["source"] for e in m["lists"]}) == lists
    with (tmp_path / "truth/records.csv").open(encoding="utf-8") as fh:
        truth = Counter(r["source"] for r in csv.DictReader(fh))
    for e in m["lists"]:
        mapping = yaml.safe_load((tmp_path / e["mapping"]).read_text(encoding="utf-8"))
        rows = read_rows(tmp_path / e["path"], mapping)
        assert truth[e["source"]] == len(rows)
        assert all(r["fictional"] == FICTIONAL for r in rows)
    assert result.records == sum(truth.values())


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.integers(1, 150), lists=st.integers(2, 10), seed=st.integers(0, 10**6))
def test_small_populations_still_give_importable_files(
    people: int, lists: int, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("small")
    simulate(people=people, lists=lists, seed=seed, out=out)
    m = _manifest(out)
    with (out / "truth/records.csv").open(encoding="utf-8") as fh:
        truth = Counter(r["source"] for r in csv.DictReader(fh))
    for e in m["lists"] + m["supporting"]:
        mapping = yaml.safe_load((out / e["mapping"]).read_text(encoding="utf-8"))
        rows = read_rows(out / e["path"], mapping)
        assert rows, e["path"]  # an empty file would be refused by `credible import`
        if e["kind"] == "person_record":
            assert truth[e["source"]] == len(rows)
    assert sorted(m["import_order"]) == sorted(e["path"] for e in m["lists"] + m["supporting"])


@pytest.mark.slow
def test_the_store_takes_everything_the_manifest_lists(tmp_path: Path) -> None:
    """End to end through `credible import`'s code path: every file of the manifest
    imports with its mapping, and the store holds as many records as the truth says."""
    from credible.demo import run_demo

    summary = run_demo(tmp_path, people=400, lists=6, seed=5)
    with (tmp_path / "data/truth/records.csv").open(encoding="utf-8") as fh:
        truth = Counter(r["source"] for r in csv.DictReader(fh))
    assert summary.records_per_source == dict(truth)
    population = json.loads((tmp_path / "data/truth/population.json").read_text("utf-8"))
    assert summary.counts["facilities"] == population["facilities"]
    assert summary.counts["acts"] == population["acts"]
    assert summary.counts["allegations"] == population["allegations"]
    # the demo's split audit, answered from the truth, is used and said to be
    assert summary.estimation is not None and summary.estimation_note is not None
    audit = summary.estimation.linkage["split_audit"]
    assert audit["used"] and audit["audited"] > 0
    assert (
        "split audit" in summary.estimation_note and "simulator's truth" in summary.estimation_note
    )


def test_rerun_with_fewer_lists_leaves_no_stale_files(tmp_path: Path) -> None:
    simulate(people=200, lists=10, seed=1, out=tmp_path / "a")
    simulate(people=200, lists=3, seed=1, out=tmp_path / "a")
    simulate(people=200, lists=3, seed=1, out=tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b


def test_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = "import sys; from credible.simulate import simulate; simulate(400, 6, 3, sys.argv[1])"
    for name, hash_seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, env=env)
    a = tmp_path / "a"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) > 10
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
