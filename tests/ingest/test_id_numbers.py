"""Resident identity numbers, township, village and relatives on import: the number is
kept as written, checked and normalised beside it; an invalid one is flagged on its row,
never a reason to refuse the file; what a valid one encodes is derived, never written
over what the source said."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from credible.ingest import import_file
from credible.model import generate_id_number, id_number_15, parse_relatives
from credible.store import Store, schema, verify

VALID = generate_id_number("653222", __import__("datetime").date(1984, 3, 9), 7, True)
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
BAD_CHECK = VALID[:17] + ("0" if VALID[17] != "0" else "1")
# FICTIONAL rows: one valid number, one written in full-width digits, one in the old
# 15-digit form, one with a wrong check digit, one missing.
LIST = (
    "姓名,性别,出生日期,身份证号,乡镇,村,家庭成员\n"
    f"FICTIONAL 吐尔逊·买买提,male,1984-03-10,{VALID},博斯坦乡,3村,买买提·艾力 (父亲)\n"
    f"FICTIONAL 吐尔逊·买买提,,,{FULL_WIDTH},,,\n"
    f"FICTIONAL 吐尔逊·买买提,male,,{id_number_15(VALID)},,,\n"
    f'FICTIONAL 艾力·买买提,male,1984,{BAD_CHECK},,,"阿依古丽 (妻子, {VALID})"\n'
    "FICTIONAL 阿依古丽·吐尔逊,female,1990,,,,\n"
)


def test_numbers_are_kept_checked_normalised_and_derived(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    result = import_file(store, path, source="FICTIONAL police", actor="t")
    assert result.rows == 5  # the invalid number refused nothing
    pr = schema.person_records
    with store.read() as conn:
        rows = conn.execute(select(pr).order_by(pr.c.id)).all()
        assert verify(conn, public_key=store.keys.public_key).ok
    first, wide, old, bad, none = rows
    assert first.id_number == VALID and first.id_number_norm == VALID
    assert first.id_number_problem is None
    # Derived beside what the source wrote: the list says 10 March, the number 9 March.
    assert first.birth_date == "1984-03-10" and first.id_number_birth_date == "1984-03-09"
    assert first.id_number_sex == "male" and first.id_number_region == "653222"
    assert first.township == "博斯坦乡" and first.village == "3村"
    assert [r.relation for r in parse_relatives(first.relatives)] == ["父亲"]
    assert wide.id_number == FULL_WIDTH and wide.id_number_norm == VALID
    assert wide.birth_date is None and wide.id_number_birth_date == "1984-03-09"
    assert old.id_number_norm == VALID and old.id_number_problem is None
    assert bad.id_number == BAD_CHECK and "check digit" in bad.id_number_problem
    assert bad.id_number_birth_date is None and bad.id_number_sex is None
    assert parse_relatives(bad.relatives)[0].id_number == VALID
    assert none.id_number is None and none.id_number_norm is None
    assert none.id_number_problem is None
