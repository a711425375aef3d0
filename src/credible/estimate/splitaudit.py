"""A split audit: how many people the linkage left split, measured by a reviewer.

Linkage draws carry only the errors the link model admits to. A true pair blocking
never proposed has no probability, so every draw leaves that person split in two, and
the two halves are people seen on one list: the estimators read them as the hard to
see, and overcount ("Where the bias comes from", docs/estimation.md). Nothing in a
link run measures those splits. A reviewer can: take a random sample of the Persons
seen on exactly one list, search the other lists for each (``credible search``), and
say whether the same person is there under another record.

The share found estimates the **split rate** θ among the one-list Persons. Each
linkage draw then carries it, with its sampling error, in a Ding–Fienberg style
correction of the draw's histories:

* a sampled Person found elsewhere is joined to the record the reviewer named in
  every draw (an accepted pair, like a review decision, but not used to recalibrate
  the probabilities: the pair was not chosen by its probability);
* a sampled Person not found stays as it is;
* of the draw's other one-list Persons, F ~ Binomial(n, θ) with θ drawn from its
  Jeffreys posterior Beta(found + ½, not found + ½) are taken at random as fragments;
* a share q of the fragments (q drawn likewise from the share of found Persons whose
  partner was itself seen on one list) are joined two by two, across lists; each of
  the others is joined to a Person seen on two or more lists and not on the
  fragment's list, taken at random.

So the one-list count falls by F, as the audit says it should, and the interval holds
the audit's sampling error as well as the linkage's. What it assumes: the sample is a
fair sample of the one-list Persons (drawn by the tool, uniformly, never redrawn),
the reviewer finds a split person when one is there, and the split rate among the
draws' one-list Persons is the stored linkage's (the draws leave about as many
Persons as the stored run does, docs/estimation.md). Which multi-list Person a
fragment belongs to is not known; a uniform choice moves the histories' shape only
through which patterns gain a list. (Taking the partner's lists from the partners the
reviewer found was tried: with a score of finds standing for a thousand joins, a few
patterns were inflated and dga's estimate on 20,000 people fell to the observed count.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credible.errors import CredibleError
from credible.estimate.linkdraws import Decision, ScoredLinkage

#: What ``credible split-audit draw`` samples when no size is given.
DEFAULT_SIZE = 150


@dataclass(frozen=True)
class SplitAudit:
    """A drawn audit sample and its answers.

    ``sample`` holds one record per sampled Person (its lowest record id), in drawn
    order; ``answers`` maps a sampled record to the record the reviewer found the
    same person under, or None when they searched and found no one. Unanswered
    records are not in ``answers``.
    """

    sample: tuple[int, ...]
    answers: Mapping[int, int | None] = field(default_factory=dict)
    link_run: int | None = None
    audit_run: int | None = None
    frame: int | None = None

    def answered(self) -> int:
        return len(self.answers)

    def decisions(self) -> list[Decision]:
        """The found pairs, as accepted pairs for the draws."""
        return [Decision(a, b, True) for a, b in self.answers.items() if b is not None]


def one_list_persons(records: pd.DataFrame, labels: np.ndarray | None = None) -> pd.DataFrame:
    """Persons seen on exactly one list: ``person`` (label), ``record_id`` (lowest),
    ``source``. ``labels`` replaces the records' ``person_id`` (a drawn linkage)."""
    person = records["person_id"].to_numpy() if labels is None else labels
    frame = pd.DataFrame(
        {
            "person": person,
            "source": records["source"].astype(str).to_numpy(),
            "record_id": records["record_id"].to_numpy(np.int64),
        }
    )
    g = frame.groupby("person", sort=True)
    lists = g["source"].nunique()
    first = g.agg(record_id=("record_id", "min"), source=("source", "first"))
    return first[lists == 1].reset_index()


def draw_sample(records: pd.DataFrame, size: int, rng: np.random.Generator) -> list[int]:
    """``size`` one-list Persons of the stored linkage, uniformly without replacement,
    each named by its lowest record id."""
    if size < 1:
        raise CredibleError(f"a split audit needs at least one person, not {size}")
    frame = one_list_persons(records)
    if frame.empty:
        raise CredibleError("no Person is seen on exactly one list: there is nothing to audit")
    pick = rng.choice(len(frame), size=min(size, len(frame)), replace=False)
    return [int(r) for r in frame["record_id"].to_numpy()[pick]]


@dataclass(frozen=True)
class SplitRate:
    """What the audit says about the stored linkage's one-list Persons."""

    frame: int  # one-list Persons in the stored linkage now
    audited: int  # sampled Persons still seen on one list, answered
    found: int
    partner_one_list: int  # found Persons whose partner was itself seen on one list
    drawn_on: int | None
    link_run: int | None
    sampled: int
    #: Per list of the sampled Persons: (list, answered, found). Splits are not spread
    #: evenly over the lists (a list that repeats people, a list written in another
    #: script), so each list's one-list Persons are corrected at their own rate.
    by_list: tuple[tuple[str, int, int], ...] = ()

    @property
    def rate(self) -> float:
        return (self.found + 0.5) / (self.audited + 1.0)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        from scipy.stats import beta

        t = (1 - level) / 2
        a, b = self.found + 0.5, self.audited - self.found + 0.5
        return float(beta.ppf(t, a, b)), float(beta.ppf(1 - t, a, b))

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.interval()
        return {
            "sampled": self.sampled,
            "audited": self.audited,
            "found": self.found,
            "partner_seen_on_one_list": self.partner_one_list,
            "one_list_persons": self.frame,
            "split_rate": self.rate,
            "split_rate_interval": [lo, hi],
            "expected_splits": self.rate * max(self.frame - self.audited, 0) + self.found,
            "by_list": [{"list": n, "audited": a, "found": f} for n, a, f in self.by_list],
            "drawn_on_link_run": self.drawn_on,
            "link_run": self.link_run,
            "posterior": "Beta(found + 1/2, not found + 1/2) (Jeffreys)",
        }


def split_rate(scored: ScoredLinkage, audit: SplitAudit) -> SplitRate:
    """The audit read against the stored linkage: only sampled Persons still seen on
    one list count (a later review may have joined some; they are no longer in the
    frame the rate applies to), and only answered ones."""
    frame = one_list_persons(scored.records)
    in_frame = set(frame["record_id"].tolist())
    person_of = scored.records.set_index("record_id")["person_id"]
    list_of = scored.records.set_index("record_id")["source"].astype(str)
    one_list_person = set(frame["person"].tolist())
    audited = found = partner_one = 0
    per_list: dict[str, list[int]] = {}
    for rec, other in audit.answers.items():
        if rec not in in_frame:
            continue
        audited += 1
        counts = per_list.setdefault(str(list_of[rec]), [0, 0])
        counts[0] += 1
        if other is not None:
            found += 1
            counts[1] += 1
            partner = person_of.get(other)
            if partner is not None and partner in one_list_person:
                partner_one += 1
    return SplitRate(
        frame=len(frame),
        audited=audited,
        found=found,
        partner_one_list=partner_one,
        drawn_on=audit.link_run,
        link_run=scored.link_run,
        sampled=len(audit.sample),
        by_list=tuple((name, a, f) for name, (a, f) in sorted(per_list.items())),
    )


def correct_draw(
    scored: ScoredLinkage,
    labels: np.ndarray,
    rate: SplitRate,
    audited: Sequence[int],
    rng: np.random.Generator,
) -> np.ndarray:
    """One drawn linkage with its undetected splits joined, as the audit estimates them.

    ``audited`` are the sampled records whose answers are already in the draw (found
    pairs fixed as links): their Persons are never taken as fragments.
    """
    src = scored.records["source"].astype(str).to_numpy()
    names, list_of = np.unique(src, return_inverse=True)
    bit_of = {str(n): 1 << i for i, n in enumerate(names)}
    n_persons = int(labels.max()) + 1 if len(labels) else 0
    bits = np.zeros(n_persons, dtype=np.int64)
    np.bitwise_or.at(bits, labels, np.left_shift(np.int64(1), list_of.astype(np.int64)))
    one = (bits & (bits - 1)) == 0
    ids = scored.records["record_id"].to_numpy(np.int64)
    at = pd.Index(ids).get_indexer(np.asarray(list(audited), dtype=np.int64))
    excluded = np.zeros(n_persons, dtype=bool)
    excluded[labels[at[at >= 0]]] = True
    pool = np.flatnonzero(one & ~excluded)
    theta = rng.beta(rate.found + 0.5, rate.audited - rate.found + 0.5)
    q = rng.beta(rate.partner_one_list + 0.5, rate.found - rate.partner_one_list + 0.5)
    # Each list's one-list Persons at the rate its own sampled Persons gave (Jeffreys
    # posterior); a list none of whose Persons was answered, at the pooled rate.
    answered = {bit_of[name]: (a, f) for name, a, f in rate.by_list if name in bit_of}
    chosen: list[np.ndarray] = []
    for bit in np.unique(bits[pool]):
        members = pool[bits[pool] == bit]
        a, f = answered.get(int(bit), (0, 0))
        theta_here = rng.beta(f + 0.5, a - f + 0.5) if a else theta
        chosen.append(rng.permutation(members)[: int(rng.binomial(len(members), theta_here))])
    frags = rng.permutation(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    n_frag = len(frags)
    if n_frag == 0:
        return labels
    target = np.arange(n_persons)
    # fragments joined to each other: consecutive ones on different lists
    paired = round(n_frag * q)
    waiting: list[int] = []
    for f in frags[:paired]:
        partner = next((w for w in waiting if bits[w] != bits[f]), None)
        if partner is None:
            waiting.append(int(f))
        else:
            waiting.remove(partner)
            target[f] = partner
    rest = waiting + [int(f) for f in frags[paired:]]
    multi = np.flatnonzero(~one)
    # for each list, the Persons on two or more lists that are not on it
    eligible = {int(b): multi[(bits[multi] & b) == 0] for b in np.unique(bits[one])}
    for f in rest:
        choices = eligible[int(bits[f])]
        if len(choices):
            target[f] = int(choices[rng.integers(len(choices))])
    out: np.ndarray = pd.factorize(target[labels], sort=False)[0].astype(np.int64)
    return out
