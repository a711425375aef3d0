"""Malformed CSV/TSV is refused with the file, row, column and what was expected, never
with a traceback, and never by echoing a row's text. All data FICTIONAL."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import read_all, rows_of

import credible
from credible.errors import InputError
from credible.ingest.limits import ReadLimits
from credible.ingest.quotes import QuoteTracker
from credible.ingest.reader import load_mapping, open_file

PHONE = "+86 138 0013 8000"


def _quote_problems(problems: list) -> list:
    return [p for p in problems if "quote" in p.expected]


def test_unterminated_quote_names_the_line_it_opened_on(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b'name,notes\nAlice,"unclosed\nBob,x\nCarol,y\n')
    rows, problems = rows_of(path)
    assert len(rows) == 1  # what pyarrow (and Python's csv) make of it: one row
    (problem,) = problems
    assert (problem.file, problem.row, problem.column) == ("q.csv", 1, "notes")
    assert "quote opened on line 2 is never closed" in problem.expected
    assert "lines 2-4" in problem.expected
    assert problem.value is None


def test_unterminated_quote_in_a_middle_column(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b'name,notes,sex\r\nA,x,male\r\nB,"open,female\r\nC,y,male\r\n')
    _, problems = rows_of(path)
    (quote,) = _quote_problems(problems)
    assert (quote.row, quote.column) == (2, "notes")
    assert "line 3" in quote.expected
    # the row it swallowed the rest into has too few cells, and is said to, too
    assert [(p.row, p.expected) for p in problems if p is not quote] == [
        (2, "expected 3 cells separated by ',', found 2")
    ]


def test_unterminated_quote_on_the_last_line(tmp_path: Path) -> None:
    """No line break after it, and a literal quote earlier that evens the count."""
    path = tmp_path / "q.csv"
    path.write_bytes(b'name,notes\nA,5\'10"\nB,"unclosed')
    _, problems = rows_of(path)
    (quote,) = problems
    assert (quote.row, quote.column) == (2, "notes")
    assert "line 3" in quote.expected


def test_unterminated_quote_after_many_blocks(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    body = "".join(f'Name {i}\t"note {i}\nsecond line"\n' for i in range(60_000))
    path.write_text("name\tnotes\n" + body + 'Last\t"never closed\nX\tY\n', "utf-8")
    _, problems = read_all(open_file(path), batch_size=1000)
    (quote,) = problems
    assert quote.row == 60_001 and f"line {2 * 60_000 + 2}" in quote.expected


def test_quotes_that_close_are_not_problems(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(
        b'name,notes\nA,"two\nlines"\nB,"say ""hi"""\nC,5\'10"\nD,"abc"def\nE,"x,"\nF,""\n'
    )
    rows, problems = rows_of(path)
    assert problems == []
    assert [r["notes"] for r in rows] == ["two\nlines", 'say "hi"', "5'10\"", "abcdef", "x,", None]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", ",", '"', '"', "\n", "\r", " ", "\r\n"]), max_size=16).map(
        "".join
    ),
    cuts=st.lists(st.integers(0, 20), max_size=3),
)
def test_quote_tracker_agrees_with_pythons_csv(text: str, cuts: list[int]) -> None:
    """The tracker follows the quotes as the csv module does, however the stream is cut."""
    rows = list(csv.reader(io.StringIO(text + "\r\nEND", newline="")))
    expected = rows[-1] != ["END"]
    for walk in (64, 1, 0):  # walked back from the end, or followed with numpy
        tracker = QuoteTracker(",", max_walk=walk)
        data, start = text.encode(), 0
        for cut in sorted(min(c, len(data)) for c in cuts):
            tracker.feed(data[start:cut])
            start = cut
        tracker.feed(data[start:])
        opened = tracker.unclosed()
        assert (opened is not None) == expected
        if opened is not None:  # the quote that opened the cell the file ends in
            assert data[opened] == ord('"')
            assert (tracker.unclosed() is not None) == expected


def test_field_over_128_kib_without_a_declared_delimiter(tmp_path: Path) -> None:
    """Python's csv module (the sniffer's) refuses a cell over 128 KiB; pyarrow does not."""
    path = tmp_path / "big.csv"
    note = "x" * 200_000
    path.write_text(f"name,notes\nA,{note}\nB,y\n", "utf-8")
    rows, problems = rows_of(path)
    assert problems == []
    assert [(r["name"], len(r["notes"])) for r in rows] == [("A", 200_000), ("B", 1)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("n" * 200_000 + ",sex\nA,male\n", "field larger than field limit"),
        ("name," + ",".join(f"c{i}" for i in range(300_000)) + "\nA\n", "longer than 1 MB"),
    ],
)
def test_header_that_is_not_a_header(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match=fragment):
        open_file(path)


def test_tsv_that_is_really_comma_separated(tmp_path: Path) -> None:
    path = tmp_path / "list.tsv"
    path.write_text("name,sex\nAygul,female\nMemet,male\n", "utf-8")
    _, problems = rows_of(path)
    (problem,) = problems
    assert problem.row is None
    assert "no header names one (headers: 'name,sex')" in problem.expected
    assert "split at '\\t' (for .tsv)" in problem.expected
    assert "split best at ','" in problem.expected


def test_mapped_columns_all_empty(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Note\n,a\n,b\n", "utf-8")
    _, problems = rows_of(path, "columns: {name: Name}\nkeep_columns: all\n")
    (problem,) = problems
    assert problem.expected == (
        "no row has a value in any mapped column (name ← 'Name'); cells were split at ',' "
        "(detected)"
    )


def test_no_header_names_a_field(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("foo,bar\n1,2\n", "utf-8")
    _, problems = rows_of(path)
    (problem,) = problems
    assert "a column for at least one field of person_record" in problem.expected
    # the importer refuses a file when any batch has a problem: the last batch has this one
    *_, last = open_file(path).batches()
    assert last.table.num_rows == 0 and last.problems == [problem]


def test_ragged_rows_do_not_echo_their_text(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"name,notes\nA,x\nB,{PHONE},extra\n", "utf-8")
    _, problems = rows_of(path)
    assert [(p.row, p.value) for p in problems] == [(2, None)]
    assert "138" not in str(problems[0])


def test_nul_bytes_after_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_bytes(b"name,notes\n" + b"A,x\n" * 300_000 + b"B,\x00\x00\n")
    _, problems = rows_of(path)
    assert [(p.row, p.expected) for p in problems] == [
        (300_001, "text, not a NUL byte (binary data)")
    ]


def test_row_longer_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("name,notes\nA,x\nB," + "y" * (5 << 20) + "\nC,z\n", "utf-8")
    with pytest.raises(
        InputError, match=r"over the limit csv_row_mb=2; .* --limit csv_row_mb=VALUE"
    ):
        read_all(open_file(path, limits=ReadLimits(csv_row_mb=2)))
    rows, problems = read_all(open_file(path, limits=ReadLimits(csv_row_mb=5)))
    assert problems == [] and rows.num_rows == 3


def test_non_ascii_delimiter_in_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("name،sex\nA،male\n", "utf-8")
    with pytest.raises(InputError, match="one ASCII character"):
        rows_of(path, 'delimiter: "،"\n')


def test_headers_naming_one_field_twice_are_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("name,Full Name,sex\nA,B,male\n", "utf-8")
    parsed = open_file(path)
    table, problems = read_all(parsed)
    assert problems == [] and table.column("name").to_pylist() == ["A"]
    assert parsed.warnings == [
        "'Full Name' also names the field name: 'name' was read into it, the others kept in extra"
    ]


def test_facilities_without_a_name_are_warned_about(tmp_path: Path) -> None:
    """Allowed (real lists have facilities known only by place), but said."""
    path = tmp_path / "f.csv"
    lines = ["name,name_zh,county"] + [f"Camp {i},,Kashgar" for i in range(30)]
    for row in (3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 25):
        lines[row] = ",,Hotan"
    lines[5] = ",喀什,Kashgar"  # a name in Chinese is a name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    mapping = "kind: facility\ncolumns: {name: name, name_zh: name_zh, county: county}\n"
    (tmp_path / "m.yml").write_text(mapping, "utf-8")
    parsed = open_file(path, mapping=load_mapping(tmp_path / "m.yml"))
    table, problems = read_all(parsed, batch_size=7)
    assert problems == [] and table.num_rows == 30
    assert parsed.warnings == [
        "12 facility rows have no name in any of name, name_zh, name_ug "
        "(rows 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, ...)"
    ]
    read_all(parsed)  # read again: said once
    assert len(parsed.warnings) == 1


EXIT_SCRIPT = """
import sys
from pathlib import Path
import credible
from credible.errors import InputError
from credible.ingest.limits import ReadLimits
from credible.ingest.reader import open_file
limits = ReadLimits(csv_row_mb=int(sys.argv[2]))
batches = open_file(Path(sys.argv[1]), limits=limits).batches(batch_size=1000)
try:
    next(batches)  # then leave the rest unread, the generator open
except InputError as err:
    print(err.problems[0].expected)
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", ["left unread", "row too long"])
def test_the_process_exits_cleanly_when_reading_stops_early(tmp_path: Path, case: str) -> None:
    """pyarrow reads ahead on a thread of its own, through Python; a read still under way
    when the interpreter exits aborted the process (PyGILState_Release) or hung it."""
    path = tmp_path / "many.csv"
    # transcoded from a code page, so that pyarrow's reading thread is still busy at exit
    line = "Абдулла Турсунов,male,1980-05-03,Қашқар,вымышленная запись и несколько слов\n"
    body = line * 400_000
    if case == "row too long":
        body = "A,male,1980," + "x" * (3 << 20) + ",n\n" + body
    path.write_text("name,sex,dob,residence,notes\n" + body, "kz1048")
    script = tmp_path / "exit.py"
    script.write_text(EXIT_SCRIPT, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(credible.__file__).parents[1])}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, str(script), str(path), "1" if case == "row too long" else "8"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert ("csv_row_mb=1" in done.stdout) == (case == "row too long")
