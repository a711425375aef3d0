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


def test_names_markup_in_input_is_printed_as_written() -> None:
    # "[/]" with nothing to close makes Rich raise; "[bold]" would vanish into styling
    name = "[/]Ilham [bold]Tohti"
    result = runner.invoke(app, ["names", "explain", name], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert name in result.output
    cmp = runner.invoke(app, ["names", "compare", name, "Ilham [bold]Toxti[/]"])
    assert cmp.exit_code == 0, cmp.output
    assert "same name" in cmp.output
