"""PDFs: the text layer with pypdf, pages without one read by OCR; the document's own
metadata (author, producer, dates) as written in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from credible.evidence.extract.ocr import (
    MIN_LAYER_CHARS,
    ocr_image,
    pdf_pages,
    tesseract_version,
)
from credible.evidence.extract.result import Extraction, library_version


def _info(reader: Any) -> dict[str, str]:
    info = reader.metadata or {}
    out = {}
    for key, value in info.items():
        name = str(key).lstrip("/")
        if value is not None and str(value).strip():
            out[name] = str(value)
    return out


def extract_pdf(path: Path, ocr_lang: str) -> Extraction:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
        except Exception as exc:  # pypdf raises several kinds for unsupported encryption
            return Extraction.failed("pdf", f"the PDF is encrypted ({exc})")
    metadata: dict[str, Any] = {"pdf": {**_info(reader), "pages": len(reader.pages)}}
    tools = {"pypdf": library_version("pypdf")}
    layer = [(page.extract_text() or "").strip() for page in reader.pages]
    bare = [i + 1 for i, t in enumerate(layer) if len(t) < MIN_LAYER_CHARS]
    problem = None
    ocr_pages = 0
    if bare:
        version = tesseract_version()
        if version is None:
            problem = f"{len(bare)} page(s) without a text layer: Tesseract is not installed"
        else:
            tools["tesseract"] = version
            for page, image in pdf_pages(path, bare):
                read = ocr_image(image, ocr_lang).strip()
                if len(read) > len(layer[page - 1]):
                    layer[page - 1] = read
                ocr_pages += 1
    method = "pdf-text" if not ocr_pages else ("ocr" if len(bare) == len(layer) else "pdf-text+ocr")
    return Extraction(
        text="\n\n".join(layer),
        method=method,
        tools=tools,
        metadata=metadata,
        problem=problem,
        ocr_pages=ocr_pages,
        ocr_lang=ocr_lang if ocr_pages else None,
    )
