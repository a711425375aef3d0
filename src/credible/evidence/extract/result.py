"""What reading one file gives: its text, how it was read (method, tool versions), the
metadata found in it, and its perceptual hash when it is an image."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from typing import Any


def library_version(name: str) -> str:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Extraction:
    text: str | None
    method: str  # plain, pdf-text, pdf-text+ocr, ocr, docx, html, eml; "none" if unread
    tools: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    phash: str | None = None  # 64-bit DCT hash (imagehash.phash), 16 hex digits
    problem: str | None = None  # why some or all of the text could not be read
    ocr_pages: int = 0
    ocr_lang: str | None = None

    @classmethod
    def failed(cls, method: str, problem: str) -> Extraction:
        return cls(text=None, method=method, problem=problem)

    @property
    def has_text(self) -> bool:
        return bool(self.text and self.text.strip())
