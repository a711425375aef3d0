"""Plain text, HTML, DOCX and e-mail (.eml)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from credible.evidence.extract.result import Extraction, library_version

#: Larger text files are preserved but not read (a text that size is not a transcript).
MAX_TEXT_BYTES = 20 << 20


def decode(data: bytes) -> str | None:
    """Bytes as text: UTF-8 when they are, else the encoding detected as for imports."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else None


def extract_plain(path: Path) -> Extraction:
    if path.stat().st_size > MAX_TEXT_BYTES:
        return Extraction.failed("plain", f"larger than {MAX_TEXT_BYTES >> 20} MiB: not read")
    return Extraction(decode(path.read_bytes()), "plain")


class _TextOfHtml(HTMLParser):
    """The visible text of a page: scripts, styles and templates dropped, block elements
    on lines of their own; the title and meta description kept as metadata."""

    SKIP = frozenset({"script", "style", "template", "noscript", "head"})
    BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}
        | {"ol", "section", "article", "header", "footer", "blockquote", "pre", "hr", "dt"}
        | {"dd", "figcaption"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_title = False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            a = dict(attrs)
            name = a.get("name") or a.get("property")
            if name and a.get("content"):
                self.meta[name] = a["content"] or ""
        if tag in self.SKIP:
            self.skipping += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.meta["title"] = self.meta.get("title", "") + data
        elif not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def html_text(markup: str) -> tuple[str, dict[str, str]]:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return parser.text(), {k: v.strip() for k, v in parser.meta.items() if v.strip()}


def extract_html(path: Path) -> Extraction:
    if path.stat().st_size > MAX_TEXT_BYTES:
        return Extraction.failed("html", f"larger than {MAX_TEXT_BYTES >> 20} MiB: not read")
    markup = decode(path.read_bytes())
    if markup is None:
        return Extraction.failed("html", "its encoding could not be told")
    text, meta = html_text(markup)
    return Extraction(text, "html", {}, {"html": meta} if meta else {})


def extract_docx(path: Path) -> Extraction:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    props = document.core_properties
    meta: dict[str, Any] = {}
    for name in ("author", "last_modified_by", "title", "subject", "created", "modified"):
        value = getattr(props, name, None)
        if value:
            meta[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = "\n".join(p for p in parts if p.strip())
    tools = {"python-docx": library_version("python-docx")}
    return Extraction(text, "docx", tools, {"docx": meta} if meta else {})


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = decode(payload) if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_text(content)[0] if part.get_content_type() == "text/html" else content


def extract_eml(path: Path) -> Extraction:
    """Headers (from, to, cc, date, subject), the text of each text part (an HTML part
    only when the message has no plain one), and the names of its attachments."""
    with path.open("rb") as fh:
        message = email.message_from_binary_file(fh, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    headers = {
        h: str(message[h])
        for h in ("From", "To", "Cc", "Date", "Subject", "Message-ID")
        if message[h]
    }
    attachments: list[str] = []
    plain: list[str] = []
    html: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        assert isinstance(part, EmailMessage)
        if part.is_attachment() or part.get_filename():
            attachments.append(part.get_filename() or "(unnamed)")
        elif part.get_content_type() == "text/plain":
            plain.append(_part_text(part))
        elif part.get_content_type() == "text/html":
            html.append(_part_text(part))
    lines = [f"{k}: {v}" for k, v in headers.items() if k != "Message-ID"]
    body = plain or html
    text = "\n".join(lines) + "\n\n" + "\n\n".join(b.strip() for b in body)
    if attachments:
        text += "\n\nAttachments: " + ", ".join(attachments)
    meta = {"email": {**headers, "attachments": attachments}}
    return Extraction(text.strip(), "eml", {}, meta)
