"""The one module that touches Splink's internals: comparisons rendered by Splink for each
backend, a stored model moved between backends, and a linker's parameters read and set."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credible.linkage import LinkSettings, prepare_records
from credible.linkage import splink_adapter as splink
from credible.linkage.backends import make_db_api
from credible.linkage.model import comparisons, every_comparison
from credible.linkage.train import MODEL_COLUMNS, _register

SETTINGS = LinkSettings(threads=1, exclusive=False)


def stored_model(dialect: str, settings: LinkSettings = SETTINGS) -> dict:
    """A model as ``save_model_to_json`` stores it, trained on ``dialect``."""
    rendered = [splink.comparison_dict(c, dialect) for c in comparisons(settings)]
    for comparison in rendered:
        for i, level in enumerate(comparison["comparison_levels"]):
            if not level.get("is_null_level"):
                level["u_probability"] = 0.5 / (i + 1)
    return {
        "sql_dialect": dialect,
        "link_type": "dedupe_only",
        "comparisons": rendered,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "l.x = r.x"}],
    }


def sql_of(model: dict) -> list[str]:
    return [
        level["sql_condition"]
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    ]


def test_splink_renders_each_backend_with_its_own_functions():
    duck = [splink.comparison_dict(c, "duckdb") for c in comparisons(SETTINGS)]
    spark = [splink.comparison_dict(c, "spark") for c in comparisons(SETTINGS)]
    duck_sql, spark_sql = (
        " ".join(sql_of({"comparisons": duck})),
        " ".join(sql_of({"comparisons": spark})),
    )
    assert "jaro_winkler_similarity(" in duck_sql and "list_has_any(" in duck_sql
    assert "jaro_winkler_similarity(" not in spark_sql and "list_has_any(" not in spark_sql
    assert "jaro_winkler(" in spark_sql and "arrays_overlap(" in spark_sql

    # Only the SQL differs: labels, null levels, starting m and TF are the same.
    def without_sql(comparison: dict) -> list[dict]:
        return [
            {k: v for k, v in lv.items() if k != "sql_condition"}
            for lv in comparison["comparison_levels"]
        ]

    for a, b in zip(duck, spark, strict=True):
        assert without_sql(a) == without_sql(b)


@pytest.mark.parametrize("part_level", [False, True])
@pytest.mark.parametrize(("source", "target"), [("duckdb", "spark"), ("spark", "duckdb")])
def test_a_stored_model_moves_to_another_backend_with_its_trained_values(
    source, target, part_level
):
    settings = SETTINGS.model_copy(update={"name_part_level": part_level})
    model = stored_model(source, settings)
    ported = splink.port_model(model, target, every_comparison(), ["l.k = r.k"])
    assert sql_of(ported) == sql_of(stored_model(target, settings))
    assert "sql_dialect" not in ported
    assert ported["blocking_rules_to_generate_predictions"] == ["l.k = r.k"]
    for old, new in zip(model["comparisons"], ported["comparisons"], strict=True):
        for a, b in zip(old["comparison_levels"], new["comparison_levels"], strict=True):
            assert a.get("u_probability") == b.get("u_probability")
            assert a.get("m_probability") == b.get("m_probability")
    assert sql_of(model) == sql_of(stored_model(source, settings))  # not edited


def test_a_model_written_otherwise_is_refused_not_rewritten():
    model = stored_model("duckdb")
    # As a model stored by a version whose name comparison read one more threshold.
    level = model["comparisons"][0]["comparison_levels"][3]
    level["sql_condition"] = level["sql_condition"].replace(">= 0.9", ">= 0.85")
    with pytest.raises(splink.PortError, match="'name'"):
        splink.port_model(model, "spark", every_comparison(), [])
    # On its own backend it runs as stored.
    same = splink.port_model(model, "duckdb", every_comparison(), [])
    assert sql_of(same) == sql_of(model)


def test_an_unknown_comparison_is_refused():
    model = stored_model("duckdb")
    model["comparisons"][0]["output_column_name"] = "nickname"
    with pytest.raises(splink.PortError, match="nickname"):
        splink.port_model(model, "spark", every_comparison(), [])


@pytest.fixture
def linker(febrl_small):
    records, _ = febrl_small
    prepared = prepare_records(records.head(300))
    present = {c for c in MODEL_COLUMNS if prepared[c].notna().any()}
    db_api = make_db_api(SETTINGS)
    linker, table = _register(db_api, prepared, SETTINGS, present, None)
    return linker, db_api, table


def test_parameters_are_read_and_set_through_the_adapter(linker):
    linker, _, _ = linker
    before = {c.name: c for c in splink.parameters(linker)}
    name = before["name"]
    assert name.labels[0] == "nothing in common" and len(name.labels) == len(name.m)
    assert name.term_frequency and not before["birth_date"].term_frequency
    assert name.gammas == tuple(range(len(name.labels) - 1, -1, -1))

    m = np.linspace(1, 2, len(name.m))
    m /= m.sum()
    splink.set_m(linker, {"name": m})
    where_u = [0.3, None, *before["where"].u[2:].tolist()]
    splink.set_u(linker, {"where": where_u})
    after = {c.name: c for c in splink.parameters(linker)}
    assert after["name"].m.tolist() == m.tolist()
    assert after["where"].u.tolist() == [0.3, before["where"].u[1], *where_u[2:]]
    weights = splink.level_weights(linker)["name"]
    assert weights.tolist() == [math.log2(a / b) for a, b in zip(m, name.u, strict=True)]

    state = splink.save_state(linker)
    splink.set_prior(linker, 0.25)
    assert splink.prior(linker) == 0.25
    splink.restore_state(linker, state)
    assert splink.prior(linker) != 0.25
    assert sorted(splink.term_frequency_columns(linker)) == ["name_key", "name_ordered"]


def test_weights_made_distinct_decode_every_level(linker):
    linker, _, _ = linker
    # Levels of the same weight: a scored pair's level could not be read back.
    birth = {c.name: c for c in splink.parameters(linker)}["birth_date"]
    splink.set_m(linker, {"birth_date": birth.u.tolist()})  # m = u: every weight 0, as null
    assert set(splink.level_weights(linker)["birth_date"].tolist()) == {0.0}
    splink.make_weights_distinct(linker, 1e-6)
    weights = splink.level_weights(linker)["birth_date"].tolist()
    assert len({0.0, *weights}) == len(weights) + 1


def test_predictions_keep_level_weights_only_inside_the_block(linker):
    linker, _, _ = linker
    with splink.level_weights_kept(linker):
        kept = linker.inference.predict(threshold_match_probability=0.5)
    plain = linker.inference.predict(threshold_match_probability=0.5)
    assert "mw_name" in kept.as_pandas_dataframe(limit=1).columns
    assert "mw_name" not in plain.as_pandas_dataframe(limit=1).columns


def test_a_registered_table_is_dropped_and_reading_it_then_is_a_backend_error(linker):
    _, db_api, table = linker
    assert len(splink.read_table(table)) == 300
    # Splink's own drop refuses a table it did not create; the old code swallowed that
    # refusal, so the records of every run stayed in the database.
    with pytest.raises(ValueError, match="not a table created by Splink"):
        table.drop_table_from_database_and_remove_from_cache()
    splink.drop_table(table)
    with pytest.raises(splink.BackendError):
        splink.read_table(table)
    assert isinstance(db_api.register(pd.DataFrame({"a": [1]})), type(table))


def test_a_term_frequency_table_the_backend_cannot_make_is_a_backend_error(febrl_small):
    records, _ = febrl_small
    prepared = prepare_records(records.head(50))
    present = {c for c in MODEL_COLUMNS if prepared[c].notna().any()}
    linker, table = _register(make_db_api(SETTINGS), prepared, SETTINGS, present, None)
    splink.drop_table(table)  # what Splink would count the frequencies on is gone
    with pytest.raises(splink.BackendError):
        splink.term_frequency_table(linker, "name_ordered")


#: Private attributes of Splink's objects that credible uses, all through the adapter.
SPLINK_PRIVATE = (
    "_settings_obj",
    "_db_api",
    "_log2_bayes_factor",
    "_case_statement",
    "_gamma_column_name",
    "_has_tf_adjustments",
    "_probability_two_random_records_match",
    "_core_model_settings_history",
    "_term_frequency_columns",
    "_input_columns_used_by_case_statement",
)


def test_only_the_adapter_reaches_into_splinks_objects():
    # The architecture test checks the imports; this checks the private attributes.
    package = Path(splink.__file__).parent
    users = sorted(
        (p.name, name)
        for p in package.glob("*.py")
        if p.name != "splink_adapter.py"
        for name in SPLINK_PRIVATE
        if re.search(rf"\.{name}\b", p.read_text(encoding="utf-8"))
    )
    assert users == []
