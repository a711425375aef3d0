"""Redaction: the policy file is checked, dates and names are cut as it says, and the
public edition of an export leaves out what the public report leaves out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.report.conftest import DemoCase
from typer.testing import CliRunner

from credible.cli import app
from credible.errors import ConfigError, InputError
from credible.report import default_redaction_path, load_redaction, public_rows
from credible.report.redact import Scrubber, coarsen


def test_the_shipped_policy_loads_and_withholds_witnesses() -> None:
    policy = load_redaction(None)
    assert "witness" in policy.withhold_roles
    assert policy.date_level("acts", "date") == "month"
    assert load_redaction(default_redaction_path()).fingerprint() == policy.fingerprint()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: x\nversion: 1\nwithhold_roles: [victim]\n", "witness"),
        ("name: x\nversion: 1\nunknown_key: 1\n", "unknown_key"),
        ("name: x\nversion: 1\ndrop_fields: {runs: [actor]}\n", "runs"),
        ("name: x\nversion: 1\ndrop_fields: {acts: [no_such_column]}\n", "no_such_column"),
        ("name: x\nversion: 1\ndates: {acts.type: year}\n", "acts.type"),
        ("name: x\nversion: 1\ndates: {acts.date: week}\n", "dates"),
        ("name: &a x\nversion: 1\n", "alias"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_key(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_redaction(path)
    assert problem in str(err.value) + " ".join(str(p) for p in err.value.problems)


def test_dates_are_coarsened_never_made_finer() -> None:
    assert coarsen("2018-09-26", "2018-09-26", "2018-09-26", "month") == (
        "2018-09", "2018-09-01", "2018-09-30",
    )  # fmt: skip
    assert coarsen("2018-02-03", "2018-02-03", "2018-02-03", "year")[0] == "2018"
    assert coarsen("2019/2020", "2019-01-01", "2020-12-31", "month")[0] == "2019/2020"
    assert coarsen("2019-05", "2019-05-01", "2019-05-31", "day")[0] == "2019-05"


def test_names_are_replaced_in_text_but_not_inside_other_words() -> None:
    scrub = Scrubber({"testimony_archive": "confidential source 1", "Ali Tursun": "[withheld]"})
    assert scrub("diaspora_list:testimony_archive") == "diaspora_list:confidential source 1"
    assert scrub("told by Ali Tursun, twice") == "told by [withheld], twice"
    assert scrub("Ali Tursunova") == "Ali Tursunova"
    assert scrub("testimony_archive_2") == "testimony_archive_2"


def _export(case: DemoCase, table: str, fmt: str = "csv") -> str:
    result = CliRunner().invoke(
        app, ["--db", str(case.db), "export", table, "--edition", "public", "--format", fmt],
        env={"CREDIBLE_HOME": str(case.home)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_public_exports_leave_out_witnesses_contacts_and_confidential_names(
    demo_case: DemoCase,
) -> None:
    protected = [*demo_case.witness_names, *demo_case.contacts, *demo_case.confidential_sources]
    for table in ("person_records", "sources", "acts", "allegations", "assessments"):
        text = _export(demo_case, table)
        assert not [v for v in protected if v in text], table
    records = list(csv.DictReader(io.StringIO(_export(demo_case, "person_records"))))
    assert "contact" not in records[0] and "extra_sealed" not in records[0]
    assert all(r["role"] != "witness" for r in records)
    named = [r for r in records if not r["name"].startswith("P-")]
    parts = ("name", "given_name", "father_name", "family_name")
    assert [" ".join(r[k] for k in parts if r[k]) for r in named] == [demo_case.consenting_victim]
    assert all(len(r["birth_date"]) <= 9 for r in records if r["birth_date"])  # years
    sources = list(csv.DictReader(io.StringIO(_export(demo_case, "sources"))))
    assert sum(r["name"].startswith("confidential source") for r in sources) == len(
        demo_case.confidential_sources
    )


@pytest.mark.slow
def test_public_pseudonyms_are_stable_and_match_the_report(demo_case: DemoCase) -> None:
    policy = load_redaction(None)
    first = [r["name"] for r in public_rows(demo_case.store, "person_records", policy)[1]]
    again = [r["name"] for r in public_rows(demo_case.store, "person_records", policy)[1]]
    assert first == again and len(set(first)) == len(first)
    report = json.loads((demo_case.public / "report.json").read_text(encoding="utf-8"))
    shown = {k.split(":", 1)[1] for k in report["refs"] if k.startswith("person:P-")}
    assert shown and shown <= set(first)


@pytest.mark.slow
def test_a_table_without_a_public_edition_is_refused(demo_case: DemoCase) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(demo_case.db), "export", "audit", "--edition", "public"],
        env={"CREDIBLE_HOME": str(demo_case.home)},
    )  # fmt: skip
    assert isinstance(result.exception, ConfigError)
    assert "no public edition" in str(result.exception)


@pytest.mark.slow
def test_the_report_command_writes_the_three_files(demo_case: DemoCase, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = CliRunner().invoke(
        app,
        ["--db", str(demo_case.db), "report", "--out", str(out), "--edition", "public",
         "--title", "FICTIONAL test report", "--no-pdf"],
        env={"CREDIBLE_HOME": str(demo_case.home)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / "report.json").is_file()
    assert not (out / "report.pdf").exists()
    assert "FICTIONAL test report" in (out / "index.html").read_text(encoding="utf-8")
    bad = CliRunner().invoke(
        app, ["--db", str(demo_case.db), "report", "--out", str(out), "--edition", "press"],
        env={"CREDIBLE_HOME": str(demo_case.home)},
    )  # fmt: skip
    assert isinstance(bad.exception, ConfigError)


def test_identity_numbers_and_relatives_are_dropped_whatever_the_policy_says(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("name: x\nversion: 1\ndrop_fields: {person_records: [notes]}\n")
    dropped = load_redaction(path).dropped("person_records")
    assert {"id_number", "id_number_norm", "id_number_birth_date", "relatives"} <= dropped
    assert "id_number" in load_redaction(None).dropped("person_records")
