"""A small FICTIONAL demo store for the report's tests, with what the public edition must
protect added to it: witnesses with names and contact details, a confidential source of
theirs, a consenting victim, and an analyst's judgement whose words name a witness."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from credible.assess import assess, judge_element
from credible.config import Settings
from credible.demo import run_demo
from credible.ingest import import_file
from credible.report import build_report
from credible.store import Store, open_store, schema

WITNESSES = """external_id,name,role,phone,email
W1,FICTIONAL Zulpiye Qadirova,witness,+90 555 010 0001,zulpiye.fictional@example.org
W2,FICTIONAL Mehmet Ablimit Niyaz,witness,+31 20 555 0002,m.niyaz.fictional@example.org
W3,FICTIONAL 古丽娜尔·艾尔肯,witness,+49 30 5550003,gulnar.fictional@example.org
"""


@dataclass
class DemoCase:
    store: Store
    db: Path
    home: Path
    witness_names: list[str]
    contacts: list[str]
    confidential_sources: list[str]
    consenting_victim: str
    internal: Path
    public: Path


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCase]:
    root = tmp_path_factory.mktemp("report-demo")
    home = root / "home"
    saved = {k: os.environ.get(k) for k in ("CREDIBLE_HOME", "CREDIBLE_KEY_FILE", "CREDIBLE_DB")}
    os.environ["CREDIBLE_HOME"] = str(home)
    os.environ.pop("CREDIBLE_KEY_FILE", None)
    os.environ.pop("CREDIBLE_DB", None)
    try:
        run_demo(root / "demo", people=300, seed=5, report=False)
        db = root / "demo" / "credible.db"
        store = open_store(Settings.resolve(str(db), actor="tester"))
        yield _protect(store, db, home, root)
        store.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _protect(store: Store, db: Path, home: Path, root: Path) -> DemoCase:
    from credible.assess import add_source

    add_source(
        store,
        "tester",
        "FICTIONAL witness statements",
        kind="testimony",
        reliability="C",
        confidentiality="confidential",
    )
    path = root / "witnesses_FICTIONAL.csv"
    path.write_text(WITNESSES, encoding="utf-8")
    import_file(store, path, source="FICTIONAL witness statements", actor="tester")
    names = [line.split(",")[1] for line in WITNESSES.splitlines()[1:]]
    contacts = [v for line in WITNESSES.splitlines()[1:] for v in line.split(",")[3:5]]
    judge_element(
        store,
        "tester",
        "widespread_or_systematic_attack",
        "yes",
        f"{names[0]} and the testimony_archive describe the same pattern",
        "reasonable_grounds_to_believe",
    )
    run = assess(store, "tester")
    pr = schema.person_records
    est = run.acts[run.acts["standard_met"].notna() & run.acts["victim_record_id"].notna()]
    victim = int(est["victim_record_id"].iloc[0])
    with store.write("tester") as uow:
        uow.update(pr, victim, consent_to_publish="yes")
        name = uow.conn.execute(
            select(pr.c.name, pr.c.given_name, pr.c.father_name, pr.c.family_name).where(
                pr.c.id == victim
            )
        ).one()
    written = name[0] or " ".join(p for p in name[1:] if p)
    assess(store, "tester")  # the run the report renders: after the consent and judgement
    s = schema.sources
    with store.read() as conn:
        conf = [
            r[0]
            for r in conn.execute(select(s.c.name).where(s.c.confidentiality == "confidential"))
        ]
    internal = build_report(store, root / "internal", edition="internal").out
    public = build_report(store, root / "public", edition="public").out
    return DemoCase(store, db, home, names, contacts, conf, written, internal, public)
