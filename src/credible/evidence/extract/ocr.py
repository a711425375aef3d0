"""OCR with Tesseract (through pytesseract), and rendering of PDF pages to images for it
(poppler's ``pdftoppm``).

Tesseract and its language packs are Debian packages (``tesseract-ocr``,
``tesseract-ocr-uig``, ``-chi-sim``, ``-kaz``, ``-rus``); when they are missing, OCR is
reported as unavailable rather than failing the file: the evidence is still preserved,
and ``credible evidence extract`` can read it later.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from PIL import Image

from credible.errors import ConfigError

#: Uyghur (Arabic script), Chinese, Kazakh, Russian and English: the material's languages.
DEFAULT_OCR_LANG = "uig+chi_sim+kaz+rus+eng"
#: Scans are rendered at this resolution; Tesseract reads best at about 300 dpi.
RENDER_DPI = 300
#: Pixels above which an image is scaled down before OCR (a 40-megapixel photo of a page
#: reads no better than a 12-megapixel one, and takes far longer).
MAX_PIXELS = 12_000_000
#: Arabic-script language packs. Tesseract's layout analysis takes a line dense with the
#: dots of Arabic letters (ئۇيغۇر تىلىدىكى) for a row of noise and drops it whole; with
#: row rejection off, clean renders of Uyghur went from 4.6% to 0.5% character errors
#: (2 fonts x 3 sizes x 8 lines, measured when this was written; docs/evidence.md).
ARABIC_SCRIPT_LANGS = frozenset({"uig", "ara", "fas", "urd", "pus", "snd", "kur_ara"})
ARABIC_CONFIG = "-c textord_noise_rejrows=0"
#: A page of a PDF whose text layer has fewer characters than this is read by OCR too.
MIN_LAYER_CHARS = 20


@cache
def tesseract_version() -> str | None:
    """Tesseract's version, or None when it is not installed."""
    if shutil.which("tesseract") is None:
        return None
    import pytesseract

    try:
        return str(pytesseract.get_tesseract_version())
    except (OSError, pytesseract.TesseractNotFoundError):
        return None


@cache
def installed_languages() -> frozenset[str]:
    if tesseract_version() is None:
        return frozenset()
    import pytesseract

    return frozenset(pytesseract.get_languages(config=""))


def check_languages(lang: str) -> None:
    """Refuse an ``--ocr-lang`` naming a language pack that is not installed."""
    wanted = [part for part in lang.split("+") if part]
    if not wanted:
        raise ConfigError("--ocr-lang is empty; give Tesseract codes such as uig+chi_sim+rus")
    have = installed_languages()
    if not have:
        return  # OCR unavailable: reported per file, not a usage error
    missing = [w for w in wanted if w not in have]
    if missing:
        raise ConfigError(
            f"--ocr-lang {lang}: no Tesseract language pack for {', '.join(missing)} "
            f"(installed: {', '.join(sorted(have))}); on Debian: apt-get install "
            + " ".join(f"tesseract-ocr-{m.replace('_', '-')}" for m in missing)
        )


def usable_languages(lang: str) -> str:
    """``lang`` without packs that are not installed (the default names five; a machine
    may have fewer), or ``lang`` itself when none of them is."""
    have = installed_languages()
    kept = [part for part in lang.split("+") if part in have]
    return "+".join(kept) if kept else lang


def ocr_image(image: Image.Image, lang: str) -> str:
    import pytesseract

    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if image.width * image.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (image.width * image.height)) ** 0.5
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    lang = usable_languages(lang)
    config = ARABIC_CONFIG if ARABIC_SCRIPT_LANGS & set(lang.split("+")) else ""
    return str(pytesseract.image_to_string(image, lang=lang, config=config))


def pdf_pages(path: Path, pages: list[int]) -> Iterator[tuple[int, Image.Image]]:
    """Each of ``pages`` (1-based) of the PDF as an image, one at a time, so a long scan
    never sits in memory whole."""
    if shutil.which("pdftoppm") is None:
        raise FileNotFoundError("pdftoppm (Debian: poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(prefix="credible-ocr-") as tmp:
        for page in pages:
            out = Path(tmp) / f"p{page}"
            subprocess.run(
                [
                    *("pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-singlefile"),
                    *("-f", str(page), "-l", str(page), str(path), str(out)),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            png = out.with_suffix(".png")
            with Image.open(png) as image:
                image.load()
                yield page, image
            png.unlink()
