"""A whole run: methods, strata summed by draws, outputs, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from tests.estimate.conftest import MSE_DIR
from typer.testing import CliRunner

from credible.cli import app
from credible.estimate import (
    METHODS,
    TOTAL_OF_STRATA,
    CaptureHistories,
    HistorySet,
    run_estimation,
    write_outputs,
)

FAST_LCMCR = {"burnin": 300, "samples": 400, "thinning": 2, "chains": 2}


def _strata(seed: int) -> HistorySet:
    rng = np.random.default_rng(seed)
    parts = {}
    for name, n in (("north", 1500), ("south", 900)):
        mat = (rng.random((n, 3)) < np.array([0.35, 0.3, 0.4])).astype(int)
        parts[name] = CaptureHistories.from_matrix(mat, ["a", "b", "c"], label=name)
    allp = np.vstack([np.repeat(p.patterns, p.counts, axis=0) for p in parts.values()])
    return HistorySet(CaptureHistories.from_matrix(allp, ["a", "b", "c"]), parts, "region")


def _estimate(tmp_path, histories, *options: str, width: int = 80):
    """``credible estimate`` on a CSV with no store; returns the result and the JSON."""
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "--db",
            str(tmp_path / "no-store-here.db"),
            "estimate",
            "--histories",
            str(histories),
            *options,
            "--out",
            str(out),
        ],
        terminal_width=width,
    )
    assert res.exit_code == 0, res.output
    return res, json.loads((out / "estimate.json").read_text())


def test_stratified_totals_sum_draws() -> None:
    hs = _strata(3)
    run = run_estimation(hs, ["lcmcr", "Mt"], seed=7, lcmcr_settings=FAST_LCMCR)
    for m in ("lcmcr", "Mt"):
        parts = [e for e in run.estimates if e.method == m and e.stratum in ("north", "south")]
        total = next(e for e in run.totals() if e.method == m)
        assert total.lower <= 2400 <= total.upper
        # the interval of a sum is narrower than the sum of the intervals
        assert total.upper - total.lower < sum(p.upper - p.lower for p in parts)
        if m == "Mt":
            assert total.estimate == sum(p.estimate for p in parts)


def test_a_sum_of_strata_is_marked_as_one_not_by_a_label() -> None:
    run = run_estimation(_strata(2), ["Mt", "chapman"], seed=3)
    assert [e.method for e in run.totals()] == ["Mt", "chapman"]
    assert all(not e.of_strata and e.stratum is None for e in run.overall())
    assert [e.method for e in run.headline()] == ["Mt", "chapman", "Mt", "chapman"]
    labels = [e["stratum"] for e in run.to_dict()["estimates"] if e["of_strata"]]
    assert labels == [TOTAL_OF_STRATA, TOTAL_OF_STRATA]  # estimate.json keeps its label


def test_same_seed_same_run_and_json_roundtrip(tmp_path) -> None:
    hs = _strata(4)
    a = run_estimation(hs, list(METHODS), seed=11, lcmcr_settings=FAST_LCMCR)
    b = run_estimation(hs, list(METHODS), seed=11, lcmcr_settings=FAST_LCMCR)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    json_path, html_path = write_outputs(a, tmp_path)
    data = json.loads(json_path.read_text())
    assert {e["method"] for e in data["estimates"]} == set(METHODS)
    assert data["input_fingerprint"] == hs.overall.fingerprint()
    html = html_path.read_text()
    assert "<svg" in html and "<script" not in html


def test_sparse_stratum_is_warned() -> None:
    tiny = CaptureHistories(("a", "b", "c"), np.array([[1, 0, 0], [0, 1, 0]]), np.array([3, 2]))
    big = _strata(5).strata["north"]
    allp = np.vstack([np.repeat(h.patterns, h.counts, axis=0) for h in (tiny, big)])
    hs = HistorySet(
        CaptureHistories.from_matrix(allp, ["a", "b", "c"]), {"tiny": tiny, "big": big}, "s"
    )
    run = run_estimation(hs, ["chapman"], seed=1)
    assert any("tiny" in w and "sparse" in w for w in run.warnings)


def test_cli_estimate_writes_json(tmp_path) -> None:
    _, data = _estimate(
        tmp_path,
        MSE_DIR / "taiwan_hepatitis_a_1995.csv",
        *("--method", "chapman", "--method", "Mth-Chao", "--method", "dga", "--seed", "3"),
    )
    methods = [e["method"] for e in data["estimates"]]
    assert methods == ["chapman", "Mth-Chao", "dga"]
    for e in data["estimates"]:
        assert {"method", "model", "estimate", "lower", "upper", "level"} <= set(e)
        assert e["lower"] <= e["estimate"] <= e["upper"]
    assert (tmp_path / "out" / "estimate.html").exists()
    assert "disagree" in " ".join(data["warnings"])
    assert all("disagree" in " ".join(e["warnings"]) for e in data["estimates"])


def test_cli_estimate_by_stratum(tmp_path) -> None:
    rows = []
    rng = np.random.default_rng(0)
    for region, n in (("r1", 800), ("r2", 600)):
        mat = (rng.random((n, 3)) < 0.4).astype(int)
        df = pd.DataFrame(mat, columns=["a", "b", "c"])
        df = df[df.sum(axis=1) > 0].value_counts().reset_index(name="count")
        df["region"] = region
        rows.append(df)
    p = tmp_path / "h.csv"
    pd.concat(rows).to_csv(p, index=False)
    _, data = _estimate(tmp_path, p, "--by", "region", "--method", "Mt")
    strata = {e["stratum"] for e in data["estimates"]}
    assert {None, "r1", "r2", "(total of strata)"} <= strata
    assert all(math.isfinite(e["estimate"]) for e in data["estimates"])


def test_two_lists_run_what_applies() -> None:
    h = CaptureHistories(("a", "b"), np.array([[1, 0], [0, 1], [1, 1]]), np.array([60, 40, 20]))
    run = run_estimation(HistorySet(h), seed=0)
    by_method = {e.method: e for e in run.estimates}
    # Lincoln-Petersen 80 * 60 / 20 = 240; Chapman and Mt are close to it
    assert by_method["chapman"].diagnostics["lincoln_petersen"] == 240
    assert by_method["Mt"].estimate == pytest.approx(240, rel=1e-6)
    for m in ("Mth-Chao", "lcmcr", "dga"):
        assert by_method[m].model == "not run" and by_method[m].warnings


def test_cli_prints_each_methods_own_warnings(tmp_path) -> None:
    # Rcapture flags Mt on this table (infoFit 1: the asymptotic bias of N is large);
    # the caveat must reach a reader of the terminal table, not only estimate.json.
    res, data = _estimate(
        tmp_path, MSE_DIR / "artificial_3_nonexistent_mle.csv", "--method", "Mt", width=400
    )
    (mt,) = data["estimates"]
    assert mt["warnings"]
    printed = " ".join(res.output.split())
    for w in mt["warnings"]:
        assert f"warning (Mt): {' '.join(w.split())}" in printed


def test_cli_says_the_methods_disagree_once(tmp_path) -> None:
    # Kosovo 1999: chapman and Mth-Darroch differ by almost a factor of two.
    res, data = _estimate(
        tmp_path,
        MSE_DIR / "kosovo_1999.csv",
        "--method",
        "chapman",
        "--method",
        "Mth-Darroch",
        width=400,
    )
    assert all(
        any(w.startswith("the methods disagree") for w in e["warnings"]) for e in data["estimates"]
    )
    assert " ".join(res.output.split()).count("the methods disagree") == 1
