"""The evidence commands as scripts use them: real processes, exit codes, output."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from tests.cli_process import run_cli

from credible.simulate import render_scene


def run(db: Path, home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", str(db), *args, home=home, actor="tester", check=check)


@pytest.fixture
def db(tmp_path: Path, home: Path) -> Path:
    path = tmp_path / "cli.db"
    run(path, home, "init")
    for name, kind in (("FICTIONAL testimony", "testimony"), ("FICTIONAL media", "media")):
        run(path, home, "source", "add", name, "--kind", kind, "--reliability", "C")
    return path


def test_default_ocr_languages_are_the_libraries(home: Path) -> None:
    from credible.commands.evidence import OCR_LANG
    from credible.evidence import DEFAULT_OCR_LANG

    assert OCR_LANG == DEFAULT_OCR_LANG


@pytest.mark.slow
def test_extract_makes_a_new_version_and_texts_lists_them(
    db: Path, home: Path, tmp_path: Path
) -> None:
    page = tmp_path / "p.html"
    page.write_text("<p>FICTIONAL: Турсун was seen in Aksu</p><script>no()</script>")
    added = run(db, home, "evidence", "add", str(page), "--source", "FICTIONAL testimony")
    assert "(html) sealed and indexed" in added.stdout
    out = run(db, home, "evidence", "extract", "1").stdout
    assert "1 evidence file(s) read" in out and "html" in out
    listed = run(db, home, "evidence", "texts", "1").stdout
    assert "version 2 is the one search holds" in listed
    found = run(db, home, "search", "Tursun").stdout  # across scripts
    assert "p.html" in found
    assert run(db, home, "audit", "verify").returncode == 0


def test_extract_refuses_unknown_ids_and_language_packs(db: Path, home: Path) -> None:
    proc = run(db, home, "evidence", "extract", "7", check=False)
    assert proc.returncode != 0 and "no evidence with id 7" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(db, home, "evidence", "extract", "--ocr-lang", "xyz", check=False)
    if proc.returncode == 0:
        pytest.skip("Tesseract is not installed: language packs cannot be checked")
    assert "no Tesseract language pack for xyz" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_similar_lists_pairs_and_suggests_without_editing(
    db: Path, home: Path, tmp_path: Path
) -> None:
    original = render_scene(5)
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    original.save(a, "JPEG", quality=90)
    original.resize((320, 240), Image.Resampling.LANCZOS).save(b, "JPEG", quality=50)
    run(db, home, "evidence", "add", str(a), "--source", "FICTIONAL testimony", "--ocr-lang", "eng")
    run(db, home, "evidence", "add", str(b), "--source", "FICTIONAL media", "--ocr-lang", "eng")
    out = run(db, home, "evidence", "similar").stdout
    assert "a.jpg" in out and "b.jpg" in out
    assert "source 'FICTIONAL media' may derive from 'FICTIONAL testimony'" in out
    with sqlite3.connect(db) as conn:  # a suggestion only: no source was changed
        assert conn.execute("SELECT derived_from_id FROM sources").fetchall() == [(None,), (None,)]
