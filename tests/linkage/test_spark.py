"""The same model gives the same Persons on DuckDB and on Spark (local mode, Java 17)."""

from __future__ import annotations

import shutil

import pytest

from credible.linkage import (
    LinkSettings,
    apply_model,
    evaluate,
    prepare_records,
    train_and_predict,
)

pytest.importorskip("pyspark")
pytestmark = pytest.mark.slow

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java (17)", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from credible.linkage.backends import local_spark_session

    session = local_spark_session(cores="2", memory="2g")
    yield session
    session.stop()


def test_duckdb_and_spark_give_the_same_clusters(spark):
    from tests.linkage.conftest import febrl_records

    records, truth = febrl_records(300)
    prepared = prepare_records(records)
    duck = train_and_predict(prepared, LinkSettings(threads=1, max_pairs=2e5))
    sparked = apply_model(duck.model, prepared, LinkSettings(backend="spark"), spark_session=spark)
    assert sparked.metadata["backend"] == "spark"
    merged = duck.pairs.merge(sparked.pairs, on=["record_id_l", "record_id_r"], how="outer")
    assert len(merged) == len(duck.pairs) == len(sparked.pairs)
    diff = (merged["match_probability_x"] - merged["match_probability_y"]).abs().max()
    assert diff < 1e-9
    a = duck.clusters.set_index("record_id")["cluster_id"].sort_index()
    b = sparked.clusters.set_index("record_id")["cluster_id"].sort_index()
    assert a.equals(b)
    # And the linkage is a real one, not an empty agreement.
    assert evaluate(sparked.clusters, truth).pairwise_f1 > 0.9
