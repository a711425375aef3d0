"""`credible search`: people across scripts, with filters; facilities and evidence text."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.hostile.test_hostile import run_cli

LIST = (
    "fictional,name,facility,detained\n"
    "FICTIONAL,Tursun Ehmet,F-0001,2018-03\n"
    "FICTIONAL,吐尔逊·艾合买提,Hotan Prison,2016\n"
    "FICTIONAL,Gülnar Memet,,\n"
)
FACILITIES = "fictional,external_id,name\nFICTIONAL,F-0001,Tursun Road FICTIONAL Centre\n"


@pytest.fixture
def db(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "s.db")
    assert run_cli(["--db", db, "init"], capsys)[0] == 0
    for name, text, kind in (("fac.csv", FACILITIES, "facility"), ("l.csv", LIST, None)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        args = ["--db", db, "import", str(path), "--source", "FICTIONAL list"]
        code, out = run_cli([*args, "--kind", kind] if kind else args, capsys)
        assert code == 0, out
    return db


def test_people_in_every_script_and_facilities(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["--db", db, "search", "Турсун"], capsys)
    assert code == 0, out
    assert "Tursun Ehmet" in out and "吐尔逊" in out
    assert "han" in out and "FICTIONAL" in out
    assert "Gülnar" not in out
    code, out = run_cli(["--db", db, "search", "Tursun"], capsys)
    assert "facility" in out and "Tursun Road FICTIONAL Centre" in out  # full text too


def test_filters(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["--db", db, "search", "Tursun", "--facility", "F-0001"], capsys)
    assert code == 0 and "Tursun Ehmet" in out and "吐尔逊" not in out
    assert "Tursun Road" not in out  # filters narrow people, other hits are left out
    code, out = run_cli(["--db", db, "search", "Tursun", "--from", "2017", "--to", "2019"], capsys)
    assert code == 0 and "Tursun Ehmet" in out and "吐尔逊" not in out
    code, out = run_cli(["--db", db, "search", "Tursun", "--source", "nobody"], capsys)
    assert code == 1 and "no match" in out


def test_a_bad_date_is_a_message(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["--db", db, "search", "Tursun", "--from", "2018-13"], capsys)
    assert code == 6
    assert "date_from" in out and "YYYY-MM" in out and "Traceback" not in out
