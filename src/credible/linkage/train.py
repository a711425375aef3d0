"""Train, predict, cluster: one linkage run from prepared records to Persons."""

from __future__ import annotations

import hashlib
import math
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from credible.errors import CredibleError, InputError, Problem
from credible.linkage import exclusive
from credible.linkage import splink_adapter as splink
from credible.linkage._gc import old_objects_frozen
from credible.linkage.backends import make_db_api
from credible.linkage.blocking import capped_blocks
from credible.linkage.clustering import Judgement, cluster_pairs, live_decisions
from credible.linkage.features import FEATURE_COLUMNS, LIST_COLUMNS
from credible.linkage.model import (
    CREDIBLE_KEY,
    SAME_HOME_LEVELS,
    block_rules,
    county_size_factor,
    every_comparison,
    leave_one_out_tf,
    list_odds,
    list_repeat,
    rule,
    splink_settings,
    splink_spec,
    training_rules,
)
from credible.linkage.settings import LinkSettings
from credible.linkage.usample import estimate_u
from credible.linkage.vectors import comparisons_of, m_values, pair_vectors

Progress = Callable[[str, float], None]

#: A pair that agrees on both name parts and the birth year is almost surely a match;
#: its count, divided by the assumed recall, sets the prior (``prior_recall``).
PRIOR_RULE = "l.name_sorted = r.name_sorted AND l.birth_year = r.birth_year"

#: Records (whole counties) on which a very large list's prior is estimated.
PRIOR_SAMPLE_RECORDS = 30_000

#: Columns sent to the backend.
MODEL_COLUMNS = list(FEATURE_COLUMNS)

#: Relative nudge given to an m probability whose weight equals another level's.
WEIGHT_NUDGE = 1e-6


class LinkageError(CredibleError):
    """The linkage model could not be trained or applied to these records."""


PAIR_COLUMNS = ["record_id_l", "record_id_r", "match_probability", "match_weight"]


@dataclass
class LinkResult:
    """Everything a linkage run produced, ready to be stored."""

    pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, match_weight
    clusters: pd.DataFrame  # record_id, cluster_id, match_probability, decided_by, source...
    review: pd.DataFrame  # pairs in the review band with no live judgement, strongest first
    model: dict[str, Any]  # trained Splink settings: load with explain_pair or apply_model
    metadata: dict[str, Any]  # settings, versions, EM sessions, prior, timings, warnings
    cut_edges: list[tuple[int, int, float]] = field(default_factory=list)
    conflicts: list[tuple[int, int]] = field(default_factory=list)
    term_frequencies: dict[str, pd.DataFrame] = field(default_factory=dict)


def input_fingerprint(prepared: pd.DataFrame) -> str:
    """SHA-256 of the prepared records, independent of row order."""
    frame = prepared[MODEL_COLUMNS].sort_values("record_id").reset_index(drop=True)
    for col in LIST_COLUMNS:
        frame[col] = ["|".join(map(str, k)) if isinstance(k, list) else "" for k in frame[col]]
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(frame.columns).encode())
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("credible", "splink", "duckdb", "pandas", "pyspark"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


@old_objects_frozen()
def train_and_predict(
    prepared: pd.DataFrame,
    settings: LinkSettings | None = None,
    judgements: Iterable[Judgement] | None = None,
    *,
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkResult:
    """Link ``prepared`` records (from ``prepare_records``) into Persons.

    Trains the Fellegi–Sunter model without labels (u from random sampling with
    ``settings.seed``, m by EM, the prior by EM on the blocked pairs or from a strict
    deterministic rule), scores the blocked pairs, and clusters them at
    ``settings.match_threshold`` honouring ``judgements``. ``spark_session``: an existing
    session for ``backend="spark"`` (a local one is started without it).
    """
    run = _Run.start(prepared, settings, progress, spark_session)
    return _link(run, list(judgements or []), None)


@old_objects_frozen()
def apply_model(
    model: dict[str, Any],
    prepared: pd.DataFrame,
    settings: LinkSettings | None = None,
    judgements: Iterable[Judgement] | None = None,
    *,
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkResult:
    """As ``train_and_predict``, without training: ``model`` (a ``LinkResult.model`` from
    an earlier run) scores the pairs, on whichever backend ``settings`` names."""
    run = _Run.start(prepared, settings, progress, spark_session)
    return _link(run, list(judgements or []), model)


@dataclass
class _Run:
    """One run's records, settings and backend, and how long each stage took."""

    prepared: pd.DataFrame
    settings: LinkSettings
    present: set[str]
    db_api: Any
    say: Progress
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        prepared: pd.DataFrame,
        settings: LinkSettings | None,
        progress: Progress | None,
        spark_session: Any,
    ) -> _Run:
        settings = settings or LinkSettings()
        missing = [c for c in MODEL_COLUMNS if c not in prepared.columns]
        if missing:
            raise InputError(
                [
                    Problem("prepared records", None, c, "a column from prepare_records")
                    for c in missing
                ]
            )
        if len(prepared) < 2:
            raise InputError([Problem("prepared records", None, None, "at least two records")])
        present = {c for c in MODEL_COLUMNS if prepared[c].notna().any()}
        if prepared["source"].nunique() < 2:
            present.discard("source")  # one list: "same source" says nothing
        say = progress or (lambda stage, fraction: None)
        return cls(prepared, settings, present, make_db_api(settings, spark_session), say)

    def lap(self, stage: str, fraction: float) -> None:
        self.timings[stage] = round(time.perf_counter() - self.started, 3)
        self.say(stage, fraction)


def _link(run: _Run, judgements: list[Judgement], model: dict[str, Any] | None) -> LinkResult:
    settings = run.settings
    linker, table = _register(run.db_api, run.prepared, settings, run.present, model)
    run.lap("registered", 0.05)
    sessions: list[dict[str, Any]] = []
    u_sample: dict[str, Any] | None = None
    if model is None:
        sessions, u_sample = _train(run, linker)
    _register_term_frequencies(linker, run.db_api, run.prepared)
    if settings.exclusive and (model is None or bool(list_odds(model))):
        pairs, prior_info = _score_list_aware(run, linker, model)
        sessions += prior_info.pop("sessions")
    else:
        pairs, prior_info = _score_pairwise(run, linker, model)
    run.lap("predict", 0.85)
    tf = _tf_tables(linker, run.warnings)
    own = prior_info.pop("stored", None)
    trained = linker.misc.save_model_to_json()
    if own is not None:
        trained[CREDIBLE_KEY] = own
    splink.drop_table(table)
    metadata = {
        "em_sessions": sessions,
        "prior": prior_info,
        "u_sample": u_sample,
    }
    return _result(run, pairs, judgements, trained, metadata, tf)


def _result(
    run: _Run,
    pairs: pd.DataFrame,
    judgements: list[Judgement],
    model: dict[str, Any],
    metadata: dict[str, Any],
    tf: dict[str, pd.DataFrame],
) -> LinkResult:
    """Cluster the scored pairs into Persons and say how the run went."""
    settings, prepared = run.settings, run.prepared
    clustering = cluster_pairs(
        prepared["record_id"].tolist(), pairs, settings.match_threshold, judgements
    )
    clusters = clustering.clusters.merge(
        prepared[["record_id", "source", "source_row"]], on="record_id", how="left"
    )
    review = review_queue(pairs, settings, judgements)
    run.lap("cluster", 1.0)
    return LinkResult(
        pairs=pairs,
        clusters=clusters,
        review=review,
        model=model,
        metadata={
            "settings": settings.model_dump(mode="json"),
            "versions": _versions(),
            "seed": settings.seed,
            "backend": settings.backend,
            "input_fingerprint": input_fingerprint(prepared),
            "records": len(prepared),
            "pairs_scored": len(pairs),
            "persons": int(clusters["cluster_id"].nunique()),
            "judgements_live": len(live_decisions(judgements)),
            **metadata,
            "seconds": run.timings,
            "warnings": run.warnings,
        },
        cut_edges=clustering.cut_edges,
        conflicts=clustering.conflicts,
        term_frequencies=tf,
    )


def _train(run: _Run, linker: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The prior (when deterministic), u from random pairs, m by EM: the EM sessions and
    what the u sample held."""
    settings, prepared = run.settings, run.prepared
    if settings.prior == "deterministic":
        linker.training.estimate_probability_two_random_records_match(
            [PRIOR_RULE], recall=settings.prior_recall
        )
    run.lap("prior", 0.1)
    u_sample = estimate_u(
        linker, prepared, settings.max_pairs, settings.seed, settings.u_pairs_per_record
    )
    run.lap("u", 0.3)
    sample = _training_sample(prepared, settings)
    if sample is None:
        sessions = _train_m(linker, settings, run.present)
    else:
        sessions = _train_m_on_sample(run, sample, linker)
    capped = _cap_disagreement(comparisons_of(linker), settings.m_disagree_max)
    splink.set_m(linker, _floor_m(capped, settings.m_floor))
    run.lap("em", 0.6)
    return sessions, u_sample


def _score_pairwise(
    run: _Run, linker: Any, model: dict[str, Any] | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Plain Fellegi-Sunter: each pair scored on its own, the prior set by EM."""
    settings, prepared = run.settings, run.prepared
    prior_info: dict[str, Any] = {"method": "stored model"}
    sampled_prior = None
    trained_prior = model is None and settings.prior == "em"
    if trained_prior and len(prepared) > (settings.train_max_records or len(prepared)):
        sampled_prior = _prior_from_sample(run, linker)
    predictions = linker.inference.predict(warning_mode="never")
    # Predictions scored before the prior moved are shifted by the change, in bits.
    shift = 0.0
    if sampled_prior is not None:
        prior_info = sampled_prior
    elif trained_prior:
        prior, shift = _prior_from_blocked_pairs(linker, predictions, len(prepared))
        prior_info = {"method": "EM on the prior over blocked pairs", "value": prior}
    elif model is None:
        prior_info = {"method": f"deterministic rule, recall {settings.prior_recall}"}
    return _kept_pairs(linker, predictions, settings.keep_pairs_above, shift), prior_info


def _score_list_aware(
    run: _Run, linker: Any, model: dict[str, Any] | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every blocked pair with evidence for a match, weighed against the other candidates
    in the same lists (``credible.linkage.exclusive``); m and the prior odds of each pair
    of lists by EM on that model, unless a stored ``model`` gives them.

    Which pairs take part is decided by the m the model started from (Splink's passes),
    stored with the model as its screen: a stored model then re-scores the same pairs on
    any backend, while EM's own m only decides how likely each one is.
    """
    settings = run.settings
    fitted_m = m_values(linker)
    screen_m = _screen_m(linker, model)
    vectors, lists = _screened_pairs(run, linker)
    odds, repeat = _starting_odds(linker, vectors.n_sources, lists, model)
    comparisons = comparisons_of(linker)
    # A model stored before the county-size adjustment re-scores without it, as trained.
    county_size = (
        run.settings.county_size
        if model is None
        else bool(model.get(CREDIBLE_KEY, {}).get("county_size"))
    )
    if county_size:
        vectors = _with_county_size(vectors, comparisons, run.prepared)
    session: dict[str, Any] = {"blocking_rule": "pairs with evidence (list-aware EM)"}
    if model is None:
        fitted = exclusive.fit(
            vectors,
            comparisons,
            odds,
            m_floor=settings.m_floor,
            m_disagree_max=settings.m_disagree_max,
            max_iterations=settings.em_max_iterations,
            tolerance=settings.em_convergence,
            repeat=repeat,
        )
        fitted_m, odds, repeat = fitted.m, fitted.odds, fitted.repeat
        session.update(iterations=fitted.iterations, converged=fitted.converged)
    splink.set_m(linker, fitted_m)
    probability, settled = exclusive.probabilities(
        vectors, comparisons, fitted_m, odds, repeat=repeat
    )
    session.update(pairs=len(vectors), settled=settled)
    ids = run.prepared["record_id"].to_numpy()
    frame = pd.DataFrame(
        {
            "record_id_l": ids[vectors.left],
            "record_id_r": ids[vectors.right],
            "match_probability": probability,
        }
    )
    frame = frame.loc[frame["match_probability"] >= settings.keep_pairs_above]
    p = frame["match_probability"].to_numpy(float)
    frame["match_weight"] = np.log2(p) - np.log2(np.maximum(1 - p, 1e-300))
    info = {
        "method": "prior odds of each pair of lists, by list-aware EM"
        if model is None
        else "stored model",
        "stored": {
            "list_odds": {"lists": lists, "odds": odds.tolist(), "repeat": repeat.tolist()},
            "screen_m": {k: v.tolist() for k, v in screen_m.items()},
            "county_size": county_size,
        },
        "sessions": [session],
    }
    return _pairs_frame(frame), info


def _with_county_size(
    vectors: exclusive.PairVectors, comparisons: list[exclusive.Comparison], prepared: pd.DataFrame
) -> exclusive.PairVectors:
    """The pairs with the home county's size in their term-frequency factor
    (``county_size_factor``)."""
    where = next((c for c in comparisons if c.name == "where"), None)
    if where is None or "residence_county" not in prepared.columns:
        return vectors
    same = [i for i, label in enumerate(where.labels) if label in SAME_HOME_LEVELS]
    factor = county_size_factor(
        prepared["residence_county"].reset_index(drop=True),
        vectors.left,
        vectors.right,
        np.isin(vectors.levels["where"], same),
    )
    return replace(vectors, tf_bayes_factor=vectors.tf_bayes_factor * factor)


def _screen_m(linker: Any, model: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """Set the m that decides which pairs take part (a stored model's own screen, else
    the m the model has) with every level's weight distinct; returns it."""
    stored = model.get(CREDIBLE_KEY, {}) if model is not None else {}
    if stored.get("screen_m"):
        splink.set_m(linker, {k: np.array(v) for k, v in stored["screen_m"].items()})
    splink.make_weights_distinct(linker, WEIGHT_NUDGE)
    return m_values(linker)


def _screened_pairs(run: _Run, linker: Any) -> tuple[exclusive.PairVectors, list[str]]:
    """The blocked pairs whose Bayes factor is at least ``exclusive_min_probability``
    times the number of records, with the level of each comparison; and the lists."""
    lam = splink.prior(linker)
    screen_bits = math.log2(run.settings.exclusive_min_probability * len(run.prepared))
    with splink.level_weights_kept(linker):
        predictions = linker.inference.predict(
            threshold_match_weight=screen_bits + _logit2(lam), warning_mode="never"
        )
    try:
        return pair_vectors(
            linker, run.db_api, predictions, run.prepared["record_id"], run.prepared["source"]
        )
    finally:
        splink.drop_table(predictions)


def _starting_odds(
    linker: Any, n_sources: int, lists: list[str], model: dict[str, Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Prior odds of each pair of lists and each list's continuation probability: the
    stored model's, else the linker's prior everywhere and 0."""
    lam = splink.prior(linker)
    odds = np.full((n_sources, n_sources), lam / (1 - lam))
    stored_odds = list_odds(model) if model is not None else {}
    stored_repeat = list_repeat(model) if model is not None else {}
    # Every list starts as naming a person at most twice (0), as a model stored before
    # lists could repeat people has it; EM raises it where the list's triangles say.
    repeat = np.array([stored_repeat.get(a, 0.0) for a in lists])
    for i, a in enumerate(lists):
        for j, b in enumerate(lists):
            odds[i, j] = stored_odds.get((a, b), odds[i, j])
    return odds, repeat


def _register(
    db_api: Any,
    records: pd.DataFrame,
    settings: LinkSettings,
    present: set[str],
    model: dict[str, Any] | None,
    budget: bool = True,
) -> tuple[Any, Any]:
    """A linker on ``records`` with their capped blocking keys (see ``blocking``)."""
    import uuid

    from splink import Linker

    max_pairs = settings.max_pairs_blocked if budget else None
    keys, blocks = capped_blocks(records, settings.blocking_rules, settings.max_block, max_pairs)
    # A rule on an array no record has (FEBRL names no relatives) blocks nothing, and a
    # column of nothing but nulls has no type in Spark: such rules are left out.
    unused = [
        b.column
        for b in blocks
        if not isinstance(b, str) and b.is_array and keys[b.column].isna().all()
    ]
    blocks = [b for b in blocks if isinstance(b, str) or b.column not in unused]
    keys = keys.drop(columns=unused)
    frame = pd.concat(
        [records[MODEL_COLUMNS].reset_index(drop=True), keys.reset_index(drop=True)], axis=1
    )
    # A unique name: a Spark session outlives one run and keeps its tables.
    table = db_api.register(frame, dataset_display_name=f"credible_records_{uuid.uuid4().hex[:8]}")
    if model is None:
        spec = splink_settings(settings, present, blocks)
    else:
        try:
            dialect = splink.dialect_of(db_api)
            rules = block_rules(blocks)
            spec = splink.port_model(splink_spec(model), dialect, every_comparison(), rules)
        except splink.PortError as err:
            raise LinkageError(f"the stored model cannot be applied: {err}") from err
    # log_level=None: a library does not configure logging (Splink's own loggers still
    # emit to whatever the application has set up).
    return Linker(table, spec, log_level=None), table


def _train_m(linker: Any, settings: LinkSettings, present: set[str]) -> list[dict[str, Any]]:
    """The EM passes; a pass Splink cannot run (no pairs, a level no match reaches) is
    recorded and skipped, and its comparisons keep the other passes' estimates."""
    sessions: list[dict[str, Any]] = []
    for spec in training_rules(settings, present):
        before = splink.save_state(linker)
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(
                rule(spec), max_pairs=settings.em_max_pairs
            )
        except splink.TRAINING_ERRORS as err:
            # A pass that fails part way (EM drove some m to zero on a small list)
            # leaves the model half trained: put it back as it was.
            splink.restore_state(linker, before)
            sessions.append({"blocking_rule": spec, "failed": str(err).splitlines()[0]})
            continue
        sessions.append(_session_summary(spec, session, settings))
    if not any("iterations" in s for s in sessions):
        raise LinkageError(
            "the model could not be trained: every EM pass failed "
            f"({'; '.join(str(s['failed']) for s in sessions)}); more records are needed"
        )
    return sessions


def _prior_from_sample(run: _Run, linker: Any) -> dict[str, Any] | None:
    """The prior from whole counties holding ``PRIOR_SAMPLE_RECORDS`` records, scaled.

    In a very large list the blocks are split to fit the scoring budget, so many true
    pairs are never scored, and EM on the prior over the blocked pairs (which counts
    them as non-matches) came out eight times too low at a million records. In a
    sample of whole counties nothing is split. A person's records stay together, so the
    number of matches per record is the same in the sample as in the whole list, and
    the prior (matches over all pairs) scales as 1 / (records - 1).
    """
    settings, prepared = run.settings, run.prepared
    rows = _training_sample(prepared, settings, PRIOR_SAMPLE_RECORDS)
    if rows is None or len(rows) < 2:
        return None
    sample = prepared.iloc[rows].reset_index(drop=True)
    model = splink_spec(linker.misc.save_model_to_json())
    # No pair budget: the sample is small, and no block should be split.
    small, table = _register(run.db_api, sample, settings, run.present, model, budget=False)
    try:
        # The sample's own u: in a few counties random pairs share a county far more
        # often than in the whole list, and the whole list's u made the prior 13 times
        # too high.
        estimate_u(small, sample, settings.max_pairs, settings.seed, settings.u_pairs_per_record)
        _register_term_frequencies(small, run.db_api, sample)
        predictions = small.inference.predict(warning_mode="never")
        in_sample, _ = _prior_from_blocked_pairs(small, predictions, len(sample))
    finally:
        splink.drop_table(table)
    prior = in_sample * (len(sample) - 1) / (len(prepared) - 1)
    splink.set_prior(linker, prior)
    return {
        "method": "EM on the prior over the blocked pairs of a county sample, scaled",
        "value": prior,
        "sample_records": len(sample),
        "sample_value": in_sample,
    }


def _training_sample(
    prepared: pd.DataFrame, settings: LinkSettings, limit: int | None = None
) -> np.ndarray | None:
    """Rows of the counties EM trains on when there are too many records, else None.

    EM's passes block on a name key and one more field. Matches share a county;
    namesakes mostly do not, and their number grows with the square of the list: at a
    million records a pass held so many namesakes that EM's "match" class settled on
    them and nothing was linked. Training on every record of a random set of counties
    keeps each person's records together and cuts namesakes from other counties, so
    the training set looks like a list of ``train_max_records``. m probabilities do not
    depend on the size of the list; u and the prior are still estimated on every record.
    """
    limit = limit or settings.train_max_records
    if limit is None or len(prepared) <= limit or "residence_county" not in prepared:
        return None
    county = prepared["residence_county"].astype("string").fillna("")
    sizes = county.value_counts()
    order = np.random.default_rng(settings.seed).permutation(len(sizes))
    chosen: list[str] = []
    total = 0
    for i in order:
        name, size = str(sizes.index[i]), int(sizes.iloc[i])
        if name and total + size <= limit:
            chosen.append(name)
            total += size
    if total < limit // 4:  # a few huge counties: no useful sample
        return None
    return np.flatnonzero(county.isin(chosen).to_numpy())


def _train_m_on_sample(run: _Run, rows: np.ndarray, linker: Any) -> list[dict[str, Any]]:
    """EM on the records at ``rows`` (with their own u sample), m copied into ``linker``."""
    settings = run.settings
    sample = run.prepared.iloc[rows].reset_index(drop=True)
    small, table = _register(run.db_api, sample, settings, run.present, None)
    try:
        estimate_u(small, sample, settings.max_pairs, settings.seed, settings.u_pairs_per_record)
        sessions = _train_m(small, settings, run.present)
        trained = m_values(small)
    finally:
        splink.drop_table(table)
    splink.set_m(linker, trained)
    for session in sessions:
        session["records"] = len(sample)
    return sessions


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _prior_from_blocked_pairs(linker: Any, predictions: Any, n_records: int) -> tuple[float, float]:
    """Set the prior by EM on the prior alone, m and u held fixed; returns it and the
    change in the prior's weight, in bits (the predictions were scored with the old one).

    With the blocked pairs' Bayes factors BF_i, the update is
    lambda <- sum_i P(match | BF_i, lambda) / (n (n - 1) / 2), pairs outside the blocks
    counting as non-matches. It needs no deterministic rule and no guess at its recall;
    it is as good as the m and u estimates. Splink's own estimate from the training
    blocks was off by a factor of 40 on 10,000 simulated records.
    """
    lam0 = splink.prior(linker)
    w0 = _logit2(lam0)
    hist = linker.misc.query_sql(
        f"SELECT ROUND(match_weight - ({w0}), 4) AS w, COUNT(*) AS n "
        f"FROM {predictions.physical_name} GROUP BY 1",
        output_type="pandas",
    )
    bf = np.exp2(hist["w"].to_numpy(dtype=float))
    count = hist["n"].to_numpy(dtype=float)
    total = n_records * (n_records - 1) / 2
    lam = min(max(lam0, 1e-9), 0.5)
    for _ in range(200):
        p = lam * bf / (lam * bf + 1 - lam)
        new = float(np.clip((p * count).sum() / total, 1e-12, 0.5))
        if abs(new - lam) <= 1e-6 * lam:
            lam = new
            break
        lam = new
    splink.set_prior(linker, lam)
    return lam, _logit2(lam) - w0


def _kept_pairs(linker: Any, predictions: Any, keep_above: float, shift: float) -> pd.DataFrame:
    """The predicted pairs at or above ``keep_above``, their weights moved by ``shift``."""
    floor_w = _logit2(keep_above) - shift if keep_above > 0 else -1e9
    cols = "record_id_l, record_id_r, match_weight"
    frame = linker.misc.query_sql(
        f"SELECT {cols} FROM {predictions.physical_name} WHERE match_weight >= {floor_w}",
        output_type="pandas",
    )
    frame["match_weight"] = frame["match_weight"] + shift
    frame["match_probability"] = 1 / (1 + np.exp2(-frame["match_weight"].to_numpy(float)))
    return _pairs_frame(frame)


def _cap_disagreement(comparisons: list[exclusive.Comparison], cap: float) -> dict[str, np.ndarray]:
    """Each comparison's m with its outright disagreement (``DISAGREEMENT_LEVELS``) kept
    at or below ``cap``, the excess moved to its other levels in proportion.

    EM finds the largest cluster of similar-looking pairs and calls it "match". In a
    list of 100,000 detainees most people share their full name with someone from the
    same county, and that cluster is full of namesakes: EM then learned that half of
    all matches give birth dates years apart (on simulated truth it is under 1%) and
    that a tenth live in another county, and merged namesakes. How often two records of
    one person disagree outright is a recording-error rate; ``cap`` bounds it. The
    result hardly depends on the value: 0.02, 0.05 and 0.1 gave the same F1 on 100,000
    simulated records, all 0.04 better than no cap.
    """
    out = {}
    for comparison in comparisons:
        m = [float(v) for v in comparison.m]
        against = [i for i in range(len(m)) if i in comparison.disagree]
        others = [i for i in range(len(m)) if i not in comparison.disagree]
        total = sum(m[i] for i in against)
        rest = sum(m[i] for i in others)
        if total > cap and rest > 0:
            for i in against:
                m[i] = m[i] * cap / total
            for i in others:
                m[i] = m[i] * (1 - cap) / rest
        out[comparison.name] = np.array(m)
    return out


def _floor_m(m: dict[str, np.ndarray], floor: float) -> dict[str, np.ndarray]:
    """Every m probability at or above ``floor``, then renormalised.

    Unsupervised EM on clean-looking data drives m of a disagreement level to ~0 (no
    match it saw disagreed on sex or ethnicity), which would make one recording error
    veto a link with a weight of -100 bits or more. The floor is the assumed rate of such
    errors; it bounds any single disagreement to about log2(floor / u).
    """
    out = {}
    for name, values in m.items():
        raw = [max(float(v), floor) for v in values]
        total = sum(raw)
        out[name] = np.array([v / total for v in raw])
    return out


def _session_summary(spec: list[str] | str, session: Any, settings: LinkSettings) -> dict:
    iterations = splink.em_iterations(session)
    return {
        "blocking_rule": spec,
        "iterations": iterations,
        # Honest about convergence: hitting the iteration cap is not convergence.
        "converged": 0 < iterations < settings.em_max_iterations,
    }


def _pairs_frame(df: pd.DataFrame) -> pd.DataFrame:
    gammas = sorted(c for c in df.columns if c.startswith("gamma_"))
    out = df[PAIR_COLUMNS + gammas].copy()
    out["record_id_l"] = out["record_id_l"].astype("int64")
    out["record_id_r"] = out["record_id_r"].astype("int64")
    # Splink puts the lower id on the left already; make it so whatever the backend.
    swap = out["record_id_l"] > out["record_id_r"]
    out.loc[swap, ["record_id_l", "record_id_r"]] = out.loc[
        swap, ["record_id_r", "record_id_l"]
    ].to_numpy()
    out = out.sort_values(["record_id_l", "record_id_r"], kind="stable").reset_index(drop=True)
    return out


def _register_term_frequencies(linker: Any, db_api: Any, prepared: pd.DataFrame) -> None:
    """Each term-frequency column's frequencies, leave-one-out (``leave_one_out_tf``),
    in place of the ones Splink would count."""
    for name in splink.term_frequency_columns(linker):
        table = db_api.register(leave_one_out_tf(prepared[name], name))
        linker.table_management.register_term_frequency_lookup(table, name)


def _tf_tables(linker: Any, warnings: list[str]) -> dict[str, pd.DataFrame]:
    """The term-frequency tables the run used, for ``explain``; a table the backend
    cannot read is left out, with a warning in ``warnings``."""
    out: dict[str, pd.DataFrame] = {}
    for name in splink.term_frequency_columns(linker):
        try:
            out[name] = splink.term_frequency_table(linker, name)
        except splink.BackendError as err:
            warnings.append(
                f"the term frequencies of {name} could not be read back ({err}); the run "
                "stores none, and explaining its pairs leaves their adjustment out"
            )
    return out


def review_queue(
    pairs: pd.DataFrame, settings: LinkSettings, judgements: Iterable[Judgement] = ()
) -> pd.DataFrame:
    """Pairs in ``[review_lower, review_upper)`` that no live judgement has decided,
    most uncertain first (closest to 0.5 in match weight, i.e. smallest |weight|)."""
    decided = set(live_decisions(judgements))
    p = pairs["match_probability"]
    band = pairs.loc[(p >= settings.review_lower) & (p < settings.review_upper)]
    if decided:
        keys = list(zip(band["record_id_l"], band["record_id_r"], strict=True))
        band = band.loc[[k not in decided for k in keys]]
    order = np.argsort(np.abs(band["match_weight"].to_numpy()), kind="stable")
    return band.iloc[order].reset_index(drop=True)
