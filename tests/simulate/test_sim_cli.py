"""`credible simulate` on the command line: parses, calls the simulator, reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from credible.cli import app


def test_simulate_command_writes_the_manifest_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    result = CliRunner().invoke(
        app, ["simulate", "--people", "300", "--lists", "4", "--seed", "9", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "FICTIONAL" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 9 and len(manifest["lists"]) == 4
    for entry in manifest["lists"]:
        assert entry["source"] in result.output


def test_simulate_command_refuses_bad_list_counts(tmp_path: Path) -> None:
    for lists in ("1", "11"):
        proc = subprocess.run(
            [sys.executable, "-m", "credible.cli", "simulate", "--lists", lists, "--out",
             str(tmp_path / "x")],
            capture_output=True,
            text=True,
        )  # fmt: skip
        assert proc.returncode != 0
        assert not (tmp_path / "x").exists()


def test_capture_knobs_reach_the_model(tmp_path: Path) -> None:
    out = tmp_path / "flat"
    args = ["simulate", "--people", "200", "--lists", "3", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--heterogeneity", "0", "--dependence", "0"])
    assert result.exit_code == 0, result.output
    population = json.loads((out / "truth/population.json").read_text(encoding="utf-8"))
    assert population["capture_options"]["heterogeneity"] == 0
    assert population["capture_options"]["dependence"] == 0
