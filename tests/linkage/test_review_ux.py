"""What a reviewer sees (issue 17, found when tried as a new user would): the detention
date and notes, values on every waterfall row, levels in full under human labels, `tf`
explained, 80 columns, the pair's standing in the run's Persons, and plain messages for
ids typed wrong. Real store, real link run, FICTIONAL simulator output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from credible.config import Settings
from credible.ingest import import_manifest
from credible.linkage import LinkSettings, describe, review_items, run_link
from credible.simulate import simulate
from credible.store import init_store


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list:
    home = tmp_path_factory.mktemp("home")
    os.environ["CREDIBLE_HOME"] = str(home)
    sim = tmp_path_factory.mktemp("sim")
    simulate(people=400, lists=5, seed=31, out=sim)
    settings = Settings.resolve(str(home / "ux.db"), actor="tester")
    store, _, _ = init_store(settings)
    import_manifest(store, sim, actor="tester", lists_only=True)
    run_link(store, LinkSettings(threads=1, max_pairs=1e5), "tester")
    found = list(review_items(store, limit=15))
    store.close()
    assert found, "the review queue is empty: nothing to look at"
    return found


def test_review_shows_detention_date_and_notes(items: list) -> None:
    lines = [dict(describe(i.record_l)) for i in items] + [
        dict(describe(i.record_r)) for i in items
    ]
    assert all("detained" in d and "notes" in d for d in lines)
    assert any(d["detained"] for d in lines) and any("FICTIONAL" in d["notes"] for d in lines)


def test_waterfall_reads_at_80_columns_with_labels_levels_and_values(items: list) -> None:
    for item in items:
        wf = item.waterfall()
        text = wf.to_text()
        assert max(len(line) for line in text.splitlines()) <= 80, text
        assert "ethnicity_norm" not in text and "birthplace_rom" not in text
        assert "tf: the term-frequency adjustment" in text
        flat = " ".join(text.split())
        for step in wf.steps:
            assert step.level in flat, step.level  # never cut
        where = next((s for s in wf.steps if s.comparison == "where"), None)
        record_has = item.record_l.get("residence") or item.record_l.get("facility")
        if where is not None and record_has:
            assert where.value_l, "the home/facility row shows no value"


def test_review_says_whether_the_pair_is_already_one_person(items: list) -> None:
    standings = [i.standing() for i in items]
    assert all("Person" in s for s in standings)
    for item, standing in zip(items, standings, strict=True):
        a, b = item.record_l["record_id"], item.record_r["record_id"]
        same = item.persons[a][0] == item.persons[b][0]
        assert standing.startswith("already in one Person") == same


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDIBLE_HOME": str(home)}
    env.pop("CREDIBLE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "credible.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(
    ("ids", "said"),
    [(("7", "7"), "given twice"), (("seven", "8"), "is not a record id")],
)
def test_link_explain_names_the_mistake_and_claims_no_write(
    tmp_path: Path, home: Path, ids: tuple[str, str], said: str
) -> None:
    db = str(tmp_path / "e.db")
    assert _cli("--db", db, "init", home=home).returncode == 0
    proc = _cli("--db", db, "link", "explain", *ids, home=home)
    assert proc.returncode != 0
    assert said in proc.stderr and "nothing was written" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
