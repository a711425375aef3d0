"""The published-names evaluation set: well-formed, cited, and the method stays useful on it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from credible.names import SAME_NAME_THRESHOLD, detect_script, name_keys, name_similarity_many
from credible.names.evaluation import load_pairs

DATA = Path(__file__).parents[1] / "data" / "names" / "names.csv"
FORMS = {"arabic", "uly", "cyrillic", "han", "adhoc"}


def test_every_row_is_cited_and_in_its_stated_script() -> None:
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(rows) >= 150
    families = {"arabic": "uyghur_arabic", "han": "han"}
    for row in rows:
        assert row["form"] in FORMS, row
        assert row["source"].startswith("http"), row
        if row["form"] in families:
            assert detect_script(row["name"]) == families[row["form"]], row
        if row["form"] == "cyrillic":
            assert detect_script(row["name"]).endswith("cyrillic"), row


def test_enough_pairs_and_every_script_pair() -> None:
    pairs = load_pairs(DATA)
    assert sum(p.same for p in pairs) >= 200
    assert sum(not p.same for p in pairs) >= 200
    cross = {p.forms for p in pairs if p.same and p.form_a != p.form_b}
    expected = {"-".join(sorted((a, b))) for a in FORMS for b in FORMS if a < b}
    assert expected <= cross


def _precision_recall(path: Path) -> tuple[float, float]:
    pairs = load_pairs(path)
    truth = np.array([p.same for p in pairs])
    pred = name_similarity_many([p.a for p in pairs], [p.b for p in pairs]) >= SAME_NAME_THRESHOLD
    return float((pred & truth).sum() / pred.sum()), float((pred & truth).sum() / truth.sum())


def test_quality_floor() -> None:
    """A regression guard, well below the measured figures (docs/names.md)."""
    precision, recall = _precision_recall(DATA)
    assert precision >= 0.97 and recall >= 0.90, (precision, recall)


def test_blocking_keys_keep_most_true_pairs() -> None:
    positives = [p for p in load_pairs(DATA) if p.same]
    shared = [bool(set(name_keys(p.a)) & set(name_keys(p.b))) for p in positives]
    assert np.mean(shared) >= 0.9


NEW = Path(__file__).parents[1] / "data" / "names" / "names_new.csv"
HELD_OUT = Path(__file__).parents[1] / "data" / "names" / "names_new_heldout.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_third_round_is_cited_split_by_the_fixed_rule_and_new() -> None:
    from credible.names.evaluation import half

    first = {r["person"] for r in _rows(DATA)}
    people: dict[str, set[str]] = {}
    for path, expected in ((NEW, "dev"), (HELD_OUT, "test")):
        rows = _rows(path)
        people[expected] = {r["person"] for r in rows}
        for row in rows:
            assert row["form"] in FORMS, row
            assert row["source"].startswith("http"), row
            assert half(row["person"]) == expected, row["person"]
            if row["form"] == "han":
                assert detect_script(row["name"]) == "han", row
            if row["form"] == "cyrillic":
                assert detect_script(row["name"]).endswith("cyrillic"), row
    assert not people["dev"] & people["test"]
    assert not (people["dev"] | people["test"]) & first
    assert len(people["dev"] | people["test"]) >= 40


def test_third_round_dev_quality_floor() -> None:
    """A regression guard for the dev half (figures in docs/names.md)."""
    precision, recall = _precision_recall(NEW)
    assert precision >= 0.98 and recall >= 0.80, (precision, recall)
