"""Legacy encodings are detected and transcoded; undecodable bytes are located.
Every text here is FICTIONAL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import read_all, rows_of

from credible.errors import InputError
from credible.ingest.encoding import TranscodingStream, detect_encoding
from credible.ingest.mapping import Mapping
from credible.ingest.reader import open_file

# (encoding, header, name, note): names and notes as each community would write them
SAMPLES = {
    "cp1251": ("имя,пол,примечание", "Абдулла Турсунов", "вымышленная запись; задержан в Кашгаре"),
    "kz1048": (
        "аты,жынысы,ескертпе",
        "Қайрат Нұрланұлы",
        "ойдан шығарылған жазба; Үрімжі; Өскемен",
    ),
    "gb18030": ("姓名,性别,备注", "阿卜杜拉·吐尔逊", "虚构记录；拘留地点：乌鲁木齐"),
    "cp1252": ("name,sex,notes", "Mämät Tursun", "fictional récord – café naïve Ürümqi"),
}


def _write(path: Path, encoding: str, rows: int = 40) -> None:
    header, name, note = SAMPLES[encoding]
    lines = [header] + [f"{name} {i},male,{note} {i}" for i in range(rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize("encoding", sorted(SAMPLES))
def test_detects_legacy_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"list_{encoding}.csv"
    _write(path, encoding)
    header = SAMPLES[encoding][0].split(",")[0]
    # A mapping for headers no field is known by (without one, such a file is refused).
    mapping = Mapping.model_validate({"columns": {"name": header}, "keep_columns": "all"})
    parsed = open_file(path, mapping=mapping)
    assert parsed.encoding == encoding
    table, problems = read_all(parsed)
    assert problems == []
    _, name, note = SAMPLES[encoding]
    extra = table.column("extra").to_pylist()
    assert table.num_rows == 40
    assert name in (table.column("name").to_pylist()[3] or "") + str(extra[3])
    assert note + " 3" in str(extra[3]) + str(table.column("notes").to_pylist()[3])


def test_declared_encoding_is_used(tmp_path: Path) -> None:
    path = tmp_path / "kz.csv"
    _write(path, "kz1048")
    rows, problems = rows_of(path, "encoding: kz1048\ncolumns: {name: аты}\n")
    assert problems == [] and rows[0]["name"] == "Қайрат Нұрланұлы 0"


def test_wrong_declared_encoding_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    lines = ["name,sex"] + [f"Person {i},male" for i in range(5)] + ["Турсунов,male"]
    path.write_bytes("\n".join(lines).encode("cp1251"))
    (tmp_path / "m.yml").write_text("encoding: utf-8\ncolumns: {name: name}\n", "utf-8")
    from credible.ingest.reader import load_mapping

    with pytest.raises(InputError) as err:
        open_file(path, mapping=load_mapping(tmp_path / "m.yml"))
    assert [p.row for p in err.value.problems] == [6]
    assert "not valid utf-8" in str(err.value) and "cp1251" in str(err.value)


def test_single_byte_declared_for_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name\nМухаммед\n", "utf-8")
    (tmp_path / "m.yml").write_text("encoding: cp1252\ncolumns: {name: name}\n", "utf-8")
    from credible.ingest.reader import load_mapping

    with pytest.raises(InputError, match="UTF-8 but cp1252 is declared"):
        open_file(path, mapping=load_mapping(tmp_path / "m.yml"))


def test_bad_bytes_after_the_sample_become_problems(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    body = "".join(f"Name {i},note {'x' * 40}\n" for i in range(30_000))
    path.write_bytes(b"name,notes\n" + body.encode() + b"Bad \xff name,x\n")
    table, problems = read_all(open_file(path))
    assert table.num_rows == 30_001
    assert [p.row for p in problems] == [30_001]
    assert "not valid utf-8" in problems[0].expected


def test_stray_byte_in_utf8_is_a_bad_row_not_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "mostly.csv"
    lines = ["name,notes"] + [f"Гүлнар {i},ойдан шығарылған" for i in range(20)]
    data = "\n".join(lines).encode() + b"\nBroken \xe9 name,x\n"
    path.write_bytes(data)
    parsed = open_file(path)
    assert parsed.encoding == "utf-8"
    table, problems = read_all(parsed)
    assert table.column("name").to_pylist()[0] == "Гүлнар 0"
    assert [p.row for p in problems] == [21]


def test_buzzfeed_bytes_read_as_cp437() -> None:
    sample = b"id\tPrefecture\r\n1\t\x9ar\x81mqi\r\n2\tKashgar\r\n"
    assert detect_encoding(sample) == "cp437"
    assert sample.decode("cp437").split("\t")[-2].startswith("Ürümqi")


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffd"), max_size=300
    ),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]),
    chunk=st.integers(1, 17),
)
def test_transcoding_stream_round_trips(text: str, encoding: str, chunk: int) -> None:
    """Any text, cut into chunks anywhere, comes out as the same UTF-8 bytes."""
    stream = TranscodingStream(io.BytesIO(text.encode(encoding)), encoding, chunk_size=chunk)
    out = b""
    buf = bytearray(7)
    while n := stream.readinto(memoryview(buf)):
        out += bytes(buf[:n])
    expected = text.removeprefix("\ufeff") if encoding == "utf-8" else text
    assert out.decode("utf-8").removeprefix("\ufeff") == expected.removeprefix("\ufeff")
    assert stream.bad_lines == []


def test_transcoding_stream_locates_bad_bytes() -> None:
    data = b"a\nb\n" + b"\xff\n" + "ü\n".encode() + b"\xc3"
    stream = TranscodingStream(io.BytesIO(data), "utf-8", chunk_size=3)
    out = stream.read()
    assert out.decode("utf-8") == "a\nb\n\ufffd\nü\n\ufffd"
    assert stream.bad_lines == [3, 5]


def test_excel_unicode_text_utf16_tabs(tmp_path: Path) -> None:
    """Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated, CRLF."""
    path = tmp_path / "export.txt"
    text = "name\tsex\tdob\r\nАйгүл\tfemale\t1980\r\n阿依古丽\tfemale\t1981-02\r\n"
    path.write_bytes(text.encode("utf-16"))
    parsed = open_file(path)
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    table, problems = read_all(parsed)
    assert problems == []
    assert table.column("name").to_pylist() == ["Айгүл", "阿依古丽"]
    assert table.column("birth_date").to_pylist() == ["1980", "1981-02"]
