"""Whatever bytes a CSV, TSV, JSON or JSON Lines file holds, reading it ends in rows or
in InputError/ConfigError, never in another exception. Generated data only (FICTIONAL).

The pieces are those that broke readers before: quotes, delimiters, line ends, byte
order marks, NUL bytes, bytes that are not UTF-8, surrogate escapes, deep brackets,
long numbers, repeated keys. ``FUZZ_EXAMPLES`` sets how many files each test tries.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credible.errors import ConfigError, InputError
from credible.ingest.limits import ReadLimits
from credible.ingest.reader import open_file

# Thousands of generated files: in `make test`, not in `make test-fast`.
pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
LIMITS = ReadLimits(json_depth=8, csv_row_mb=1, json_record_mb=1)

TEXT_PIECES = [
    b"name",
    b"sex",
    b"dob",
    b"phone",
    b"notes",
    b"male",
    b"1980-02-30",
    b"\xd0\x90\xd0\xb9",  # Cyrillic, UTF-8
    b"\xc0\xe9",  # cp1251
    b"\xe9",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x00",
    b",",
    b"\t",
    b";",
    b"|",
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"x" * 300,
]
JSON_PIECES = [
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b'"name"',
    b'"sex"',
    b'"contact"',
    b'"a.b"',
    b'"male"',
    b'"\\ud800"',
    b'"\\u0000"',
    b'"\\ud83d\\ude00"',
    b"1",
    b"1e999",
    b"-0",
    b"1" * 5000,
    b"true",
    b"null",
    b"NaN",
    b"\n",
    b" ",
    b"\xef\xbb\xbf",
    b"\xff",
    b"[" * 40,
    b"]" * 40,
    b'{"name": "A", "name": "B"}',
    b'{"name": {"full": "A"}}',
]


def _files(pieces: list[bytes]) -> st.SearchStrategy[bytes]:
    joined = st.lists(st.sampled_from(pieces), max_size=60).map(b"".join)
    return st.one_of(joined, st.binary(max_size=200))


def _read(path: Path, kind: str | None = None) -> None:
    try:
        parsed = open_file(path, kind=kind, limits=LIMITS)
        for batch in parsed.batches(batch_size=7):
            assert batch.table.num_rows == len(batch.table.column("source_row"))
    except (InputError, ConfigError):
        pass


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=_files(TEXT_PIECES), kind=st.sampled_from([None, "facility"]))
def test_delimited_text(tmp_path: Path, suffix: str, data: bytes, kind: str | None) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _read(path, kind)


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=_files(JSON_PIECES))
def test_json(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _read(path)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    records=st.lists(
        st.dictionaries(
            st.sampled_from(["name", "sex", "dob", "contact", "notes", "x"]),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3)
                ),
                max_leaves=12,
            ),
            max_size=5,
        ),
        max_size=12,
    ),
    lines=st.booleans(),
)
def test_json_records(tmp_path: Path, records: list[dict], lines: bool) -> None:
    """Well-formed JSON of any shape: every record read or named in a problem."""
    import json

    path = tmp_path / ("fuzz.jsonl" if lines else "fuzz.json")
    if lines:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    else:
        path.write_text(json.dumps(records), "utf-8")
    _read(path)
