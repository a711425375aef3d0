"""Every contact with Splink's internals, in one module.

Splink's public API builds, trains and applies a model; what credible does beyond it
(its own u sampling, m floors and caps, the list-aware model, a prior set by EM on the
blocked pairs, a stored model moved to another backend) needs Splink's settings object,
its comparison levels and their SQL. All of that is reached through the functions here,
so that a new Splink release is checked in one place. Tested with the range of Splink
pinned in ``pyproject.toml``.

Comparisons are written once, as ``ComparisonSpec``: levels built from a dialect's SQL
function names (``SqlFunctions``). ``splink_comparison`` hands a spec to Splink as one of
its own dialect-aware comparison creators, so Splink renders it for whichever backend
the linker runs on; ``port_model`` rebuilds a stored model's SQL for another backend
from the same specs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import Linker
from splink.comparison_library import CustomComparison
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect
from splink.internals.em_training_session import EMTrainingSession
from splink.internals.exceptions import SplinkException
from splink.internals.splink_dataframe import SplinkDataFrame

#: A blocking rule as Splink takes it: a rule creator (``block_on``) or raw SQL.
BlockingRule = BlockingRuleCreator | str

#: What an EM pass raises when Splink cannot run it (no pairs, a level no pair reaches,
#: an m driven to zero).
TRAINING_ERRORS: tuple[type[Exception], ...] = (ValueError, SplinkException)

#: The function that says whether two arrays share an element, by backend (Splink's
#: dialects do not name it).
ARRAYS_OVERLAP = {"duckdb": "list_has_any", "spark": "arrays_overlap"}


def _backend_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [SplinkException, duckdb.Error]
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
    except ImportError:
        pass
    else:
        errors += [PySparkException, Py4JError]
    return tuple(errors)


class BackendError(RuntimeError):
    """The database under Splink failed to read or compute a table."""


class PortError(ValueError):
    """A stored model cannot be moved to another backend."""


# ---- comparisons ------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlFunctions:
    """The names of the SQL functions comparisons call, in one backend's dialect."""

    dialect: str
    jaro_winkler: str
    levenshtein: str
    arrays_overlap: str


def sql_functions(dialect: str) -> SqlFunctions:
    """The function names of ``dialect`` ("duckdb" or "spark"), from Splink's dialects."""
    splink_dialect = SplinkDialect.from_string(dialect)
    return SqlFunctions(
        dialect=dialect,
        jaro_winkler=splink_dialect.jaro_winkler_function_name,
        levenshtein=splink_dialect.levenshtein_function_name,
        arrays_overlap=ARRAYS_OVERLAP[dialect],
    )


@dataclass(frozen=True)
class Level:
    """One comparison level: its label, its SQL condition (or ``ELSE``), whether it is
    the null level, its starting m and the column whose term frequency adjusts it."""

    label: str
    sql: str
    null: bool = False
    m: float | None = None
    tf_column: str | None = None


@dataclass(frozen=True)
class ComparisonSpec:
    """A comparison written once for every backend: its levels, strongest first after
    the null level, from the SQL function names of a dialect."""

    name: str
    description: str
    levels: Callable[[SqlFunctions], list[Level]]


class _DialectLevel(ComparisonLevelCreator):
    """A ``ComparisonSpec`` level as a Splink level creator: Splink asks it for its SQL in
    the dialect the linker runs on."""

    def __init__(self, spec: ComparisonSpec, index: int, level: Level) -> None:
        self._spec = spec
        self._index = index
        self._label = level.label
        config: dict[str, Any] = {}
        if level.null:
            config["is_null_level"] = True
        if level.m is not None:
            config["m_probability"] = level.m
        if level.tf_column is not None:
            # The adjustment replaces the level's own u (that of all its pairs) by the
            # frequency of the pair's value; telling Splink it is the level's own spares
            # it parsing every level's SQL for an exact match on every EM iteration.
            config.update(
                tf_adjustment_column=level.tf_column,
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            )
        self.configure(**config)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        return self._spec.levels(sql_functions(sql_dialect.sql_dialect_str))[self._index].sql

    def create_label_for_charts(self) -> str:
        return self._label


def splink_comparison(spec: ComparisonSpec) -> ComparisonCreator:
    """``spec`` as a Splink comparison creator, rendered by Splink for the linker's
    backend. Labels and settings do not depend on the dialect; they are read from the
    DuckDB rendering."""
    levels = spec.levels(sql_functions("duckdb"))
    return CustomComparison(
        comparison_levels=[_DialectLevel(spec, i, lv) for i, lv in enumerate(levels)],
        output_column_name=spec.name,
        comparison_description=spec.description,
    )


def comparison_dict(spec: ComparisonSpec, dialect: str) -> dict[str, Any]:
    """The settings dictionary of one comparison as Splink renders it for ``dialect``."""
    return splink_comparison(spec).create_comparison_dict(dialect)


def port_model(
    model: Mapping[str, Any],
    dialect: str,
    specs: Sequence[ComparisonSpec],
    blocking_rules: list[BlockingRule],
) -> dict[str, Any]:
    """A stored Splink model (``save_model_to_json``) made ready for a linker on ``dialect``.

    Its trained values are kept. When it was trained on another backend, each level's SQL
    is rebuilt from its ``ComparisonSpec`` in the new dialect, after checking that the
    spec gives, in the model's own dialect, exactly the SQL the model holds; a model whose
    comparisons were written otherwise (by another version of credible) raises
    ``PortError``. Blocking rules carry the run's identifier quoting and are not trained,
    so they are replaced by ``blocking_rules``.
    """
    spec = copy.deepcopy(dict(model))
    source = str(spec.pop("sql_dialect", dialect))
    if source != dialect:
        by_name: dict[str, list[ComparisonSpec]] = {}
        for candidate in specs:
            by_name.setdefault(candidate.name, []).append(candidate)
        for comparison in spec["comparisons"]:
            name = comparison["output_column_name"]
            if name not in by_name:
                raise PortError(f"the stored model's comparison {name!r} is not one of credible's")
            stored = comparison["comparison_levels"]
            # A comparison can be written more than one way (settings add a level): the
            # spec that wrote the model is the one whose SQL it holds.
            wanted = None
            for candidate in by_name[name]:
                written = candidate.levels(sql_functions(source))
                if len(stored) == len(written) and all(
                    lv["sql_condition"] == w.sql and lv.get("label_for_charts") == w.label
                    for lv, w in zip(stored, written, strict=False)
                ):
                    wanted = candidate.levels(sql_functions(dialect))
                    break
            if wanted is None:
                raise PortError(
                    f"the stored model's comparison {name!r} was written otherwise than "
                    f"this version of credible writes it; it runs on {source} only"
                )
            for lv, w in zip(stored, wanted, strict=True):
                lv["sql_condition"] = w.sql
    spec["blocking_rules_to_generate_predictions"] = blocking_rules
    return spec


# ---- a linker's parameters --------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonParameters:
    """One comparison of a linker's model: its non-null levels in Splink's order
    (strongest first) with their m, u and comparison vector value (the ``gamma_``
    column's value at that level)."""

    name: str
    labels: tuple[str, ...]
    m: np.ndarray
    u: np.ndarray
    gammas: tuple[int, ...]
    term_frequency: bool
    gamma_column: str


def _comparisons(linker: Linker) -> list[Any]:
    return list(linker._settings_obj.comparisons)


def _levels(comparison: Any) -> list[Any]:
    return [lv for lv in comparison.comparison_levels if not lv.is_null_level]


def parameters(linker: Linker) -> list[ComparisonParameters]:
    """The model's comparisons as it has them now."""
    out = []
    for comparison in _comparisons(linker):
        levels = _levels(comparison)
        out.append(
            ComparisonParameters(
                name=comparison.output_column_name,
                labels=tuple(lv.label_for_charts for lv in levels),
                m=np.array([float(lv.m_probability) for lv in levels]),
                u=np.array([float(lv.u_probability) for lv in levels]),
                gammas=tuple(lv.comparison_vector_value for lv in levels),
                term_frequency=bool(comparison._has_tf_adjustments),
                gamma_column=comparison._gamma_column_name,
            )
        )
    return out


def level_weights(linker: Linker) -> dict[str, np.ndarray]:
    """Each comparison's level weights log2(m/u), strongest first, as Splink computes
    them for its SQL (and so as they come back in a prediction's ``mw_`` columns)."""
    return {
        c.output_column_name: np.array([lv._log2_bayes_factor for lv in _levels(c)])
        for c in _comparisons(linker)
    }


def set_m(linker: Linker, m: Mapping[str, Sequence[float] | np.ndarray]) -> None:
    """Set the m of every non-null level of the comparisons named in ``m``."""
    for comparison in _comparisons(linker):
        values = m.get(comparison.output_column_name)
        if values is None:
            continue
        for lv, value in zip(_levels(comparison), values, strict=True):
            lv.m_probability = float(value)


def set_u(linker: Linker, u: Mapping[str, Sequence[float | None]]) -> None:
    """Set the u of the non-null levels of the comparisons named in ``u``; a level
    given ``None`` keeps its u."""
    for comparison in _comparisons(linker):
        values = u.get(comparison.output_column_name)
        if values is None:
            continue
        for lv, value in zip(_levels(comparison), values, strict=True):
            if value is not None:
                lv.u_probability = value


def make_weights_distinct(linker: Linker, nudge: float) -> None:
    """Nudge m (by ``nudge`` relatively, as often as needed) until no two levels of a
    comparison, nor a level and the null level (weight 0), share a weight as Splink
    computes it, so that a level can be read back from a scored pair's weight."""
    for comparison in _comparisons(linker):
        taken = [0.0]
        for lv in _levels(comparison):
            m = float(lv.m_probability)
            while any(abs(lv._log2_bayes_factor - w) < 1e-9 for w in taken):
                m *= 1 + nudge
                lv.m_probability = m
            taken.append(lv._log2_bayes_factor)


def prior(linker: Linker) -> float:
    """The probability that two random records match."""
    return float(linker._settings_obj._probability_two_random_records_match)


def set_prior(linker: Linker, value: float) -> None:
    linker._settings_obj._probability_two_random_records_match = value


def term_frequency_columns(linker: Linker) -> list[str]:
    """The input columns whose term frequencies adjust some level."""
    return [col.unquote().name for col in linker._settings_obj._term_frequency_columns]


@dataclass(frozen=True)
class CaseStatement:
    """A comparison as one SQL ``CASE`` giving its ``gamma_`` column."""

    name: str
    gamma_column: str
    sql: str


def case_statements(linker: Linker) -> list[CaseStatement]:
    return [
        CaseStatement(c.output_column_name, c._gamma_column_name, c._case_statement)
        for c in _comparisons(linker)
    ]


def compared_columns(linker: Linker) -> list[str]:
    """The input columns the comparisons read, sorted."""
    return sorted(
        {
            col.input_name
            for c in _comparisons(linker)
            for col in c._input_columns_used_by_case_statement
        }
    )


@dataclass(frozen=True)
class ModelState:
    """A copy of a linker's model, to put back after a failed training pass."""

    settings: Any


def save_state(linker: Linker) -> ModelState:
    return ModelState(copy.deepcopy(linker._settings_obj))


def restore_state(linker: Linker, state: ModelState) -> None:
    """Put the model back as it was: a pass that fails part way leaves Splink's training
    copy of the settings in place, without the comparisons the pass blocked on."""
    linker._settings_obj = state.settings


@contextmanager
def level_weights_kept(linker: Linker) -> Iterator[None]:
    """Predictions made inside keep each comparison's weight (``mw_<name>``) and term
    frequency adjustment (``mw_tf_adj_<name>``), from which levels are read back."""
    settings = linker._settings_obj
    settings._retain_intermediate_calculation_columns = True
    try:
        yield
    finally:
        settings._retain_intermediate_calculation_columns = False


def em_iterations(session: EMTrainingSession) -> int:
    """The iterations an EM pass ran."""
    history = getattr(session, "_core_model_settings_history", None) or [None]
    return len(history) - 1


# ---- backends and tables ----------------------------------------------------------------


def dialect_of(db_api: Any) -> str:
    """ "duckdb" or "spark": the SQL dialect of a Splink database API."""
    return str(db_api.sql_dialect.sql_dialect_str)


def db_api_of(linker: Linker) -> Any:
    return linker._db_api


def read_table(table: SplinkDataFrame) -> pd.DataFrame:
    """A backend table as pandas; ``BackendError`` when the backend cannot read it."""
    try:
        return table.as_pandas_dataframe()
    except _backend_errors() as err:
        raise BackendError(str(err).splitlines()[0] if str(err) else type(err).__name__) from err


def term_frequency_table(linker: Linker, column: str) -> pd.DataFrame:
    """The term-frequency table the linker uses for ``column`` (registered or counted);
    ``BackendError`` when the backend cannot produce it."""
    try:
        table = linker.table_management.compute_tf_table(column)
    except _backend_errors() as err:
        raise BackendError(str(err).splitlines()[0] if str(err) else type(err).__name__) from err
    return read_table(table)


def drop_table(table: SplinkDataFrame) -> None:
    """Drop a table from the backend, whether Splink made it or it was registered."""
    table.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
