"""What reaches the terminal from data: no markup read, no control codes passed."""

from __future__ import annotations

from pathlib import Path

import pytest

from credible.commands._common import printable


def test_printable_shows_control_characters() -> None:
    assert printable("a\x1b[31mred\x07\rb") == "a\\x1b[31mred\\x07\\x0db"
    assert printable("tab\tand\nnewline stay") == "tab\tand\nnewline stay"
    assert printable("ئابدۇ · 阿不都 · Абду") == "ئابدۇ · 阿不都 · Абду"


def test_markup_and_escape_codes_in_data_are_shown_as_text(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.hostile.test_hostile import run_cli

    db = str(tmp_path / "s.db")
    assert run_cli(["--db", db, "init"], capsys)[0] == 0
    evil = tmp_path / "evil.csv"
    evil.write_text("name,sex\nFICTIONAL [bold]Aygul[/] \x1b[2J\x1b]0;owned\x07,female\n")
    code, out = run_cli(["--db", db, "import", str(evil), "--source", "evil[/]"], capsys)
    assert code == 0, out
    assert "evil[/]" in out
    code, out = run_cli(["--db", db, "search", "Aygul"], capsys)
    assert code == 0, out
    assert "[bold]Aygul[/]" in out  # markup shown as written, not applied
    assert "\x1b" not in out and "\\x1b[2J" in out  # the escape shown, not sent
    assert "\x07" not in out


def test_help_shows_bracketed_words(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hostile.test_hostile import run_cli

    code, out = run_cli(["export", "--help"], capsys)
    assert code == 0
    assert "[encrypted]" in " ".join(out.split())


def test_re_adding_held_evidence_does_not_claim_to_index_it(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.hostile.test_hostile import run_cli

    db = str(tmp_path / "s.db")
    run_cli(["--db", db, "init"], capsys)
    run_cli(["--db", db, "source", "add", "FICTIONAL t", "--kind", "testimony",
             "--reliability", "B"], capsys)  # fmt: skip
    doc = tmp_path / "i.txt"
    doc.write_text("FICTIONAL interview about the eastern gate", encoding="utf-8")
    first = run_cli(["--db", db, "evidence", "add", str(doc), "--source", "FICTIONAL t"], capsys)
    again = run_cli(["--db", db, "evidence", "add", str(doc), "--source", "FICTIONAL t"], capsys)
    assert "sealed and indexed" in first[1]
    assert "already held" in again[1] and "indexed" not in again[1]
