"""Cross-script person search on real stores (SQLite file and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from credible.errors import InputError
from credible.ingest import import_file
from credible.search import (
    SearchFilters,
    check_name_index,
    rebuild_name_index,
    refresh_name_index,
    search_people,
)
from credible.store import Store, check_index, reindex, schema

# FICTIONAL people, each written in several scripts by different lists.
LIST_A = (
    "fictional,given_name,father_name,sex,facility,detained\n"
    "FICTIONAL,Tursun,Ehmet,male,F-0001,2018-03\n"
    "FICTIONAL,Gülnar,Memet,female,Kashgar Detention Centre No. 1,2017\n"
    "FICTIONAL,Memet,Tohti,male,,2019-11-02\n"
    "FICTIONAL,Abdurehim,Heyit,male,F-0002,\n"
)
LIST_B = (
    "fictional,name,sex,facility,detained\n"
    "FICTIONAL,تۇرسۇن ئەھمەت,male,,2018\n"
    "FICTIONAL,吐尔逊·艾合买提,male,喀什地区第一看守所,2018-03-05\n"
    "FICTIONAL,Гүлнар Мәмәт,female,,\n"
    "FICTIONAL,阿不都热依木·艾依提,male,,2016\n"
)
FACILITIES = (
    "fictional,external_id,name,name_zh\n"
    "FICTIONAL,F-0001,Kashgar Detention Centre No. 1,喀什地区第一看守所\n"
    "FICTIONAL,F-0002,Hotan Prison,和田监狱\n"
)


def _import(store: Store, tmp_path: Path, name: str, text: str, source: str, kind=None) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_file(store, path, source=source, actor="tester", kind=kind)


@pytest.fixture
def people(store: Store, tmp_path: Path) -> Store:
    _import(store, tmp_path, "fac.csv", FACILITIES, "FICTIONAL survey", kind="facility")
    _import(store, tmp_path, "a.csv", LIST_A, "FICTIONAL archive")
    _import(store, tmp_path, "b.csv", LIST_B, "FICTIONAL diaspora")
    return store


def _names(hits: list) -> set[str]:
    return {h.name for h in hits}


TURSUN = {"Tursun Ehmet", "تۇرسۇن ئەھمەت", "吐尔逊·艾合买提"}


@pytest.mark.parametrize("query", ["Tursun", "Турсун", "تۇرسۇن", "吐尔逊", "tursun"])
def test_a_name_in_any_script_finds_it_in_every_script(people: Store, query: str) -> None:
    assert _names(search_people(people, query)) == TURSUN


def test_two_parts_in_either_order(people: Store) -> None:
    assert _names(search_people(people, "Ehmet Tursun")) == TURSUN
    assert _names(search_people(people, "Gülnar Memet")) == {"Gülnar Memet", "Гүлнар Мәмәт"}


def test_hits_carry_the_record(people: Store) -> None:
    (hit,) = search_people(people, "吐尔逊", SearchFilters(source="FICTIONAL diaspora"), limit=1)
    assert hit.source == "FICTIONAL diaspora"
    assert hit.script in ("han", "uyghur_arabic")
    assert hit.person_id is None  # no link run yet
    assert 0.75 <= hit.score <= 1.0
    best = search_people(people, "Tursun Ehmet")[0]
    assert best.romanised.lower().startswith("tursun") and best.score == 1.0


def test_filters(people: Store) -> None:
    by_source = search_people(people, "Tursun", SearchFilters(source="FICTIONAL archive"))
    assert _names(by_source) == {"Tursun Ehmet"}
    # the facility as written, and through the facilities table (its id, its other names)
    for facility in ("F-0001", "Kashgar Detention Centre No. 1", "喀什地区第一看守所"):
        hits = search_people(people, "Tursun", SearchFilters(facility=facility))
        assert _names(hits) == {"Tursun Ehmet", "吐尔逊·艾合买提"}, facility
    dated = search_people(people, "Tursun", SearchFilters(date_from="2018-03", date_to="2018-03"))
    # 2018 (a year) may hold March 2018; a record with no date is left out
    assert _names(dated) == TURSUN
    assert _names(search_people(people, "Tursun", SearchFilters(date_from="2018-04"))) == {
        "تۇرسۇن ئەھمەت"
    }
    assert search_people(people, "Tursun", SearchFilters(date_to="2017-12-31")) == []


def test_confidential_sources_left_out(people: Store) -> None:
    with people.read() as conn:
        from sqlalchemy import select

        sid = conn.execute(
            select(schema.sources.c.id).where(schema.sources.c.name == "FICTIONAL diaspora")
        ).scalar_one()
    with people.write("tester") as uow:
        uow.update(schema.sources, sid, confidentiality="confidential")
    hits = search_people(people, "Tursun", SearchFilters(exclude_confidential=True))
    assert _names(hits) == {"Tursun Ehmet"}
    assert len(search_people(people, "Tursun")) == 3


@pytest.mark.parametrize(
    ("field", "value"), [("date_from", "2018-13"), ("date_to", "March 2018"), ("date_from", "18")]
)
def test_a_bad_date_is_named(people: Store, field: str, value: str) -> None:
    with pytest.raises(InputError, match=field):
        search_people(people, "Tursun", SearchFilters(**{field: value}))


def test_limits_and_empty_queries(people: Store) -> None:
    assert search_people(people, "   ") == []
    assert search_people(people, "·-*") == []
    assert len(search_people(people, "Tursun", limit=1)) == 1
    with pytest.raises(InputError, match="limit"):
        search_people(people, "Tursun", limit=0)


def test_the_key_index_is_rebuilt_after_a_reindex(people: Store) -> None:
    reindex(people, "tester")  # drops every document, the name keys among them
    assert _names(search_people(people, "Турсун")) == TURSUN  # the search puts it right
    assert check_name_index(people) == []
    assert refresh_name_index(people) == 0
    assert rebuild_name_index(people) == 8


def test_an_index_written_under_other_name_rules_is_written_again(people: Store) -> None:
    from credible.search import keys

    assert refresh_name_index(people) == 0
    # As an older credible leaves it: the watermark without today's rules, and the
    # tokens the old rules wrote (here: none for the Chinese record's parts).
    hits = search_people(people, "吐尔逊", SearchFilters(source="FICTIONAL diaspora"))
    (hit,) = [h for h in hits if h.name == "吐尔逊·艾合买提"]
    parts = schema.search_name_parts
    with people.engine.begin() as conn:
        conn.execute(parts.delete().where(parts.c.record_id == hit.record_id))
        people.search.remove(conn, "person_name", 0)
        people.search.insert_documents(conn, [("person_name", 0, "8:0ld", keys.WATERMARK)])
    assert refresh_name_index(people) == 8  # every record, not only the missing one
    assert check_name_index(people) == []
    assert refresh_name_index(people) == 0
    assert "吐尔逊·艾合买提" in _names(search_people(people, "Tursun"))


def test_keys_removed_behind_the_stores_back_are_found(people: Store) -> None:
    assert check_name_index(people) == []
    (hit,) = search_people(people, "吐尔逊", SearchFilters(source="FICTIONAL archive"))
    with people.engine.begin() as conn:  # as someone with the database, not the store
        people.search.remove(conn, "person_name", hit.record_id)
    assert check_name_index(people) == [hit.record_id]
    # the full index check holds name keys to rows: one with no row behind it is named
    with people.engine.begin() as conn:
        people.search.insert_documents(conn, [("person_name", 999, "", "k00")])
    with people.read() as conn:
        assert ("person_name", 999) in check_index(conn, people.search).unexpected


def test_a_changed_name_is_searched_as_it_now_is(people: Store) -> None:
    hit = search_people(people, "Abdurehim", SearchFilters(source="FICTIONAL archive"))[0]
    with people.write("tester") as uow:
        uow.update(schema.person_records, hit.record_id, given_name="Qurban")
    assert _names(search_people(people, "Abdurehim")) == {"阿不都热依木·艾依提"}
    assert _names(search_people(people, "库尔班")) == {"Qurban Heyit"}


def test_altered_name_parts_and_form_keys_are_found(people: Store) -> None:
    (hit,) = search_people(people, "吐尔逊", SearchFilters(source="FICTIONAL archive"))
    parts, keys = schema.search_name_parts, schema.search_name_keys
    with people.engine.begin() as conn:  # as someone with the database, not the store
        conn.execute(parts.delete().where(parts.c.record_id == hit.record_id))
    assert check_name_index(people) == [hit.record_id]
    # the search no longer finds it: the parts are what it reads
    assert hit.record_id not in {h.record_id for h in search_people(people, "Tursun")}
    rebuild_name_index(people)
    assert check_name_index(people) == []
    with people.engine.begin() as conn:  # a form's keys dropped hides every record writing it
        conn.execute(keys.delete().where(keys.c.form == "Tursun"))
    assert hit.record_id in check_name_index(people)
    reindex(people, "tester")
    refresh_name_index(people)
    assert check_name_index(people) == []
    assert _names(search_people(people, "Турсун")) == TURSUN


def test_a_deleted_record_leaves_no_parts(people: Store) -> None:
    hit = search_people(people, "Abdurehim", SearchFilters(source="FICTIONAL archive"))[0]
    with people.write("tester") as uow:
        uow.delete(schema.person_records, hit.record_id)
    parts = schema.search_name_parts
    with people.read() as conn:
        left = conn.execute(parts.select().where(parts.c.record_id == hit.record_id)).all()
    assert left == []
    assert _names(search_people(people, "Abdurehim")) == {"阿不都热依木·艾依提"}


def test_a_part_in_chinese_characters_is_one_name_in_a_separated_name(
    store: Store, tmp_path: Path
) -> None:
    # Alone, 艾里 reads as family name Ai and given name Li; in 艾里·库儿班 it is Eli.
    text = "fictional,name\nFICTIONAL,艾里·库儿班\nFICTIONAL,李海\nFICTIONAL,Eli Qurban\n"
    _import(store, tmp_path, "c.csv", text, "FICTIONAL list")
    assert "艾里·库儿班" not in _names(search_people(store, "Li"))
    assert {"艾里·库儿班", "Eli Qurban"} <= _names(search_people(store, "Eli"))


def test_names_that_keep_two_consonants_in_chinese_characters_meet(
    store: Store, tmp_path: Path
) -> None:
    # 凯拉特 keeps only L and T of Qayrat, and shares no longer key with it
    text = (
        "fictional,name\nFICTIONAL,凯拉特·赛力克\nFICTIONAL,Qayrat Sérik\n"
        "FICTIONAL,Qanat Marat\nFICTIONAL,哈那提·马拉提\n"
    )
    _import(store, tmp_path, "c.csv", text, "FICTIONAL list")
    assert _names(search_people(store, "Qayrat")) == {"凯拉特·赛力克", "Qayrat Sérik"}
    assert _names(search_people(store, "凯拉特")) == {"凯拉特·赛力克", "Qayrat Sérik"}
    assert _names(search_people(store, "Qanat")) == {"Qanat Marat", "哈那提·马拉提"}


def test_characters_find_the_name_they_read_as_though_skeletons_differ(
    store: Store, tmp_path: Path
) -> None:
    # 赛力克 reads Selk, the slip Серк of the name Серік; Серік's skeleton (SRK) compares
    # poorly with the characters' (SL), but they ask for Серік, and find it
    rows = ["FICTIONAL,Серік Болат"] * 40 + ["FICTIONAL,Серк Болат", "FICTIONAL,赛力克·波拉提"]
    _import(store, tmp_path, "c.csv", "fictional,name\n" + "\n".join(rows) + "\n", "FICTIONAL")
    assert _names(search_people(store, "赛力克")) == {"Серік Болат", "Серк Болат", "赛力克·波拉提"}


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_repeated_search_is_kept_until_the_record_changes(people: Store, tmp_path: Path) -> None:
    first = search_people(people, "Турсун")
    seen = _statements(people)
    assert search_people(people, "Турсун") == first
    # kept: only the audit table's last entry was read
    assert [s for s in seen if "SELECT" in s] == [s for s in seen if "FROM audit" in s] != []
    # a review decision does not change what a search finds: still kept
    lo, hi = sorted(h.record_id for h in first)[:2]
    from credible.store.runs import add_judgement

    with people.write("reviewer") as uow:
        add_judgement(uow, lo, hi, "positive", "FICTIONAL note")
    seen.clear()
    assert search_people(people, "Турсун") == first
    assert [s for s in seen if "SELECT" in s] == [s for s in seen if "FROM audit" in s]
    # a new record with the name is found at once, and a changed source's mark too
    _import(people, tmp_path, "c.csv", "fictional,name\nFICTIONAL,Tursun Qadir\n", "FICTIONAL c")
    assert _names(search_people(people, "Турсун")) == TURSUN | {"Tursun Qadir"}
    with people.read() as conn:
        from sqlalchemy import select

        sid = conn.execute(
            select(schema.sources.c.id).where(schema.sources.c.name == "FICTIONAL c")
        ).scalar_one()
    keep_out = SearchFilters(exclude_confidential=True)
    assert "Tursun Qadir" in _names(search_people(people, "Турсун", keep_out))
    with people.write("tester") as uow:
        uow.update(schema.sources, sid, confidentiality="confidential")
    assert _names(search_people(people, "Турсун", keep_out)) == TURSUN
