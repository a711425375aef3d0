"""`credible link`, `link explain`, `link evaluate`, `review` and `export links` as
scripts use them: real processes, exit codes, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from tests.cli_process import run_cli

from credible.config import Settings
from credible.ingest import import_manifest
from credible.linkage import lease_pair, review_items
from credible.simulate import simulate
from credible.store import Store, init_store, open_store

pytestmark = pytest.mark.slow  # real processes, each a whole link run (about 50 s in all)


def run(
    *args: str, home: Path, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=home, actor="cli-tester", stdin=stdin, check=check)


def import_sim(store: Store, settings: Settings, sim: Path) -> int:
    """Import the simulated person lists as the demo does; returns the records imported."""
    return sum(r.rows for r in import_manifest(store, sim, actor="tester", lists_only=True))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=300, lists=5, seed=5, out=out)
    return out


@pytest.fixture
def db(tmp_path: Path, home: Path) -> Path:
    path = tmp_path / "link.db"
    store, _, _ = init_store(Settings.resolve(str(path), actor="tester"))
    store.close()
    return path


def test_link_review_explain_evaluate_export(db: Path, home: Path, sim: Path) -> None:
    settings = Settings.resolve(str(db), actor="tester")
    store, _, _ = init_store(settings)
    n = import_sim(store, settings, sim)
    store.close()
    d = ("--db", str(db))

    linked = run(*d, "link", home=home)
    assert "records" in linked.stdout and f"{n:,}" in linked.stdout
    assert "review queue" in linked.stdout
    assert "Traceback" not in linked.stderr

    evaluated = json.loads(
        run(*d, "link", "evaluate", "--truth", str(sim), "--json", home=home).stdout
    )
    assert evaluated["records"] == n
    # Model quality is measured elsewhere (bench/linkage.py); this checks the wiring: a
    # run joined to the truth on the wrong rows would score near 0.
    assert evaluated["pairwise_f1"] > 0.3
    table = run(*d, "link", "evaluate", "--truth", str(sim / "truth"), home=home).stdout
    assert "pairwise" in table and "B-cubed" in table

    exported = run(*d, "export", "links", home=home).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == n
    by_person: dict[str, list[str]] = {}
    for r in rows:
        by_person.setdefault(r["person_id"], []).append(r["record_id"])
    pair = next(ids for ids in by_person.values() if len(ids) > 1)[:2]

    chart = db.parent / "pair.svg"
    explained = run(*d, "link", "explain", *pair, "--chart", str(chart), home=home).stdout
    assert "prior" in explained and "total" in explained and "name" in explained
    assert chart.read_text(encoding="utf-8").startswith("<svg")

    # A reviewer in the browser holds the most uncertain pair: the terminal passes it over.
    store = open_store(settings)
    held = next(review_items(store, 1))
    held_pair = sorted((held.record_l["record_id"], held.record_r["record_id"]))
    assert lease_pair(store, "web-reviewer", *held_pair)
    store.close()
    # Scripted review: reject the first pair, note-then-accept the second, then stop.
    reviewed = run(*d, "review", "--limit", "5", home=home, stdin="r\nn\nsame person\na\nq\n")
    assert "record A" in reviewed.stdout and "romanised" in reviewed.stdout
    assert "2 decision(s) stored" in reviewed.stdout
    assert "1 pair(s) passed over: held or decided by another reviewer" in reviewed.stdout
    assert "persons after review" in reviewed.stdout
    judged = list(csv.DictReader(io.StringIO(run(*d, "export", "judgements", home=home).stdout)))
    assert [(j["decision"], j["actor"]) for j in judged] == [
        ("negative", "cli-tester"),
        ("positive", "cli-tester"),
    ]
    assert judged[1]["note"] == "same person"
    assert all(sorted((int(j["record_l"]), int(j["record_r"]))) != held_pair for j in judged)
    after = list(csv.DictReader(io.StringIO(run(*d, "export", "links", home=home).stdout)))
    person = {r["record_id"]: r["person_id"] for r in after}
    rejected, accepted = judged[0], judged[1]
    assert person[rejected["record_l"]] != person[rejected["record_r"]]
    assert person[accepted["record_l"]] == person[accepted["record_r"]]

    # End of input ends the session cleanly.
    assert run(*d, "review", home=home, stdin="").returncode == 0
    audit = run(*d, "audit", "verify", home=home)
    assert "intact" in audit.stdout


def test_user_errors_exit_with_a_message(db: Path, home: Path, tmp_path: Path) -> None:
    d = ("--db", str(db))
    cases = [
        (("link",), 4, "import"),
        (("export", "links"), 4, "credible link"),
        (("review",), 4, "credible link"),
        (("link", "explain", "1", "2"), 4, "credible link"),
        (("link", "evaluate", "--truth", str(tmp_path)), 6, "truth"),
        (("link", "--threshold", "2"), 2, "match_threshold"),
        (("link", "--backend", "gpu"), 2, "backend"),
    ]
    for args, code, words in cases:
        proc = run(*d, *args, home=home, check=False)
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        assert words in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    missing = run("--db", str(tmp_path / "none.db"), "link", home=home, check=False)
    assert missing.returncode == 3 and "credible init" in missing.stderr
