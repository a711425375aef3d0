"""Shared fixtures: the published MSE datasets and the R reference results for them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

MSE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mse"
if not MSE_DIR.exists():  # the checkout may sit elsewhere; the shared data stay put
    MSE_DIR = Path("/work/shared/data/mse")
if not (MSE_DIR / "reference.json").exists() and os.environ.get("CI"):
    # Without the data the reference tests would quietly vanish from the run.
    raise RuntimeError(f"the published MSE datasets are missing at {MSE_DIR}; CI must run them")


def load_reference() -> dict:
    return json.loads((MSE_DIR / "reference.json").read_text())


def dataset_names() -> list[str]:
    if not (MSE_DIR / "reference.json").exists():
        return []
    return sorted(load_reference()["datasets"])


@pytest.fixture(scope="session")
def reference() -> dict:
    if not (MSE_DIR / "reference.json").exists():
        pytest.skip("the shared MSE reference data are not available")
    return load_reference()
