"""Lists as rich as real ones: identity numbers written with real errors, villages,
households, relatives, repeated police records; --no-id-numbers keeps the old lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from credible.ingest import read_lists
from credible.model import check_id_number
from credible.simulate import simulate


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rich")
    simulate(4000, 5, seed=23, out=out)
    return out


def _joined(sim: Path) -> pd.DataFrame:
    records = read_lists(sim)
    truth = pd.read_csv(sim / "truth" / "records.csv", keep_default_na=False)
    people = pd.read_csv(sim / "truth" / "people.csv", dtype={"id_number": str})
    records["source_row"] = records["source_row"].astype(int)
    both = records.merge(truth, on=["source", "source_row"], validate="one_to_one")
    return both.merge(people, on="person_id", suffixes=("", "_true"))


def test_numbers_are_the_persons_own_and_every_error_is_what_the_truth_says(sim: Path) -> None:
    rows = _joined(sim)
    people = pd.read_csv(sim / "truth" / "people.csv", dtype={"id_number": str})
    assert people["id_number"].map(lambda v: check_id_number(v).valid).all()
    assert people["id_number"].is_unique
    for _, r in rows.iterrows():
        what = r["id_written"]
        if what == "absent":
            assert pd.isna(r["id_number"])
            continue
        result = check_id_number(r["id_number"])
        if what in ("", "full_width", "fifteen"):
            assert result.valid and result.normalised == r["id_number_true"], what
        else:  # substituted, swapped, no_check: caught
            assert not result.valid, what
    share = rows.groupby("source")["id_written"].apply(lambda s: (s != "absent").mean())
    assert share["police_spreadsheet"] > 0.95 and share["media_list"] < 0.15
    assert 0.4 < share["testimony_archive"] < 0.8


def test_police_records_repeat_one_to_six_times_and_other_lists_seldom(sim: Path) -> None:
    truth = pd.read_csv(sim / "truth" / "records.csv", keep_default_na=False)
    per_person = truth.groupby(["source", "person_id"]).size()
    police = per_person["police_spreadsheet"]
    assert police.max() <= 6 and (police >= 3).sum() > 0
    assert per_person.drop("police_spreadsheet").max() <= 2
    assert truth.groupby(["source", "person_id"])["repeat"].max().eq(per_person).all()


def test_siblings_share_father_and_village_and_relatives_are_named(sim: Path) -> None:
    people = pd.read_csv(sim / "truth" / "people.csv", keep_default_na=False)
    families = people[people.groupby("household")["person_id"].transform("size") > 1]
    assert len(families) > 100
    for column in ("father_name", "family_name", "township", "village", "county"):
        assert families.groupby("household")[column].nunique().max() == 1, column
    assert families.groupby("household")["given_name"].nunique().min() > 1
    rows = _joined(sim)
    police = rows[rows["source"] == "police_spreadsheet"]
    named = police["relatives_named"].str.len() > 0
    assert named.mean() > 0.5 and police.loc[named, "relatives"].notna().all()
    testimony = rows[rows["source"] == "testimony_archive"]
    # The testifier: one relative at most.
    assert testimony["relatives_named"].str.count(";").max() == 0


def test_the_name_inventory_is_several_hundred_names_zipf_weighted(sim: Path) -> None:
    people = pd.read_csv(sim / "truth" / "people.csv", keep_default_na=False)
    counts = people["given_name"].value_counts()
    assert len(counts) > 200
    assert counts.iloc[0] > 5 * counts.iloc[len(counts) // 2]


def test_without_id_numbers_the_lists_are_the_old_ones(tmp_path: Path) -> None:
    simulate(1500, 5, seed=23, out=tmp_path / "a", id_numbers=False)
    truth = pd.read_csv(tmp_path / "a" / "truth" / "records.csv")
    assert list(truth.columns) == ["source", "source_row", "person_id"]
    assert truth.groupby(["source", "person_id"]).size().max() <= 2
    records = read_lists(tmp_path / "a")
    for column in ("id_number", "village", "relatives", "township"):
        assert column not in records or records[column].isna().all()
