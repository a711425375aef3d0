"""A JSON array read in pieces gives the same records wherever the pieces are cut. FICTIONAL."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from credible.ingest.jsonfile import _iter_array
from credible.ingest.limits import ReadLimits

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
records = st.lists(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=4), max_size=5)


@settings(max_examples=300, deadline=None)
@given(records, st.integers(1, 9), st.booleans(), st.booleans())
def test_every_cut_of_a_valid_array_reads_the_same(
    rows: list[dict], chunk: int, ascii_only: bool, indent: bool
) -> None:
    text = json.dumps(rows, ensure_ascii=ascii_only, indent=1 if indent else None)
    read = [r for _, r in _iter_array(io.StringIO(text), "FICTIONAL.json", ReadLimits(), chunk)]
    assert read == rows
