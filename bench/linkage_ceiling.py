"""How far linkage can go on these lists: the model on records with every value spelt right.

Each FICTIONAL record is rewritten from the simulator's truth: the name as the person's
true given and father's (or family) name in Uyghur Latin, the sex, birth date (at the
precision the record gives: a year, a month, an approximate year or a day), county,
ethnicity and date of detention as they truly are. What each record leaves out stays
left out, and the facility stays as written (in its list's script). So the only
difficulty left is the lists' own: people who share a name, and records that give too
little to tell them apart. Linking these records with the default model bounds what
better name handling or noise models could add.

It also counts, among the true pairs, those for which the partner's list holds another
person whose record says exactly what the partner's says (every field given or not given
alike, every given value equal): no method can tell which of the two is the match.

With identity numbers (the default lists), a number a record gives is rewritten as
the person's true number, and township and village as the true ones (in Uyghur Latin);
the relatives a record names stay as written (their names carry no typos, only their
list's script). ``--partial`` adds partial oracles: one group of fields spelt right at a
time, the rest as written, to show which fields' errors cost what.

    python bench/linkage_ceiling.py --size 100000 --seed 11
    python bench/linkage_ceiling.py --size 10000 --seed 11 --partial
    python bench/linkage_ceiling.py --size 100000 --seed 11 --no-id-numbers
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from credible.linkage import (
    LinkSettings,
    cluster_pairs,
    evaluate,
    prepare_records,
    train_and_predict,
)
from linkage import CACHE, cpu_seconds, markdown_table, score_cells, simulated

#: Fields rewritten from the truth, with the truth's column for each.
TRUE_VALUE = {
    "sex": "sex",
    "residence": "county",
    "ethnicity": "ethnicity",
    "detained": "detained",
}


def _given(series: pd.Series) -> np.ndarray:
    return (series.notna() & (series.astype(str).str.strip() != "")).to_numpy()


def _birth_date(written: pd.Series, true: pd.Series) -> tuple[list, list, list]:
    """The true date at the precision written (``YYYY``, ``YYYY~``, ``YYYY-MM`` or a
    day) and the first and last day it allows."""
    out = [_at_precision(w, t) for w, t in zip(written, true, strict=True)]
    date, low, high = zip(*out, strict=True) if out else ((), (), ())
    return list(date), list(low), list(high)


def _at_precision(written: object, true: object) -> tuple[str | None, str | None, str | None]:
    if not isinstance(written, str) or not written.strip() or not isinstance(true, str):
        return None, None, None
    year = int(true[:4])
    if written.endswith("~"):
        return f"{year}~", f"{year - 1}-01-01", f"{year + 1}-12-31"
    if len(written) == 4:
        return str(year), f"{year}-01-01", f"{year}-12-31"
    if len(written) == 7:
        month = true[:7]
        return month, f"{month}-01", f"{month}-{pd.Period(month).days_in_month:02d}"
    return true, true, true


#: Groups of fields an oracle can spell right.
GROUPS = ("names", "birth", "places", "other", "ids")


def oracle_records(
    records: pd.DataFrame,
    people: pd.DataFrame,
    truth: pd.DataFrame,
    groups: tuple[str, ...] = GROUPS,
) -> pd.DataFrame:
    """``records`` with every value they give, of the field ``groups``, replaced by the
    person's true value."""
    keyed = records.merge(truth, on=["source", "source_row"], how="left", validate="one_to_one")
    person = people.set_index("person_id").loc[keyed["person_id"]].reset_index(drop=True)
    out = records.copy().reset_index(drop=True)
    if "names" in groups:
        second = person["father_name"].where(person["father_name"].notna(), person["family_name"])
        full = (person["given_name"].fillna("") + " " + second.fillna("")).str.strip()
        # A full name written as one word without a family name is a record that left
        # the father's name out: it gets the true given name alone. The ceiling spells
        # right what a record says; it does not add what the record leaves out (until
        # 2026-12-08 it did, and so bounded linkage with father's names the lists lack).
        one_word = ~out["name"].astype(str).str.contains(r"[\s·•]", regex=True).to_numpy()
        single = person["family_name"].isna().to_numpy() & one_word
        out["name"] = np.where(
            _given(out["name"]), np.where(single, person["given_name"], full), None
        )
        for col in ("given_name", "father_name", "family_name"):
            out[col] = np.where(_given(out[col]), person[col], None)
    for col, true in TRUE_VALUE.items():
        group = "places" if col == "residence" else "other"
        if group in groups:
            out[col] = np.where(_given(out[col]), person[true], None)
    if "other" in groups:
        for col in ("detained_min", "detained_max"):
            out[col] = np.where(_given(out["detained"]), person["detained"], None)
    if "birth" in groups:
        out["birth_date"], out["birth_date_min"], out["birth_date_max"] = _birth_date(
            out["birth_date"], person["birth_date"]
        )
    if "id_number" in people and "id_number" in out:
        if "ids" in groups:
            out["id_number"] = np.where(_given(out["id_number"]), person["id_number"], None)
        if "places" in groups:
            town = person["township"] + " yézisi"
            out["township"] = np.where(_given(out["township"]), town, None)
            village = person["village"].astype(str) + "-kent"
            out["village"] = np.where(_given(out["village"]), village, None)
    return out


def indistinguishable(records: pd.DataFrame, truth: pd.DataFrame) -> tuple[int, int]:
    """True pairs whose partner has a double in its list: (such pairs, all true pairs)."""
    fields = ["name", "given_name", "father_name", "family_name", "sex", "birth_date"]
    fields += ["residence", "ethnicity", "facility", "detained"]
    keyed = records.merge(truth, on=["source", "source_row"], how="left")
    signature = keyed[fields].astype(str).agg("|".join, axis=1)
    keyed["doubles"] = keyed.groupby([keyed["source"], signature])["person_id"].transform("nunique")
    pairs = keyed.merge(keyed, on="person_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["record_id_a"] < pairs["record_id_b"]]
    either = (pairs["doubles_a"] > 1) | (pairs["doubles_b"] > 1)
    return int(either.sum()), len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-id-numbers", action="store_true", help="the older lists")
    parser.add_argument("--partial", action="store_true", help="one field group right at a time")
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="*",
        default=[],
        help="also F1 at these match thresholds (the same scores, re-clustered)",
    )
    args = parser.parse_args()
    rich = not args.no_id_numbers
    records, truth = simulated(args.size, args.seed, rich)
    folder = CACHE / f"sim-{args.size}-{args.seed}-{'rich' if rich else 'plain'}"
    people = pd.read_csv(folder / "truth" / "people.csv", dtype=str)
    people["person_id"] = people["person_id"].astype(truth["person_id"].dtype)
    truth = truth[["source", "source_row", "person_id"]]
    runs: list[tuple[str, tuple[str, ...] | None]] = [
        ("as written", None),
        ("every value spelt right", GROUPS),
    ]
    if args.partial:
        runs += [(f"only {g} right", (g,)) for g in GROUPS if rich or g != "ids"]
    rows = []
    for label, groups in runs:
        data = records if groups is None else oracle_records(records, people, truth, groups)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result = train_and_predict(prepare_records(data), LinkSettings())
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_started
        doubled, pairs = indistinguishable(data, truth)
        rows.append((label, evaluate(result.clusters, truth), seconds, doubled, pairs))
        # Each row as soon as it is known: a 100,000-record pair of runs takes long.
        print(
            f"{label}: {' '.join(score_cells(rows[-1][1]))} in {seconds:.1f} s, {cpu:.1f} CPU s",
            flush=True,
        )
        for threshold in args.thresholds:
            again = cluster_pairs(result.clusters["record_id"], result.pairs, threshold)
            clusters = result.clusters.drop(columns="cluster_id").merge(
                again.clusters[["record_id", "cluster_id"]], on="record_id"
            )
            rows.append((f"{label}, threshold {threshold}", evaluate(clusters, truth), 0.0, 0, 1))
    kind = "default lists" if rich else "--no-id-numbers lists"
    print(f"{len(records):,} FICTIONAL records ({kind}), seed {args.seed}")
    header = ["records", "precision", "recall", "F1", "B-cubed F1", "doubles", "seconds"]
    cells = [
        [label, *score_cells(m), f"{doubled / pairs:.1%}", f"{seconds:.1f}"]
        for label, m, seconds, doubled, pairs in rows
    ]
    print(markdown_table(header, cells))


if __name__ == "__main__":
    main()
