"""Reading the text and metadata of an evidence file, whatever its kind.

``read_file(path, ocr_lang)`` picks the reader from the file's first bytes and its name
(a PDF named .txt is still a PDF), runs it, and turns a damaged file into an
``Extraction`` with a ``problem`` rather than an exception: the evidence is preserved
whatever its content, and what could not be read is said, not hidden.
"""

from __future__ import annotations

from pathlib import Path

from credible.evidence.extract.documents import (
    extract_docx,
    extract_eml,
    extract_html,
    extract_plain,
)
from credible.evidence.extract.image import extract_image
from credible.evidence.extract.ocr import (
    DEFAULT_OCR_LANG,
    check_languages,
    tesseract_version,
)
from credible.evidence.extract.pdf import extract_pdf
from credible.evidence.extract.result import Extraction

__all__ = [
    "DEFAULT_OCR_LANG",
    "Extraction",
    "check_languages",
    "read_file",
    "reader_for",
    "tesseract_version",
]

PLAIN_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".xml"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"GIF87a",
    b"GIF89a",
    b"BM",
)


def reader_for(path: Path) -> str | None:
    """Which reader fits the file: pdf, image, docx, html, eml, plain, or None."""
    with path.open("rb") as fh:
        head = fh.read(16)
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"PK\x03\x04") and suffix == ".docx":
        return "docx"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix == ".eml":
        return "eml"
    if suffix in PLAIN_SUFFIXES:
        return "plain"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return None


def read_file(path: Path, ocr_lang: str = DEFAULT_OCR_LANG) -> Extraction:
    """The text and metadata of ``path``; ``method`` "none" when no reader fits."""
    kind = reader_for(path)
    if kind is None:
        return Extraction(None, "none")
    try:
        if kind == "pdf":
            return extract_pdf(path, ocr_lang)
        if kind == "image":
            return extract_image(path, ocr_lang)
        if kind == "docx":
            return extract_docx(path)
        if kind == "html":
            return extract_html(path)
        if kind == "eml":
            return extract_eml(path)
        return extract_plain(path)
    except Exception as exc:
        # Parsers of hostile files raise anything (pypdf, Pillow, lxml each their own
        # tree); the file is kept all the same and the reason recorded.
        return Extraction.failed(kind, f"could not be read as {kind}: {type(exc).__name__}: {exc}")
