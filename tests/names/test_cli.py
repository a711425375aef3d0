"""`credible names explain` and `credible names compare` print what the library derives."""

from __future__ import annotations

from typer.testing import CliRunner

from credible.cli import app

runner = CliRunner()


def test_names_explain() -> None:
    result = runner.invoke(app, ["names", "explain", "阿不都热依木·艾依提"])
    assert result.exit_code == 0, result.output
    assert "han" in result.output
    assert "Abdurehim" in result.output
    assert "ABDURAIM" in result.output


def test_names_compare_same_and_different() -> None:
    same = runner.invoke(app, ["names", "compare", "ئابدۇرېھىم ھېيىت", "Abdurahim Hayit"])
    assert same.exit_code == 0, same.output
    assert "same name" in same.output and "1.000" in same.output
    diff = runner.invoke(app, ["names", "compare", "Memet Tursun", "Memet Tohti"])
    assert diff.exit_code == 0, diff.output
    assert "different names" in diff.output
