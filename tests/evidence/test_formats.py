"""Text and metadata from each kind of file, read directly (no store)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from credible.evidence import read_file


def test_html_drops_scripts_and_styles_and_keeps_the_title(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>FICTIONAL report</title><style>p{color:red}</style>"
        "<script>var secret='not text';</script></head><body><h1>Аксу</h1>"
        "<p>Witness <b>Aygul</b> &amp; 阿依古丽</p><script>alert(1)</script>"
        "<noscript>enable js</noscript></body></html>",
        encoding="utf-8",
    )
    found = read_file(page)
    assert found.method == "html"
    assert found.text == "Аксу\nWitness Aygul & 阿依古丽"
    assert found.metadata["html"]["title"] == "FICTIONAL report"


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("FICTIONAL statement of Айгүл Турсун")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "camp"
    table.rows[0].cells[1].text = "阿克苏"
    document.core_properties.author = "FICTIONAL clerk"
    path = tmp_path / "s.docx"
    document.save(str(path))
    found = read_file(path)
    assert found.method == "docx"
    assert found.text == "FICTIONAL statement of Айгүл Турсун\ncamp\t阿克苏"
    assert found.metadata["docx"]["author"] == "FICTIONAL clerk"


def test_eml_headers_text_parts_and_attachment_names(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "FICTIONAL sender <a@example.org>"
    msg["To"] = "b@example.org"
    msg["Subject"] = "Тема: список"
    msg["Date"] = "Mon, 07 Dec 2026 10:00:00 +0000"
    msg.set_content("Plain body: ئايگۈل is safe.")
    msg.add_alternative("<p>HTML body <script>x()</script></p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="list.pdf")
    path = tmp_path / "m.eml"
    path.write_bytes(bytes(msg))
    found = read_file(path)
    assert found.method == "eml"
    text = found.text or ""
    assert "Subject: Тема: список" in text and "From: FICTIONAL sender" in text
    assert "Plain body: ئايگۈل is safe." in text
    assert "HTML body" not in text  # the plain part is preferred to its HTML twin
    assert text.endswith("Attachments: list.pdf")
    assert found.metadata["email"]["attachments"] == ["list.pdf"]


def test_damaged_pdf_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    found = read_file(path)
    assert found.method == "pdf" and found.text is None
    assert found.problem and "could not be read as pdf" in found.problem


def test_unknown_binary_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)))
    assert read_file(path).method == "none"


def _jpeg_with_gps(path: Path) -> None:
    image = Image.new("RGB", (64, 48), (120, 30, 200))
    exif = Image.Exif()
    exif[0x010F] = "FICTIONAL Camera Co"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2019:05:04 10:11:12"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (41.0, 9.0, 36.0)  # 41°09'36" N
    gps[3], gps[4] = "E", (80.0, 15.0, 0.0)  # 80°15' E
    image.save(path, exif=exif)


def test_exif_camera_time_and_gps_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    _jpeg_with_gps(path)
    found = read_file(path, "eng")
    exif = found.metadata["exif"]
    assert exif["Make"] == "FICTIONAL Camera Co" and exif["Model"] == "Model X"
    assert exif["DateTime"] == "2019:05:04 10:11:12"
    assert exif["GPS"]["GPSLatitudeRef"] == "N"
    assert exif["GPS"]["latitude"] == pytest.approx(41.16)
    assert exif["GPS"]["longitude"] == pytest.approx(80.25)
    assert found.metadata["image"] == {"format": "JPEG", "width": 64, "height": 48}
    assert found.phash is not None and len(found.phash) == 16


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200).filter(lambda b: "</" not in b))
def test_html_keeps_the_visible_text_and_never_a_script(visible: str, script: str) -> None:
    import html

    from credible.evidence.extract.documents import html_text

    text, _ = html_text(f"<p>{html.escape(visible)}</p><script>{script}</script>")
    lines = (" ".join(line.split()) for line in visible.splitlines())
    assert text == "\n".join(line for line in lines if line)
