"""The Fellegi–Sunter model: comparisons and blocking rules, written once for both backends.

Comparisons are plain SQL over the columns ``prepare_records`` computes, so the same model
runs on DuckDB and on Spark; only the name of the Jaro–Winkler function differs between
them (Splink's dialect supplies it).
"""

from __future__ import annotations

from typing import Any

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.dialects import SplinkDialect

from credible.linkage.settings import LinkSettings

#: Levels of the two name-part comparisons, from strongest to weakest.
NAME_LEVELS = (
    "exact",
    "exact, other order",
    "same name key",
    "similar (JW ≥ 0.92)",
    "roughly similar (JW ≥ 0.80)",
)


def _name_part(part: str, other: str, key: str, other_key: str, jw: str, tf: bool) -> dict:
    """One part of the name (given, or father's/family), allowing for swapped order.

    Lists write the given name and the father's name either way round, so each part is
    also compared with the other part of the other record.
    """
    l_, r_ = f"{part}_l", f"{part}_r"
    lo, ro = f"{other}_l", f"{other}_r"
    best = (
        f"greatest(coalesce({jw}({l_}, {r_}), 0), coalesce({jw}({l_}, {ro}), 0),"
        f" coalesce({jw}({r_}, {lo}), 0))"
    )
    exact: dict[str, Any] = {"sql_condition": f"{l_} = {r_}", "label_for_charts": NAME_LEVELS[0]}
    if tf:
        exact["tf_adjustment_column"] = part
        exact["tf_adjustment_weight"] = 1.0
    return {
        "output_column_name": part,
        "comparison_description": f"name part {part}, either order",
        "comparison_levels": [
            {
                "sql_condition": f"{l_} IS NULL OR {r_} IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            exact,
            {"sql_condition": f"{l_} = {ro} OR {r_} = {lo}", "label_for_charts": NAME_LEVELS[1]},
            {
                "sql_condition": f"{key}_l = {key}_r OR {key}_l = {other_key}_r"
                f" OR {key}_r = {other_key}_l",
                "label_for_charts": NAME_LEVELS[2],
            },
            {"sql_condition": f"{best} >= 0.92", "label_for_charts": NAME_LEVELS[3]},
            {"sql_condition": f"{best} >= 0.80", "label_for_charts": NAME_LEVELS[4]},
            {"sql_condition": "ELSE", "label_for_charts": "different"},
        ],
    }


def _birth_date(lev: str) -> dict:
    same_y = "birth_year_l = birth_year_r"
    same_ym = f"{same_y} AND birth_month_l = birth_month_r"
    mid_gap = "abs((birth_ymin_l + birth_ymax_l) - (birth_ymin_r + birth_ymax_r))"
    return {
        "output_column_name": "birth_date",
        "comparison_description": "partial birth date: day, month, year or a range of years",
        "comparison_levels": [
            {
                "sql_condition": "birth_ymin_l IS NULL OR birth_ymin_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": f"{same_ym} AND birth_day_l = birth_day_r",
                "label_for_charts": "same date",
            },
            {"sql_condition": same_ym, "label_for_charts": "same year and month"},
            {
                "sql_condition": f"{lev}(birth_ymd_l, birth_ymd_r) <= 1",
                "label_for_charts": "full dates one digit apart",
            },
            {"sql_condition": same_y, "label_for_charts": "same year"},
            {
                "sql_condition": "birth_ymin_l <= birth_ymax_r AND birth_ymin_r <= birth_ymax_l",
                "label_for_charts": "year ranges overlap",
            },
            {"sql_condition": f"{mid_gap} <= 4", "label_for_charts": "within 2 years"},
            {"sql_condition": "ELSE", "label_for_charts": "different"},
        ],
    }


def _exact(col: str, description: str, tf: bool = False) -> dict:
    exact: dict[str, Any] = {"sql_condition": f"{col}_l = {col}_r", "label_for_charts": "same"}
    if tf:
        exact["tf_adjustment_column"] = col
        exact["tf_adjustment_weight"] = 1.0
    return {
        "output_column_name": col,
        "comparison_description": description,
        "comparison_levels": [
            {
                "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            exact,
            {"sql_condition": "ELSE", "label_for_charts": "different"},
        ],
    }


def _place(col: str, description: str, jw: str) -> dict:
    comparison = _exact(col, description, tf=True)
    comparison["comparison_levels"].insert(
        2,
        {"sql_condition": f"{jw}({col}_l, {col}_r) >= 0.88", "label_for_charts": "similar"},
    )
    return comparison


def comparisons(
    settings: LinkSettings, dialect: str, present: set[str] | None = None
) -> list[dict]:
    """The comparisons of the model in ``dialect`` ("duckdb" or "spark").

    With ``present`` (the columns that hold any value), comparisons of empty columns are
    left out: they carry no evidence and EM cannot estimate them.
    """
    jw = SplinkDialect.from_string(dialect).jaro_winkler_function_name
    tf = settings.term_frequency
    every = [
        _name_part("n1_rom", "n2_rom", "k1", "k2", jw, tf),
        _name_part("n2_rom", "n1_rom", "k2", "k1", jw, tf),
        _birth_date(SplinkDialect.from_string(dialect).levenshtein_function_name),
        _exact("sex", "recorded sex"),
        _place("birthplace_rom", "birthplace (county), romanised", jw),
        _place("residence_rom", "residence (county), romanised", jw),
        _exact("ethnicity_norm", "ethnicity as recorded"),
    ]
    if present is None:
        return every
    return [c for c in every if COMPARISON_COLUMNS[c["output_column_name"]] & present]


#: The column whose presence makes each comparison worth having.
COMPARISON_COLUMNS: dict[str, set[str]] = {
    "n1_rom": {"n1_rom"},
    "n2_rom": {"n2_rom"},
    "birth_date": {"birth_ymin"},
    "sex": {"sex"},
    "birthplace_rom": {"birthplace_rom"},
    "residence_rom": {"residence_rom"},
    "ethnicity_norm": {"ethnicity_norm"},
}

#: EM pass that blocks on both name keys in the written order. It mentions k1/k2, which
#: the name comparisons use, so Splink leaves their m values to the other pass instead of
#: estimating them from pairs selected for agreeing names.
NAME_KEY_TRAINING_RULE = "l.k1 = r.k1 AND l.k2 = r.k2"


def training_rules(settings: LinkSettings, present: set[str]) -> list[list[str] | str]:
    """The EM passes: the settings' own, or one on name keys and one on birth data."""
    if settings.training_rules is not None:
        return list(settings.training_rules)
    birth: tuple[str, ...] = ("birth_year", "sex")
    places: tuple[str, ...] = ("residence_rom", "birthplace_rom")
    second = [c for c in birth if c in present] or [c for c in places if c in present][:1]
    rules: list[list[str] | str] = [NAME_KEY_TRAINING_RULE]
    if second:
        rules.append(second)
    return rules


def rule(spec: list[str] | str) -> BlockingRuleCreator | str:
    """A blocking rule from a list of columns that must be equal, or from raw SQL."""
    if isinstance(spec, str):
        return spec
    return block_on(*spec)


def splink_settings(
    settings: LinkSettings, dialect: str, present: set[str] | None = None
) -> dict[str, Any]:
    """The Splink settings dictionary of an untrained model."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "comparisons": comparisons(settings, dialect, present),
        "blocking_rules_to_generate_predictions": [rule(r) for r in settings.blocking_rules],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["source", "source_row", "name_display"],
        "em_convergence": settings.em_convergence,
        "max_iterations": settings.em_max_iterations,
    }
