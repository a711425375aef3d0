"""Assessment against a real store (SQLite and PostgreSQL): sources by hand and their
grades, runs that record what they used, incidents through linkage, art. 7 judgements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from credible.assess import (
    CONCLUSION,
    add_source,
    assess,
    explain_act,
    grade_source,
    judge_acts,
    judge_element,
    write_assessment,
)
from credible.errors import ConfigError, InputError, NotFoundError
from credible.ingest import import_file
from credible.store import Store, finish_run, schema, start_run, verify

ACTS = """external_id,type,victim,facility,date
FICTIONAL-A1,torture_or_ill_treatment,V1,,2018-03
FICTIONAL-A2,torture_or_ill_treatment,V2,,2018
FICTIONAL-A3,arbitrary_detention,V1,,2017/2019
FICTIONAL-A4,forced_labour,V3,,2019
"""
VICTIMS = """external_id,name,role,ethnicity
V1,FICTIONAL Aygul Tursun,victim,Uyghur
V2,FICTIONAL Aygul Tursunova,victim,Uyghur
V3,FICTIONAL Memet Ablet,victim,Kazakh
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def case(store: Store, tmp_path: Path) -> Store:
    """FICTIONAL: a testimony archive (B), independent interviews (C), a media outlet
    copying the archive, a ministry denying."""
    add_source(store, "t", "FICTIONAL archive", kind="testimony", reliability="B")
    add_source(store, "t", "FICTIONAL interviews", kind="testimony", reliability="C")
    add_source(
        store, "t", "FICTIONAL media", kind="media", reliability="C",
        derived_from="FICTIONAL archive", confidentiality="public",
    )  # fmt: skip
    add_source(store, "t", "FICTIONAL ministry", kind="official_statement", reliability="E")
    import_file(store, _write(tmp_path, "v.csv", VICTIMS), source="FICTIONAL archive", actor="t")
    import_file(
        store, _write(tmp_path, "a.csv", ACTS), source="FICTIONAL archive", actor="t", kind="act"
    )
    allegations = {
        "FICTIONAL archive": "TA-1,FICTIONAL-A1,2\nTA-2,FICTIONAL-A3,3\nTA-3,FICTIONAL-A4,2\n",
        "FICTIONAL interviews": "WI-1,FICTIONAL-A2,3\nWI-2,FICTIONAL-A3,3\n",
        "FICTIONAL media": "MR-1,FICTIONAL-A1,1\nMR-2,FICTIONAL-A4,1\n",
    }
    for source, rows in allegations.items():
        path = _write(tmp_path, f"{source[10:]}.csv", "external_id,act,credibility\n" + rows)
        import_file(store, path, source=source, actor="t", kind="allegation")
    denial = _write(
        tmp_path,
        "deny.csv",
        "external_id,act,credibility,stance\nOS-1,FICTIONAL-A4,5,contradicts\n",
    )
    import_file(store, denial, source="FICTIONAL ministry", actor="t", kind="allegation")
    return store


def _link_v1_v2(store: Store) -> None:
    """A link run that makes the records of V1 and V2 one Person (as linkage would)."""
    pr = schema.person_records
    with store.write("t") as uow:
        ids = dict(uow.conn.execute(select(pr.c.external_id, pr.c.id)).all())
        run_id = start_run(uow, "link", "FICTIONAL", {})
        for members in ([ids["V1"], ids["V2"]], [ids["V3"]]):
            pid = uow.insert(schema.persons, run_id=run_id, size=len(members))
            for rid in members:
                uow.insert(schema.person_members, person_id=pid, record_id=rid)
        finish_run(uow, run_id, {})


def _acts(run) -> dict[str, dict]:
    return {a["external_id"]: a for a in run.act_dicts()}


def test_standards_follow_the_policy_and_copies_count_once(case: Store) -> None:
    run = assess(case, "t")
    acts = _acts(run)
    # A1: archive B2 (0.64) and its media copy C1 (root: the archive): one source.
    assert acts["FICTIONAL-A1"]["independent_sources"] == 1
    assert acts["FICTIONAL-A1"]["standard_met"] is None
    assert sorted(acts["FICTIONAL-A1"]["supporting"]) == ["MR-1", "TA-1"]
    # A3: archive B3 (0.48) + interviews C3 (0.36): two independent sources.
    assert acts["FICTIONAL-A3"]["standard_met"] == "reasonable_grounds_to_believe"
    # A4: one source, and a denial beside it that never counts as support.
    assert acts["FICTIONAL-A4"]["contradicting"] == ["OS-1"]
    assert acts["FICTIONAL-A4"]["standard_met"] is None


def test_linked_victims_make_one_incident_until_an_analyst_splits_it(case: Store) -> None:
    _link_v1_v2(case)
    acts = _acts(assess(case, "t"))
    # A1 and A2 are one Person's torture in overlapping months: archive + interviews.
    assert acts["FICTIONAL-A1"]["incident"] == acts["FICTIONAL-A2"]["incident"]
    assert acts["FICTIONAL-A1"]["independent_sources"] == 2
    # archive B2 (0.64; its media copy C1 weighs 0.6 and is not counted) + interviews C3
    # (0.36) = 1.0 from two independent sources: clear and convincing.
    assert acts["FICTIONAL-A1"]["standard_met"] == "clear_and_convincing"
    judge_acts(case, "analyst", "FICTIONAL-A1", "FICTIONAL-A2", "different", "two visits")
    split = _acts(assess(case, "t"))
    assert split["FICTIONAL-A1"]["incident"] != split["FICTIONAL-A2"]["incident"]
    assert split["FICTIONAL-A1"]["standard_met"] is None


def test_a_run_records_its_policy_grades_and_inputs_and_repeats_exactly(case: Store) -> None:
    first = assess(case, "t")
    second = assess(case, "t")
    assert first.act_dicts() == second.act_dicts()
    assert [f.to_dict() for f in first.findings] == [f.to_dict() for f in second.findings]
    assert first.fingerprint == second.fingerprint
    with case.read() as conn:
        info = conn.execute(select(schema.runs).where(schema.runs.c.id == first.run_id)).one()
        rows = conn.execute(
            select(func.count()).where(schema.assessments.c.run_id == first.run_id)
        ).scalar_one()
        assert verify(conn, public_key=case.keys.public_key).ok
    params = json.loads(info.parameters)
    assert info.stage == "assess" and info.input_fingerprint == first.fingerprint
    assert params["grades"]["FICTIONAL interviews"] == "C"
    assert params["policy"]["name"] == "credible-default"
    assert rows == len(first.acts) + len(first.findings)


def test_regrading_is_appended_audited_and_changes_the_next_run(case: Store) -> None:
    assert grade_source(case, "analyst", "FICTIONAL interviews", "A", "FICTIONAL: verified") == "C"
    with case.read() as conn:
        grades = (
            conn.execute(
                select(schema.source_grades.c.reliability).order_by(schema.source_grades.c.id)
            )
            .scalars()
            .all()
        )
    assert grades == ["B", "C", "C", "E", "A"]  # each source's first grade, then the new one
    run = assess(case, "t")
    assert run.grades["FICTIONAL interviews"] == "A"
    with pytest.raises(InputError):
        grade_source(case, "analyst", "FICTIONAL interviews", "Z", "no such grade")
    with pytest.raises(NotFoundError):
        grade_source(case, "analyst", "nobody", "B", "x")
    with pytest.raises(ConfigError):
        add_source(case, "t", "FICTIONAL archive", kind="testimony", reliability="B")


def test_crimes_against_humanity_are_concluded_only_when_every_element_is_judged_met(
    case: Store,
) -> None:
    run = assess(case, "t")
    assert run.conclusion["statement"] is None
    codes = [e.code for e in run.elements]
    for code in codes[:-1]:
        judge_element(case, "analyst", code, "yes", "FICTIONAL reasons", run.standard)
    assert assess(case, "t").conclusion["statement"] is None
    judge_element(case, "analyst", codes[-1], "no", "FICTIONAL: not shown", run.standard)
    assert assess(case, "t").conclusion["judged_not_met"] == [codes[-1]]
    judge_element(case, "analyst", codes[-1], "yes", "FICTIONAL: now shown", run.standard)
    final = assess(case, "t")
    assert final.conclusion["statement"] and CONCLUSION in final.conclusion["statement"]
    assert all(e.judgement and e.judgement["met"] == "yes" for e in final.elements)
    assert assess(case, "t", standard="beyond_reasonable_doubt").conclusion["statement"] is None


def test_explain_and_json(case: Store, tmp_path: Path) -> None:
    text = explain_act(case, "FICTIONAL-A3").to_text()
    assert "2 independent source(s)" in text and "meets reasonable_grounds_to_believe" in text
    path = write_assessment(assess(case, "t"), tmp_path / "out")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["standard"] == "reasonable_grounds_to_believe"
    assert {"external_id", "type", "standard_met", "independent_sources", "supporting",
            "contradicting", "rationale"} <= set(data["acts"][0])  # fmt: skip
    assert {"act_type", "standard", "acts_established", "victims", "facilities", "first",
            "last", "statement"} <= set(data["findings"][0])  # fmt: skip
    assert {e["element"] for e in data["elements"]} >= {"underlying_act"}


def test_bad_input_is_refused(case: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="standard"):
        assess(case, "t", standard="more_or_less")
    with pytest.raises(NotFoundError):
        explain_act(case, "no-such-act")
    with pytest.raises(InputError):
        judge_element(case, "t", "not_an_element", "yes", "x", "reasonable_grounds_to_believe")
    with pytest.raises(NotFoundError):
        add_source(case, "t", "FICTIONAL copy", kind="media", reliability="C", derived_from="?")
    with case.read() as conn:
        before = conn.execute(select(func.count()).select_from(schema.audit)).scalar_one()
    with pytest.raises(InputError):
        add_source(case, "t", "", kind="media", reliability="C")
    with case.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.audit)).scalar_one() == before
