"""Evidence in a store: PDFs and scans searchable after adding, text versions kept,
words found across scripts with the index blind, metadata recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from credible.evidence import (
    add_evidence,
    extract_evidence,
    find_evidence_words,
    refresh_word_index,
    text_versions,
    version_text,
)
from credible.simulate import render_page
from credible.store import Store, schema, verify
from credible.store.index import reindex

SOURCE = "FICTIONAL testimony"


def _refs(store: Store, query: str) -> set[int]:
    with store.read() as conn:
        return {h.ref for h in store.search.query(conn, query) if h.kind == "evidence"}


def _text_pdf(path: Path) -> None:
    from weasyprint import HTML

    HTML(
        string="<html><head><meta name=author content='FICTIONAL clerk'>"
        "<title>FICTIONAL list</title></head><body><p>Detainee Zulpiqar Mamut, Aksu camp.</p>"
        "<p>被拘留者 阿依古丽</p></body></html>"
    ).write_pdf(path)


def test_pdf_with_a_text_layer_is_searchable_with_its_metadata(
    sourced: Store, tmp_path: Path
) -> None:
    path = tmp_path / "list.pdf"
    _text_pdf(path)
    r = add_evidence(sourced, path, source=SOURCE, actor="tester")
    assert r.method == "pdf-text" and r.text_chars > 0
    assert _refs(sourced, "zulpiqar") == {r.id}
    assert _refs(sourced, "阿依古丽") == {r.id}
    with sourced.read() as conn:
        meta = json.loads(
            conn.execute(
                select(schema.evidence.c.metadata).where(schema.evidence.c.id == r.id)
            ).scalar_one()
        )
        assert meta["pdf"]["Author"] == "FICTIONAL clerk" and meta["pdf"]["pages"] == 1
        assert verify(conn).ok


@pytest.mark.slow
@pytest.mark.usefixtures("needs_ocr")
def test_scanned_pdf_is_read_by_ocr_and_searchable(sourced: Store, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    page = render_page(["Свидетель Абдурехим Мемет", "Деревня в округе Хотан"], "Cyrl")
    page.convert("RGB").save(path, "PDF", resolution=300)
    r = add_evidence(sourced, path, source=SOURCE, actor="tester", ocr_lang="rus")
    assert r.method == "ocr"
    assert _refs(sourced, "Абдурехим") == {r.id}
    assert _refs(sourced, "хотан") == {r.id}
    with sourced.read() as conn:
        (v,) = text_versions(conn, r.id)
        assert v.ocr_lang == "rus" and "tesseract" in v.tools and "pypdf" in v.tools


@pytest.mark.slow
@pytest.mark.usefixtures("needs_ocr")
def test_a_new_reading_is_a_new_version_and_the_old_is_kept(sourced: Store, tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    render_page(["Свидетель Абдурехим Мемет"], "Cyrl").save(path)
    r = add_evidence(sourced, path, source=SOURCE, actor="tester", ocr_lang="eng")
    assert _refs(sourced, "Абдурехим") == set()  # read with the wrong language
    (done,) = extract_evidence(sourced, [r.id], actor="analyst", ocr_lang="rus")
    assert done.version == 2 and done.method == "ocr"
    assert _refs(sourced, "Абдурехим") == {r.id}  # the index holds the newest
    with sourced.read() as conn:
        versions = text_versions(conn, r.id)
        assert [(v.version, v.ocr_lang, v.actor) for v in versions] == [
            (1, "eng", "tester"),
            (2, "rus", "analyst"),
        ]
        assert verify(conn).ok
        actions = [
            a
            for (a,) in conn.execute(
                select(schema.custody_events.c.action).where(
                    schema.custody_events.c.evidence_id == r.id
                )
            )
        ]
        assert actions == ["acquired", "accessed"]
    assert "Абдурехим" not in (version_text(sourced, r.id, 1) or "")
    assert "Абдурехим" in (version_text(sourced, r.id, 2) or "")


def test_text_versions_are_sealed_at_rest(sourced: Store, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("FICTIONAL: Айгүл Турсун was held in Aksu.", encoding="utf-8")
    r = add_evidence(sourced, path, source=SOURCE, actor="tester")
    extract_evidence(sourced, [r.id], actor="tester")
    with sourced.read() as conn:
        stored = [t for (t,) in conn.execute(select(schema.evidence_texts.c.text))]
    assert len(stored) == 2
    assert all("Турсун".encode() not in bytes(t) for t in stored)
    assert version_text(sourced, r.id, 1) == version_text(sourced, r.id, 2)


def test_words_are_found_across_scripts_and_the_index_stays_blind(
    sourced: Store, tmp_path: Path
) -> None:
    a = tmp_path / "a.txt"
    a.write_text("FICTIONAL. The witness Турсун saw her in Қашқар.", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("FICTIONAL. گۇۋاھچى ئايگۈل تۇرسۇن", encoding="utf-8")
    c = tmp_path / "c.txt"
    c.write_text("FICTIONAL. Nothing about anyone named here.", encoding="utf-8")
    ra, rb, _ = (add_evidence(sourced, p, source=SOURCE, actor="t") for p in (a, b, c))
    assert find_evidence_words(sourced, "Tursun") == [ra.id, rb.id]
    assert find_evidence_words(sourced, "Aygul Tursun") == [rb.id]
    assert find_evidence_words(sourced, "阿依古丽") == [rb.id]
    assert find_evidence_words(sourced, "Kashqar") == [ra.id]
    assert find_evidence_words(sourced, "Memet") == []
    with sourced.read() as conn:
        bodies = " ".join(d.body for d in sourced.search.documents(conn))
        assert verify(conn).ok
    for clear in ("TURsUN", "Tursun", "Турсун", "AIGUL", "54555273554e"):
        assert clear.lower() not in bodies.lower()
    reindex(sourced, "tester")  # drops the derived documents; the next search rewrites them
    assert refresh_word_index(sourced) == 3
    assert find_evidence_words(sourced, "Tursun") == [ra.id, rb.id]


def test_a_name_inside_chinese_prose_is_found_from_every_script(
    sourced: Store, tmp_path: Path
) -> None:
    # No word breaks in Chinese: the name is a run of transcription characters between
    # ordinary words (被 "was", 和 "and", which is itself a transcription character).
    a = tmp_path / "a.txt"
    a.write_text("FICTIONAL。他说吐尔逊被带走了，和古丽一起。", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("FICTIONAL。據報道，買買提·艾力於去年被拘留。", encoding="utf-8")  # traditional
    ra, rb = (add_evidence(sourced, p, source=SOURCE, actor="t") for p in (a, b))
    for query in ("Tursun", "Турсун", "تۇرسۇن"):
        assert find_evidence_words(sourced, query) == [ra.id], query
    assert find_evidence_words(sourced, "Gul") == [ra.id]
    for query in ("Memet", "Mehmet Eli", "مەمەت"):
        assert find_evidence_words(sourced, query) == [rb.id], query
    assert find_evidence_words(sourced, "Abdurahman") == []


def test_photo_metadata_and_gps_are_recorded(sourced: Store, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "photo.jpg"
    image = Image.new("RGB", (80, 60), (10, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "FICTIONAL Camera Co"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 28.0, 12.0), "E", (75.0, 59.0, 24.0)
    image.save(path, exif=exif)
    r = add_evidence(sourced, path, source=SOURCE, actor="tester", note="FICTIONAL")
    with sourced.read() as conn:
        row = conn.execute(
            select(schema.evidence.c.metadata, schema.evidence.c.phash).where(
                schema.evidence.c.id == r.id
            )
        ).one()
    meta = json.loads(row.metadata)
    assert meta["note"] == "FICTIONAL"
    assert meta["exif"]["Make"] == "FICTIONAL Camera Co"
    assert meta["exif"]["GPS"]["latitude"] == pytest.approx(39.47)
    assert meta["exif"]["GPS"]["longitude"] == pytest.approx(75.99)
    assert row.phash is not None


def test_cross_script_words_survive_a_key_rotation(sourced: Store, tmp_path: Path) -> None:
    from credible.store import rotate_key

    path = tmp_path / "t.txt"
    path.write_text("FICTIONAL: Турсун was seen in Aksu.", encoding="utf-8")
    r = add_evidence(sourced, path, source=SOURCE, actor="tester")
    rotate_key(sourced, "tester")  # new keyed tokens: the word documents are written again
    assert find_evidence_words(sourced, "Tursun") == [r.id]
    with sourced.read() as conn:
        assert verify(conn).ok


def test_the_vault_copy_is_made_in_one_read_and_never_left_half_done(
    sourced: Store, tmp_path: Path
) -> None:
    from sqlalchemy import text

    path = tmp_path / "t.txt"
    path.write_text("FICTIONAL: kept once", encoding="utf-8")
    r = add_evidence(sourced, path, source=SOURCE, actor="tester")
    again = add_evidence(sourced, path, source=SOURCE, actor="tester")
    assert again.already_held and sourced.vault.files() == [r.sha256]
    other = tmp_path / "u.txt"
    other.write_text("FICTIONAL: refused by the database", encoding="utf-8")
    if sourced.dialect != "sqlite":
        pytest.skip("the refusing trigger is written for SQLite")
    with sourced.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON evidence "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    with pytest.raises(Exception, match="refused"):
        add_evidence(sourced, other, source=SOURCE, actor="tester")
    assert sourced.vault.files() == [r.sha256]  # the new copy went with the transaction
