"""The estimation docs and the CLI help name every method, so neither drifts silently."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from credible.cli import app
from credible.estimate import METHODS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "estimation.md"


def test_every_method_is_documented() -> None:
    text = DOCS.read_text()
    for method in METHODS:
        assert f"`{method}`" in text, f"docs/estimation.md does not explain {method}"


def test_cli_help_lists_methods_and_options() -> None:
    res = CliRunner().invoke(app, ["estimate", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for option in ("--histories", "--method", "--by", "--seed", "--out"):
        assert option in res.output
    for method in METHODS:
        assert method in res.output
