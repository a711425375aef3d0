"""OCR reads FICTIONAL pages in Uyghur (Arabic script), Chinese and Russian, rendered
with Debian's Noto fonts; the character error rate is reported and held to <= 10%."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from credible.evidence import read_file
from credible.simulate import SCAN_SAMPLES, missing_fonts, render_page

pytestmark = pytest.mark.usefixtures("needs_ocr")

#: The target of the issue for clean renders.
MAX_CER = 0.10


def normalised(text: str, script: str) -> str:
    """Whitespace made single spaces; none at all between Chinese characters, where a
    space is not part of the text (Tesseract puts some between them)."""
    flat = " ".join(text.split())
    return re.sub(r"\s+", "", flat) if script == "Hans" else flat


def character_error_rate(truth: str, read: str) -> float:
    return Levenshtein.distance(truth, read) / max(1, len(truth))


@pytest.mark.slow
@pytest.mark.parametrize("lang", sorted(SCAN_SAMPLES))
@pytest.mark.parametrize("size", [40, 56])
def test_ocr_reads_clean_renders(
    lang: str, size: int, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    script, lines = SCAN_SAMPLES[lang]
    if script in missing_fonts():
        pytest.skip(f"no Noto font for {script} (fonts-noto-core / fonts-noto-cjk)")
    path = tmp_path / f"page-{script}.png"
    render_page(lines, script, size=size).save(path)
    found = read_file(path, lang)
    assert found.method == "ocr" and found.ocr_pages == 1
    truth = normalised(" ".join(lines), script)
    cer = character_error_rate(truth, normalised(found.text or "", script))
    record_property("cer", cer)
    print(f"OCR {script} ({lang}) at {size} px: character error rate {cer:.1%}")
    assert cer <= MAX_CER, (cer, found.text)


@pytest.mark.slow
def test_default_languages_read_every_script_on_one_page(tmp_path: Path) -> None:
    """With the default language list (all packs at once), each script still reads."""
    for lang, (script, lines) in sorted(SCAN_SAMPLES.items()):
        path = tmp_path / f"{lang}.png"
        render_page(lines[:3], script, size=48).save(path)
        found = read_file(path)
        truth = normalised(" ".join(lines[:3]), script)
        cer = character_error_rate(truth, normalised(found.text or "", script))
        print(f"OCR {lang} (default languages): character error rate {cer:.1%}")
        assert cer <= MAX_CER, (lang, cer, found.text)


def test_a_blank_page_reads_as_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    render_page([""], "Latn").save(path)
    found = read_file(path, "eng")
    assert found.method == "ocr" and not found.has_text
