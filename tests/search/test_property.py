"""Properties of the cross-script search on a store of FICTIONAL names written in every
script the simulator writes them in."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credible.ingest import import_file
from credible.search import search_people
from credible.simulate import given_name_forms
from credible.store import Store

FORMS = given_name_forms()
GIVEN = sorted(FORMS)[::5]  # a spread of the table: Uyghur, Kazakh and Hui names


def _uyghur_names() -> set[str]:
    text = (resources.files("credible.simulate") / "data" / "given_names.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["uly"].replace("'", "") for r in rows if r["ethnicity"] == "uyghur"}


#: Uyghur names: the three Uyghur alphabets write them letter for letter (a Chinese name
#: in pinyin, put into Uyghur Arabic or Cyrillic letters by the simulator, is not)
UYGHUR = _uyghur_names()
SCRIPTS = sorted(next(iter(FORMS.values())))
LETTER_FOR_LETTER = {"uyghur_latin", "uyghur_arabic", "uyghur_cyrillic"}


def _list() -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["fictional", "given_name", "father_name"])
    for i, given_ in enumerate(GIVEN):
        father = GIVEN[(i * 7 + 3) % len(GIVEN)]
        for script in SCRIPTS:
            w.writerow(["FICTIONAL", FORMS[given_][script], FORMS[father][script]])
    return out.getvalue()


def test_a_record_is_found_by_its_own_name_in_any_script(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(_list(), encoding="utf-8")
    import_file(store, path, source="FICTIONAL", actor="tester")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(GIVEN), st.sampled_from(SCRIPTS), st.sampled_from(SCRIPTS))
    def found(given_: str, written_in: str, searched_in: str) -> None:
        written = FORMS[given_][written_in]
        # as written, the record is found, whatever else it is like
        hits = search_people(store, written, limit=1000)
        assert any(written in h.name.split() for h in hits), (given_, written_in)
        # every hit holds the name about as well as the query asks (scores in order)
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True) and all(0.75 <= s <= 1 for s in scores)
        # the Uyghur alphabets are letter for letter: each finds what the others find
        if {written_in, searched_in} <= LETTER_FOR_LETTER and given_ in UYGHUR:
            again = search_people(store, FORMS[given_][searched_in], limit=1000)
            assert {h.record_id for h in again} == {h.record_id for h in hits}, given_

    found()
