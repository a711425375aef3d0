"""What the evidence tests share: OCR's availability, a store with a source."""

from __future__ import annotations

import os
import shutil

import pytest

from credible.store import Store, now, schema

OCR_LANGS = ("uig", "chi_sim", "kaz", "rus")


def _ocr_missing() -> str | None:
    if shutil.which("tesseract") is None:
        return "Tesseract is not installed (Debian: tesseract-ocr; `make system-packages`)"
    import pytesseract

    have = set(pytesseract.get_languages(config=""))
    lacking = [lang for lang in OCR_LANGS if lang not in have]
    if lacking:
        packs = " ".join(f"tesseract-ocr-{x.replace('_', '-')}" for x in lacking)
        return f"Tesseract language packs missing: {packs}"
    return None


OCR_MISSING = _ocr_missing()


@pytest.fixture
def needs_ocr() -> None:
    """Skip with the reason when OCR cannot run here; in CI (which installs it) fail."""
    if OCR_MISSING:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the OCR tests: {OCR_MISSING}")
        pytest.skip(OCR_MISSING)


@pytest.fixture
def sourced(store: Store) -> Store:
    """A store with two FICTIONAL sources."""
    with store.write("tester") as uow:
        uow.insert(schema.sources, name="FICTIONAL testimony", created_at=now())
        uow.insert(schema.sources, name="FICTIONAL media", created_at=now())
    return store
