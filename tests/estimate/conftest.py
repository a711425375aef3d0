"""Shared fixtures: the published MSE datasets and the R reference results for them."""

from __future__ import annotations

import json

import pytest

from credible.config import shared_dataset

# Missing data fail the run at collection (ConfigError naming CREDIBLE_SHARED_DATA):
# skipped, the reference tests would quietly vanish from it.
MSE_DIR = shared_dataset("mse", "reference.json").parent


def load_reference() -> dict:
    return json.loads((MSE_DIR / "reference.json").read_text())


def dataset_names() -> list[str]:
    return sorted(load_reference()["datasets"])


@pytest.fixture(scope="session")
def reference() -> dict:
    return load_reference()
