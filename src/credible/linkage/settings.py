"""Typed, JSON-serialisable settings of one linkage run.

Everything that changes the result lives here, so that the resolved settings stored with
a run are enough to reproduce it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Blocking rules are written against the columns that ``prepare_records`` adds. Each rule
#: is a list of columns that must be equal (``name[]``: an array, records meet when any
#: element is shared; ``name?``: an empty value is a value of its own, so that lists
#: which never give it still block on the rest) or raw SQL; a pair is scored when any
#: rule admits it. The keys come from ``credible.names.name_keys`` and survive script
#: differences: ``key_pairs`` pairs any key of the given name with any key of the
#: father's name, in either order (two records with the same name, however romanised,
#: share one); ``ckey_pairs`` does the same with the coarse skeletons that survive
#: Chinese transcription; ``k12`` is either part's first key. All of them within the
#: home county: across counties they scored seven million more pairs of 100,000
#: simulated records, found 0.6 % more true pairs and left F1 as it was (0.794).
#: Blocks larger than ``max_block`` records, or all blocks when the rules would score
#: more than ``max_pairs_blocked`` pairs, are split further (``credible.linkage.blocking``).
DEFAULT_BLOCKING_RULES: tuple[tuple[str, ...] | str, ...] = (
    ("key_pairs[]", "residence_county?"),
    ("ckey_pairs[]", "residence_county"),
    ("k12[]", "residence_county?"),
    ("birth_ymd", "residence_county"),
    ("birth_ymd", "birthplace_county"),
    ("birth_ymd", "residence_key"),
    # Region and birth date of an identity number, or birth date and sequence number:
    # the same person under names too unlike to share a key (a Chinese transcription,
    # a swapped order), even with a slip in one of the two numbers.
    ("id_parts[]",),
    # Any name key, the county and the birth year: records whose parts were read or
    # transcribed differently (a Chinese rendering, a typo in the first letters) and
    # share no pair of part keys. Seed 5 (development), 10,000 records: of the true
    # pairs no rule above admitted, a fifth.
    ("name_keys[]", "residence_county", "birth_year"),
    # A record that gives one name part (media reports: "Gulmira", no birth date)
    # against the records of its county whose given name shares any key or
    # cross-script skeleton with it; only pairs with such a record, so that two full
    # names are not paired on their given names alone. Seed 5, 10,000 records: 167 of
    # the 278 true pairs no other rule admitted, for 36,000 more pairs.
    ("given_keys[]", "residence_county", "either_null(n2_rom)"),
    # A relative in common (the father's name, a number): siblings too, but the model
    # tells those apart; the same person under a name written too differently.
    ("rel_keys[]", "residence_county?"),
    # Township and village with the birth year, whatever the name.
    ("township_keys[]", "village_key", "birth_year"),
)


class LinkSettings(BaseModel):
    """Settings of a linkage run. ``model_dump_json()`` gives the form stored with the run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match_threshold: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="two groups of records are merged when a pair across them scores at "
        "least this and the mean match probability over all pairs across them does too",
    )
    review_lower: float = Field(
        default=0.2, gt=0, lt=1, description="pairs from here up to review_upper go to human review"
    )
    review_upper: float = Field(
        default=0.8, gt=0, le=1, description="upper end (exclusive) of the review band"
    )
    keep_pairs_above: float = Field(
        default=0.01, ge=0, lt=1, description="predicted pairs below this probability are not kept"
    )
    blocking_rules: list[list[str] | str] = Field(
        default_factory=lambda: [
            r if isinstance(r, str) else list(r) for r in DEFAULT_BLOCKING_RULES
        ]
    )
    max_block: int | None = Field(
        default=400,
        gt=1,
        description="records in one block of a column blocking rule; larger blocks are "
        "split by county, sex, birth year and facility (None = no cap)",
    )
    max_pairs_blocked: float | None = Field(
        default=3e7,
        gt=0,
        description="pairs the column blocking rules may score in all; beyond it blocks "
        "are split finer (None = no budget). 3e7 is about five minutes of scoring on two "
        "cores",
    )
    train_max_records: int | None = Field(
        default=50_000,
        gt=1,
        description="above this many records, EM learns the m probabilities from every "
        "record of a random set of counties holding about this many (None = all records)",
    )
    training_rules: list[list[str] | str] | None = Field(
        default=None,
        description="EM passes (columns that must be equal, or SQL); None = chosen from "
        "the columns present (see credible.linkage.model.training_rules)",
    )
    seed: int = Field(default=20240601, description="seed of every random step (u sampling)")
    backend: Literal["duckdb", "spark"] = "duckdb"
    max_pairs: float = Field(
        default=1e6, gt=0, description="most record pairs sampled to estimate u probabilities"
    )
    u_pairs_per_record: float | None = Field(
        default=50,
        gt=0,
        description="random pairs sampled for u per record (at most max_pairs): a level "
        "that a record shares with a few others is reached by about one random pair in "
        "the number of records, so this keeps its count in the sample the same at any "
        "size (credible.linkage.usample); None = max_pairs whatever the size",
    )
    em_max_pairs: float | None = Field(
        default=1e6, gt=0, description="cap on the pairs of each EM pass; None = all blocked"
    )
    m_floor: float = Field(
        default=1e-3,
        gt=0,
        lt=0.1,
        description="smallest m probability of any level: the assumed rate of recording "
        "errors, so that one disagreement cannot veto a link on its own",
    )
    m_disagree_max: float = Field(
        default=0.1,
        gt=0,
        lt=1,
        description="largest share of true matches assumed to disagree outright on a field "
        "(birth dates years apart, another county, another sex): in large lists full of "
        "namesakes EM otherwise learns that matches often disagree, and merges namesakes",
    )
    exclusive: bool = Field(
        default=True,
        description="weigh each pair against the other candidates in the same lists (a "
        "list names a person at most once, apart from its own duplicates) and estimate m "
        "and the prior of every pair of lists by EM on that model "
        "(credible.linkage.exclusive); False = plain pairwise Fellegi-Sunter",
    )
    exclusive_min_probability: float = Field(
        default=1e-3,
        gt=0,
        lt=1,
        description="pairs left out of the list-aware model: those whose probability "
        "would be below this at prior odds of 1 / records (about one match per record), "
        "i.e. whose Bayes factor is below this times the number of records",
    )
    em_max_iterations: int = Field(default=50, gt=0)
    em_convergence: float = Field(default=1e-4, gt=0)
    prior: Literal["em", "deterministic"] = Field(
        default="em",
        description="how the prior (probability two random records match) is set: from the "
        "EM passes, or from a strict deterministic rule and its assumed recall",
    )
    prior_recall: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="assumed recall of the deterministic rule used to estimate the prior",
    )
    term_frequency: bool = Field(
        default=True, description="term-frequency adjustment on name parts"
    )
    name_part_level: bool = Field(
        default=False,
        description="a name level for one name whose parts are a subset of the other's "
        "(credible.names' 'part': a grandfather's name or a title added or dropped); off "
        "by default: +0.002 to +0.003 F1 on simulated lists for 2.6 times the CPU at "
        "100k records (docs/benchmarks.md)",
    )
    county_size: bool = Field(
        default=False,
        description="scale the same-home-county levels by the county's size (sharing a "
        "small county is stronger evidence); off by default: it raised F1 on lists "
        "with identity numbers but lowered it on lists without them (docs/linkage.md)",
    )
    threads: int | None = Field(
        default=None, ge=1, description="DuckDB threads; None = DuckDB default"
    )

    @model_validator(mode="after")
    def _check_band(self) -> LinkSettings:
        if not self.review_lower <= self.review_upper:
            raise ValueError("review_lower must not exceed review_upper")
        if self.keep_pairs_above > self.review_lower:
            raise ValueError("keep_pairs_above must not exceed review_lower")
        if not self.blocking_rules or any(not r for r in self.blocking_rules):
            raise ValueError("blocking_rules must be a non-empty list of non-empty rules")
        return self
