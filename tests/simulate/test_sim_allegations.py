"""Allegations from several FICTIONAL sources, and the truth the assessment is scored on:
which acts happened, which claims are true, which copy which."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from credible.simulate import allegations, simulate

ERRORS = {"none", "fabricated", "mistaken_facility", "mistaken_date"}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("alleg") / "run"
    simulate(people=3000, lists=5, seed=7, out=out)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _source_blocks(out: Path) -> dict[str, dict[str, Any]]:
    """Source name -> the mapping's source block, over every file of the manifest."""
    m = _manifest(out)
    blocks = {}
    for e in m["lists"] + m["supporting"]:
        mapping = yaml.safe_load((out / e["mapping"]).read_text(encoding="utf-8"))
        blocks.setdefault(e["source"], mapping["source"])
    return blocks


def _files(out: Path, kind: str) -> dict[str, list[dict[str, str]]]:
    return {
        e["source"]: _csv(out / e["path"])
        for e in _manifest(out)["supporting"]
        if e["kind"] == kind
    }


def _ancestors(blocks: dict[str, dict[str, Any]], source: str) -> list[str]:
    chain = []
    parent = blocks[source].get("derived_from")
    while parent:
        chain.append(parent)
        parent = blocks[parent].get("derived_from")
    return chain


def test_truth_files_keep_the_contract(sim: Path) -> None:
    with (sim / "truth/acts.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["external_id", "happened", "error"]
    with (sim / "truth/allegations.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == [
            "external_id", "act", "source", "stance", "true_claim", "copied_from",
        ]  # fmt: skip
    acts = _csv(sim / "truth/acts.csv")
    claims = _csv(sim / "truth/allegations.csv")
    assert {a["happened"] for a in acts} == {"true", "false"}
    assert {a["error"] for a in acts} == ERRORS
    assert all((a["happened"] == "true") == (a["error"] == "none") for a in acts)
    assert {c["true_claim"] for c in claims} == {"true", "false"}
    # The truth describes exactly the rows of the files, and the ids are unique.
    file_acts = {r["external_id"]: r for rows in _files(sim, "act").values() for r in rows}
    assert len(file_acts) == sum(len(r) for r in _files(sim, "act").values())
    assert set(file_acts) == {a["external_id"] for a in acts}
    rows = [(s, r) for s, rs in _files(sim, "allegation").items() for r in rs]
    file_claims = {r["external_id"]: (s, r) for s, r in rows}
    assert len(file_claims) == len(rows) == len(claims)
    for c in claims:
        source, row = file_claims[c["external_id"]]
        assert (c["source"], c["act"], c["stance"]) == (source, row["act"], row["stance"])
    population = json.loads((sim / "truth/population.json").read_text(encoding="utf-8"))
    assert population["acts"] == len(acts) and population["allegations"] == len(claims)


def test_a_claim_is_true_when_it_says_what_happened(sim: Path) -> None:
    happened = {a["external_id"]: a["happened"] == "true" for a in _csv(sim / "truth/acts.csv")}
    claims = {c["external_id"]: c for c in _csv(sim / "truth/allegations.csv")}
    for c in claims.values():
        said = c["stance"] == "supports"
        assert (c["true_claim"] == "true") == (happened[c["act"]] == said)
        if c["copied_from"]:  # a copy inherits the error of what it copies
            assert c["true_claim"] == claims[c["copied_from"]]["true_claim"]


def test_copies_copy_an_allegation_of_the_same_act_from_an_ancestor(sim: Path) -> None:
    blocks = _source_blocks(sim)
    claims = {c["external_id"]: c for c in _csv(sim / "truth/allegations.csv")}
    copies = Counter()
    for c in claims.values():
        if not c["copied_from"]:
            continue
        original = claims[c["copied_from"]]
        assert original["act"] == c["act"]
        assert original["source"] in _ancestors(blocks, c["source"])
        copies[c["source"]] += 1
    assert copies["media_reports"] > 0 and copies["ngo_compilation"] > 0
    # Only derived sources copy, and the compilation copies nothing but copies.
    assert set(copies) == {s for s in blocks if blocks[s].get("derived_from")}
    ngo = [c for c in claims.values() if c["source"] == "ngo_compilation"]
    assert all(claims[c["copied_from"]]["source"] == "media_reports" for c in ngo)


def test_sources_grades_and_derivation(sim: Path) -> None:
    blocks = _source_blocks(sim)
    expected = {
        "testimony_archive": ("testimony", "B", None),
        "witness_interviews": ("testimony", "C", None),
        "media_reports": ("media", "C", "testimony_archive"),
        "ngo_compilation": ("ngo_list", "D", "media_reports"),
        "official_statements": ("official_statement", "E", None),
    }
    for name, (kind, grade, parent) in expected.items():
        b = blocks[name]
        assert (b["kind"], b["reliability"], b.get("derived_from")) == (kind, grade, parent)


def test_a_parent_source_is_imported_before_what_derives_from_it(sim: Path) -> None:
    m = _manifest(sim)
    blocks = _source_blocks(sim)
    source_of = {e["path"]: e["source"] for e in m["lists"] + m["supporting"]}
    first: dict[str, int] = {}
    for i, path in enumerate(m["import_order"]):
        first.setdefault(source_of[path], i)
    derived = [s for s in blocks if blocks[s].get("derived_from")]
    assert derived
    for s in derived:
        assert first[blocks[s]["derived_from"]] < first[s]
    # An allegation's act is imported before the allegation.
    act_file = {
        r["external_id"]: i
        for i, path in enumerate(m["import_order"])
        if path.startswith("supporting/acts_")
        for r in _csv(sim / path)
    }
    for i, path in enumerate(m["import_order"]):
        if path.startswith("supporting/allegations_"):
            assert all(act_file[r["act"]] < i for r in _csv(sim / path))


def test_denials_contradict_and_only_officials_deny(sim: Path) -> None:
    for source, rows in _files(sim, "allegation").items():
        stances = {r["stance"] for r in rows}
        assert stances == ({"contradicts"} if source == "official_statements" else {"supports"})


def test_errors_come_from_every_kind_of_source(sim: Path) -> None:
    """Fabricated and mistaken claims in every kind of source, the reliable ones too,
    and denials both of acts that happened and of acts that did not."""
    blocks = _source_blocks(sim)
    error = {a["external_id"]: a["error"] for a in _csv(sim / "truth/acts.csv")}
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for c in _csv(sim / "truth/allegations.csv"):
        if c["stance"] == "supports":
            e = error[c["act"]]
            by_kind[blocks[c["source"]]["kind"]][e] += 1
            by_source[c["source"]][e] += 1
    assert set(by_kind) == {"testimony", "media", "ngo_list"}
    for counts in by_kind.values():
        total = sum(counts.values())
        wrong = total - counts["none"]
        assert (
            counts["fabricated"] > 0 and counts["mistaken_facility"] + counts["mistaken_date"] > 0
        )
        assert 0 < wrong / total < 0.5
    archive = by_source["testimony_archive"]  # graded B, and still wrong at times
    assert min(archive["fabricated"], archive["mistaken_facility"], archive["mistaken_date"]) > 0
    assert sum(archive.values()) - archive["none"] < 0.15 * sum(archive.values())
    denied = Counter(
        error[c["act"]] == "none"
        for c in _csv(sim / "truth/allegations.csv")
        if c["stance"] == "contradicts"
    )
    assert denied[True] > 0 and denied[False] > 0


def test_true_acts_have_more_independent_support_than_false_ones(sim: Path) -> None:
    """Nothing forces it: true acts are told by several witnesses, false ones by one
    source and its copies."""
    blocks = _source_blocks(sim)
    happened = {a["external_id"]: a["happened"] == "true" for a in _csv(sim / "truth/acts.csv")}
    roots: dict[str, set[str]] = defaultdict(set)
    for c in _csv(sim / "truth/allegations.csv"):
        if c["stance"] == "supports":
            roots[c["act"]].add(([c["source"], *_ancestors(blocks, c["source"])])[-1])
    true = [len(roots[a]) for a, h in happened.items() if h]
    false = [len(roots[a]) for a, h in happened.items() if not h]
    assert min(true + false) >= 1  # every act is alleged by someone
    assert np.mean(true) > np.mean(false)
    assert max(true) >= 2


def _bounds(edtf: str) -> tuple[date, date]:
    """The days a date as the simulator writes it can mean (edtf's rules)."""
    if "/" in edtf:
        a, b = edtf.split("/")
        return date(int(a), 1, 1), date(int(b), 12, 31)
    if edtf.endswith("~"):
        y = int(edtf[:-1])
        return date(y - 1, 1, 1), date(y + 1, 12, 31)
    y, m = map(int, edtf.split("-"))
    end = date(y + (m == 12), m % 12 + 1, 1)
    return date(y, m, 1), date.fromordinal(end.toordinal() - 1)


def test_acts_as_recorded_agree_with_the_truth_exactly_when_they_happened(sim: Path) -> None:
    m = _manifest(sim)
    testimony = m["lists"][1]
    assert testimony["source"] == "testimony_archive"
    mapping = yaml.safe_load((sim / testimony["mapping"]).read_text(encoding="utf-8"))
    records = json.loads((sim / testimony["path"]).read_text(encoding="utf-8"))
    for part in (mapping.get("records") or "").split("."):
        records = records[part] if part else records
    row_of = {r["id"]: i for i, r in enumerate(records, 1)}
    person = {
        int(r["source_row"]): r["person_id"]
        for r in _csv(sim / "truth/records.csv")
        if r["source"] == "testimony_archive"
    }
    people = {p["person_id"]: p for p in _csv(sim / "truth/people.csv")}
    error = {a["external_id"]: a["error"] for a in _csv(sim / "truth/acts.csv")}
    seen = Counter()
    for rows in _files(sim, "act").values():
        for act in rows:
            truth = people[person[row_of[act["victim"]]]]
            lo, hi = _bounds(act["date"])
            in_range = lo <= date.fromisoformat(truth["detained"]) <= hi
            right_place = act["facility"] in ("", truth["facility"])
            e = error[act["external_id"]]
            seen[e] += 1
            if e == "none":
                assert in_range and right_place, act
            elif e == "mistaken_date":
                assert not in_range and right_place, act
            elif e == "mistaken_facility":
                assert in_range and not right_place, act
    assert seen["none"] > seen["mistaken_date"] > 0 and seen["mistaken_facility"] > 0


def test_credibility_differs_by_source_kind(sim: Path) -> None:
    grades: dict[str, list[int]] = defaultdict(list)
    for source, rows in _files(sim, "allegation").items():
        grades[source] += [int(r["credibility"]) for r in rows]
    mean = {s: np.mean(g) for s, g in grades.items()}
    assert mean["testimony_archive"] < mean["media_reports"] < mean["official_statements"]
    assert mean["witness_interviews"] < mean["ngo_compilation"]


def test_lists_do_not_depend_on_the_allegations(tmp_path: Path, monkeypatch: Any) -> None:
    """The allegations draw from their own stream: another stream, other allegations,
    the very same lists and records truth."""
    simulate(people=500, lists=5, seed=3, out=tmp_path / "a")
    monkeypatch.setattr(allegations, "STREAM", allegations.STREAM + 1)
    simulate(people=500, lists=5, seed=3, out=tmp_path / "b")
    a, b = tmp_path / "a", tmp_path / "b"
    same = [*sorted(p.relative_to(a) for p in (a / "lists").iterdir())]
    same += [Path("truth/records.csv"), Path("truth/people.csv")]
    for rel in same:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    rel = Path("truth/allegations.csv")
    assert (a / rel).read_bytes() != (b / rel).read_bytes()


def test_the_store_takes_every_source_with_its_derivation(tmp_path: Path) -> None:
    from sqlalchemy import select

    from credible.config import Settings
    from credible.ingest import import_manifest
    from credible.store import init_store, schema

    data = tmp_path / "data"
    simulate(people=1500, lists=5, seed=4, out=data)
    settings = Settings.resolve(str(tmp_path / "c.db"), actor="test")
    store, _, _ = init_store(settings)
    import_manifest(store, data, actor="test")
    s, al = schema.sources, schema.allegations
    with store.read() as conn:
        rows = conn.execute(select(s.c.id, s.c.name, s.c.kind, s.c.reliability,
                                   s.c.derived_from_id)).all()  # fmt: skip
        name = {r.id: r.name for r in rows}
        parent = {r.name: name.get(r.derived_from_id) for r in rows}
        grade = {r.name: (r.kind, r.reliability) for r in rows}
        stances = Counter(
            (name[sid], st) for sid, st in conn.execute(select(al.c.source_id, al.c.stance))
        )
    store.close()
    assert parent["media_reports"] == "testimony_archive"
    assert parent["ngo_compilation"] == "media_reports"
    assert parent["witness_interviews"] is None
    assert grade["official_statements"] == ("official_statement", "E")
    truth = Counter((c["source"], c["stance"]) for c in _csv(data / "truth/allegations.csv"))
    assert stances == truth
