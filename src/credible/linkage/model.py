"""The Fellegi–Sunter model: comparisons and blocking rules, written once for both backends.

Comparisons are plain SQL over the columns ``prepare_records`` computes, written as
functions of a dialect's SQL function names (``splink_adapter.SqlFunctions``: only the
names of the Jaro–Winkler, Levenshtein and array-overlap functions differ between DuckDB
and Spark), so that Splink renders the same model for either backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from splink import block_on
from splink.blocking_rule_library import CustomRule

from credible.linkage.blocking import BlockSpec, parse_rule
from credible.linkage.settings import LinkSettings
from credible.linkage.splink_adapter import (
    BlockingRule,
    ComparisonSpec,
    Level,
    SqlFunctions,
    splink_comparison,
)
from credible.linkage.udf import NAME_MATCH_LEVEL, NAME_SIMILARITY

#: Jaro–Winkler on the romanised parts at or above which two parts are "similar".
PART_SIMILAR = 0.9
#: credible.names similarity of the whole names at or above which they are "alike".
WHOLE_NAME_ALIKE = 0.8


@dataclass(frozen=True)
class _NameTests:
    """The SQL tests the name comparison's levels are made of."""

    in_order: str
    swapped: str
    one_part: str
    across_scripts: str
    whole: str
    part_of: str
    nothing_shared: str


def _name_tests(f: SqlFunctions) -> _NameTests:
    jw, overlap = f.jaro_winkler, f.arrays_overlap

    def alike(a: str, b: str) -> str:
        keys = f"{overlap}(keys{a}_l, keys{b}_r)"
        return f"({keys} OR {jw}(n{a}_rom_l, n{b}_rom_r) >= {PART_SIMILAR})"

    def coarse(a: str, b: str) -> str:
        return f"{overlap}(ckeys{a}_l, ckeys{b}_r)"

    one_part = f"({alike('1', '1')} OR {alike('2', '2')} OR {alike('1', '2')} OR {alike('2', '1')})"
    return _NameTests(
        in_order=f"{alike('1', '1')} AND {alike('2', '2')}",
        swapped=f"{alike('1', '2')} AND {alike('2', '1')}",
        one_part=one_part,
        # Both parts alike only in the skeleton that survives Chinese transcription
        # (吐尔洪 and Turghun), in either order, one name being in Chinese characters:
        # weaker than "similar", far stronger than one part.
        across_scripts=(
            "(name_han_l OR name_han_r) AND "
            f"(({coarse('1', '1')} AND {coarse('2', '2')}) "
            f"OR ({coarse('1', '2')} AND {coarse('2', '1')}))"
        ),
        # Only where the parts may have been read wrong: a name of one part (a Chinese
        # name written without the middle dot is one word), or a name in Chinese
        # characters whose parts matched none of the other's. Elsewhere the parts have
        # been compared already, and the function ran on 8 of every 10 blocked pairs of a
        # 100,000-record list, two thirds of the time of scoring them.
        whole=(
            "(n2_rom_l IS NULL OR n2_rom_r IS NULL "
            f"OR ((name_han_l OR name_han_r) AND NOT {one_part})) "
            f"AND ({overlap}(name_keys_l, name_keys_r) "
            f"OR {jw}(name_sorted_l, name_sorted_r) >= 0.7) "
            f"AND {NAME_SIMILARITY}(name_display_l, name_display_r) >= {WHOLE_NAME_ALIKE}"
        ),
        # One name is the other with parts left out or added (a grandfather's name, an
        # honorific: Sabit Damolla Abdulbaqi / Sabit Abdulbaqi): ``credible.names``'
        # "part" level (issue 19), asked only of pairs that share a name key and that no
        # stronger level took.
        part_of=(
            f"{overlap}(name_keys_l, name_keys_r) "
            f"AND {NAME_MATCH_LEVEL}(name_display_l, name_display_r) >= 1"
        ),
        # What every later level needs at least one of; without any, the names differ.
        # Tested first because it is cheap and decides most random pairs, which otherwise
        # run every test of every level (u sampling took three quarters of a
        # 10,000-record run).
        nothing_shared=(
            f"NOT coalesce({overlap}(name_keys_l, name_keys_r), FALSE) "
            "AND NOT (coalesce(name_han_l OR name_han_r, FALSE) "
            f"AND coalesce({overlap}(ckeys_l, ckeys_r), FALSE)) "
            f"AND coalesce({jw}(name_sorted_l, name_sorted_r), 0) < 0.7 "
            + " ".join(
                f"AND coalesce({jw}(n{a}_rom_l, n{b}_rom_r), 0) < {PART_SIMILAR}"
                for a, b in (("1", "1"), ("2", "2"), ("1", "2"), ("2", "1"))
            )
        ),
    )


#: The name levels that carry a term-frequency adjustment, and on which column. Exact
#: agreement is adjusted by the canonical romanised name. The same name written in two
#: scripts or two spellings lands on "similar parts, same order", not on the exact level:
#: without an adjustment a common name in Arabic script and Chinese characters counted as
#: much as a rare one. Its frequency is that of the name's phonetic keys, which every
#: writing of it shares (Splink takes the commoner of the two records' when they
#: differ). F1, seeds 7 and 11: 10k +0.002 and +0.003, 100k +0.005 and +0.001. On the
#: swapped and one-part levels the same adjustment lowered F1 (100k: 0.797 and 0.784
#: against 0.801), so not there. By label, not position: a level inserted above one once
#: moved the adjustment onto "nothing in common", where it multiplied random pairs'
#: evidence.
NAME_TERM_FREQUENCIES = {
    "same parts, same order": "name_ordered",
    "similar parts, same order": "name_key",
}


def _name(f: SqlFunctions, tf: bool, part_level: bool = False) -> list[Level]:
    """The given name and the father's (or family) name, compared part by part.

    Uyghur names are a given name and the father's given name, so "Tursun Yunus" and
    "Yunus Tursun" are a son and a father as often as one person written both ways;
    sharing one part (Memet Tursun, Tursunjan Kerim) says little. So the levels keep
    the order apart: both parts in order, both swapped, one part only. Parts are
    compared by their ``credible.names`` keys (any reading shared) or by Jaro–Winkler
    on their canonical romanised form; the whole-name similarity of
    ``credible.names`` catches names the parts miss (unsplit Chinese names). Exact
    agreement carries a term-frequency adjustment on the canonical romanised name, and
    similar parts in order one on the name's phonetic keys, so that sharing a common
    name counts for less than sharing a rare one, in one script or across two
    (``NAME_TERM_FREQUENCIES``).
    """
    t = _name_tests(f)
    levels = [
        Level("null", "name_display_l IS NULL OR name_display_r IS NULL", null=True),
        # Every test in it is coalesced already, so it is never NULL; a coalesce around
        # it would also stop DuckDB from skipping the later tests of a pair that failed
        # an earlier one (u sample of FEBRL 3: 1.5 CPU s against 1.3).
        Level("nothing in common", t.nothing_shared),
        Level("same parts, same order", "name_ordered_l = name_ordered_r"),
        Level("similar parts, same order", t.in_order),
        Level("same parts, swapped", "n1_rom_l = n2_rom_r AND n2_rom_l = n1_rom_r"),
        Level("similar parts, swapped", t.swapped),
        Level("parts alike across scripts", t.across_scripts),
        Level(
            "one part given, and it agrees",
            f"(n2_rom_l IS NULL OR n2_rom_r IS NULL) AND {t.one_part}",
        ),
        Level("whole names alike", t.whole),
        *([Level("one name part of the other", t.part_of)] if part_level else []),
        Level("one part agrees, one differs", t.one_part),
        Level("different", "ELSE"),
    ]
    if not tf:
        return levels
    return [replace(lv, tf_column=NAME_TERM_FREQUENCIES.get(lv.label)) for lv in levels]


#: Days two full birth dates may differ by as a keying slip (a day, a month).
CLERICAL_DAYS = 31


def _birth_date(f: SqlFunctions) -> list[Level]:
    same_y = "birth_year_l = birth_year_r"
    same_ym = f"{same_y} AND birth_month_l = birth_month_r"
    mid_gap = "abs((birth_ymin_l + birth_ymax_l) - (birth_ymin_r + birth_ymax_r))"
    return [
        Level("null", "birth_ymin_l IS NULL OR birth_ymin_r IS NULL", null=True),
        Level("same date", f"{same_ym} AND birth_day_l = birth_day_r"),
        Level("same year and month", same_ym),
        Level("full dates one digit apart", f"{f.levenshtein}(birth_ymd_l, birth_ymd_r) <= 1"),
        Level(
            f"full dates within {CLERICAL_DAYS} days",
            f"abs(birth_days_l - birth_days_r) <= {CLERICAL_DAYS}",
        ),
        # Two full dates that differ by more than a slip of the pen: evidence against,
        # even within one year (a police list's dates come from identity cards).
        Level("full dates differ", "birth_ymd_l IS NOT NULL AND birth_ymd_r IS NOT NULL"),
        Level("same year", same_y),
        Level(
            "year ranges overlap",
            "birth_ymin_l <= birth_ymax_r AND birth_ymin_r <= birth_ymax_l",
        ),
        Level("within 2 years", f"{mid_gap} <= 4"),
        Level("different", "ELSE"),
    ]


#: Days between two stated detention dates still counted as "close": lists record the
#: arrest, the admission to a facility or the day a family lost contact.
DETENTION_CLOSE_DAYS = 60


def _detained(tf: bool) -> list[Level]:
    """When the person was detained: police lists give a day, testimonies often a month
    or a year. Agreement on a day among people detained over three years is strong
    evidence; dates far apart count against, but weakly (a transfer is a new date)."""
    mid_gap = "abs((detained_lo_l + detained_hi_l) - (detained_lo_r + detained_hi_r))"
    return [
        Level("null", "detained_lo_l IS NULL OR detained_lo_r IS NULL", null=True),
        # Term-frequency adjusted: whole groups were taken on one day, and a camp that
        # opened took in everyone held for it that day.
        Level(
            "same day",
            "detained_day_l = detained_day_r",
            tf_column="detained_day" if tf else None,
        ),
        Level("same month", "detained_month_l = detained_month_r"),
        Level(f"within {DETENTION_CLOSE_DAYS} days", f"{mid_gap} <= {2 * DETENTION_CLOSE_DAYS}"),
        Level(
            "ranges overlap", "detained_lo_l <= detained_hi_r AND detained_lo_r <= detained_hi_l"
        ),
        Level("different", "ELSE"),
    ]


def _exact(col: str, tf: bool = False) -> list[Level]:
    return [
        Level("null", f"{col}_l IS NULL OR {col}_r IS NULL", null=True),
        Level("same", f"{col}_l = {col}_r", tf_column=col if tf else None),
        Level("different", "ELSE"),
    ]


#: Jaro-Winkler below which two place spellings are not handed to the (Python) name
#: similarity function: places outside the gazetteer (FEBRL's suburbs) sent every
#: random pair of the u sample to it, two thirds of a 5,000-record run's time.
PLACE_PREFILTER = 0.7


def _spelt_alike(f: SqlFunctions, col: str) -> str:
    return (
        f"({f.jaro_winkler}({col}_l, {col}_r) >= {PLACE_PREFILTER} "
        f"AND {NAME_SIMILARITY}({col}_l, {col}_r) >= 0.85)"
    )


def _place(f: SqlFunctions, col: str, key: str, county: str, tf: bool) -> list[Level]:
    """A county as written in any script: the gazetteer id first, then spelling."""
    null, same, different = _exact(col, tf=tf)
    return [
        null,
        same,
        Level("same county", f"{county}_l = {county}_r"),
        Level("different county", f"{county}_l <> {county}_r"),
        Level("same place key", f"{key}_l = {key}_r"),
        Level("similar spelling", _spelt_alike(f, col)),
        different,
    ]


def _where(f: SqlFunctions) -> list[Level]:
    """Home county and detention facility, compared together.

    The two are far from independent: most people are held in a facility of their own
    county, so two namesakes from one county often name the same camp as well. Scored
    as separate comparisons, the same fact would count twice and merge namesakes; one
    comparison over both lets EM learn what each combination is worth. The facility is
    compared as county, kind and number (``facilities``), so a camp named in Chinese
    and in Kazakh is the same facility. Naming different facilities is weak evidence
    against a match: people are moved, and lists record different stages.
    """
    county_same = "residence_county_l = residence_county_r"
    spelled_same = (
        "(residence_county_l IS NULL OR residence_county_r IS NULL) AND "
        f"(residence_key_l = residence_key_r OR {_spelt_alike(f, 'residence_rom')})"
    )
    home = {
        "null": "(residence_rom_l IS NULL OR residence_rom_r IS NULL)",
        "same": f"({county_same} OR ({spelled_same}))",
    }
    held = {
        "null": "(facility_key_l IS NULL OR facility_key_r IS NULL)",
        "same": "facility_key_l = facility_key_r",
    }
    # The facility first: it decides most pairs cheaply, and the spelling function is
    # called once per batch of rows that reach it, at a cost even for a few rows.
    return [
        Level("null", f"{home['null']} AND {held['null']}", null=True),
        Level("same home, same facility", f"{held['same']} AND {home['same']}"),
        Level("home unknown, same facility", f"{home['null']} AND {held['same']}"),
        Level("other home, same facility", held["same"]),
        Level("same home, facility unknown", f"{held['null']} AND {home['same']}"),
        # Pairs with a facility unknown are all taken above or just below: testing the
        # home again on them ran the spelling function twice over on places outside the
        # gazetteer (a third of the u sample's time on FEBRL).
        Level("same home, other facility", f"NOT {held['null']} AND {home['same']}"),
        Level("other home, facility unknown", held["null"]),
        Level("home unknown, other facility", home["null"]),
        Level("other home, other facility", "ELSE"),
    ]


def _id_number(f: SqlFunctions) -> list[Level]:
    """The resident identity number, on its first 17 digits (the check digit repeats
    them). A number copied by hand loses a digit or swaps two; two numbers that both
    pass the check digit and differ belong to two people (the check digit catches every
    single slip, so two valid numbers are never one number mistyped)."""
    not_both_valid = "NOT (coalesce(id_valid_l, FALSE) AND coalesce(id_valid_r, FALSE))"
    lev = f"{f.levenshtein}(id17_l, id17_r)"
    return [
        Level("null", "id17_l IS NULL OR id17_r IS NULL", null=True),
        Level("same number", "id17_l = id17_r"),
        Level(
            "one digit off or two swapped",
            f"{not_both_valid} AND ({lev} <= 1 OR (id_sorted_l = id_sorted_r AND {lev} <= 2))",
        ),
        Level("two valid numbers differ", "id_valid_l AND id_valid_r"),
        Level("same region and birth date", "id_rb_l = id_rb_r"),
        Level("different", "ELSE"),
    ]


def _village(f: SqlFunctions) -> list[Level]:
    """Township and village of residence. Villages are numbered within a township, so a
    village agrees only with its township; a township in one script and another meets
    on its name keys."""
    town = f"{f.arrays_overlap}(township_keys_l, township_keys_r)"
    no_town = "(township_keys_l IS NULL OR township_keys_r IS NULL)"
    no_village = "(village_key_l IS NULL OR village_key_r IS NULL)"
    return [
        Level("null", f"{no_town} AND {no_village}", null=True),
        Level("same township and village", f"{town} AND village_key_l = village_key_r"),
        Level("same township, village not in both", f"{town} AND {no_village}"),
        Level("same township, other village", town),
        Level(
            "same village, township not in both",
            f"{no_town} AND village_key_l = village_key_r",
        ),
        Level("different", "ELSE"),
    ]


def _relatives(f: SqlFunctions) -> list[Level]:
    """Relatives named in both records: a relative's name (by ``credible.names`` keys
    of its given and father's name) or number in common."""
    return [
        Level("null", "rel_keys_l IS NULL OR rel_keys_r IS NULL", null=True),
        Level("a relative in common", f"{f.arrays_overlap}(rel_keys_l, rel_keys_r)"),
        Level("none in common", "ELSE"),
    ]


#: Key of a stored model that holds what Splink's settings cannot: the prior odds of each
#: pair of lists of the list-aware model (``credible.linkage.exclusive``).
CREDIBLE_KEY = "credible"


def leave_one_out_tf(values: pd.Series, name: str) -> pd.DataFrame:
    """The term-frequency table of a column (``name``, ``tf_<name>``), leave-one-out.

    A term-frequency adjustment divides a pair's evidence by the chance that the other
    record of a non-matching pair has the value. Splink counts that chance over every
    record, the record itself included, which doubles it for a name two records share
    and makes every rare name look commoner than it is; here a value held by k of n
    records has (k - 1) / (n - 1). (A value held once has 1 / (n - 1): no pair agrees on
    it, but a table lookup must not divide by zero.) On 100,000 simulated records
    (seed 7) the pairs scored 0.3-0.4 were matches 38 % of the time with Splink's count
    and 36 % with this one.
    """
    given = values.dropna()
    if given.dtype == object or pd.api.types.is_string_dtype(given):
        given = given[given != ""]
    counts = given.value_counts()
    others = max(len(given) - 1, 1)
    tf = np.maximum(counts.to_numpy() - 1, 1) / others
    return pd.DataFrame({name: counts.index, f"tf_{name}": tf})


#: The "where" levels on which two records give the same home county.
SAME_HOME_LEVELS = (
    "same home, same facility",
    "same home, facility unknown",
    "same home, other facility",
)


def county_size_factor(
    county: pd.Series, left: np.ndarray, right: np.ndarray, same_home: np.ndarray
) -> np.ndarray:
    """Per pair, how much rarer (above 1) or commoner (below 1) than the average county
    the home county the two records share is: a term-frequency adjustment of the
    "where" comparison's same-home levels, as a Bayes factor to multiply in.

    The level's u is the chance that a random pair shares a county, averaged over the
    counties; but counties differ in size fortyfold (0.5 % to 19 % of the records of
    10,000 simulated people), and sharing a small county is far stronger evidence than
    sharing a large one. Splink's own adjustment would replace the level's u by the
    county's frequency and so drop the facility the level also compares; this keeps it
    and scales by the county alone: (average chance of a shared county) / (this
    county's, leave-one-out as ``leave_one_out_tf``). Without it the pairs of a small
    county, often its only candidates, were matches far more often than scored
    (development seed 5, 10k records: a Platt intercept of +1.5 nats for pairs with no
    rival against +0.7 for the rest). Pairs not in ``same_home`` or without a county
    (a home compared by its spelling) keep 1. Known problem: the share is counted over
    all lists, not per pair of lists; on lists without identity numbers (100k records)
    it promoted namesakes of small counties and lowered F1 (docs/benchmarks.md)."""
    given = county.dropna()
    counts = given.value_counts()
    out = np.ones(len(left))
    n = len(given)
    if n < 2 or len(counts) < 2:
        return out
    shared = float((counts * (counts - 1)).sum()) / (n * (n - 1))
    share = np.maximum(counts - 1, 1) / (n - 1)
    codes, uniques = pd.factorize(county)
    weight = shared / share.reindex(uniques).to_numpy(float)
    here = codes[left]
    known = same_home & (here >= 0) & (here == codes[right])
    out[known] = weight[here[known]]
    return out


def every_comparison() -> list[ComparisonSpec]:
    """Every comparison any settings may use, each way settings can write it (the name
    with and without its part level)."""
    plain = comparisons(LinkSettings(exclusive=False))
    with_part = comparisons(LinkSettings(exclusive=False, name_part_level=True))
    return plain + [c for c in with_part if c.name == "name"]


def splink_spec(model: dict[str, Any]) -> dict[str, Any]:
    """A stored model without credible's own key, as Splink reads it."""
    return {k: v for k, v in model.items() if k != CREDIBLE_KEY}


def list_odds(model: dict[str, Any]) -> dict[tuple[str, str], float]:
    """The stored prior odds by (list, list), both orders; empty for a pairwise model."""
    stored = model.get(CREDIBLE_KEY, {}).get("list_odds")
    if not stored:
        return {}
    names, odds = stored["lists"], stored["odds"]
    return {(a, b): float(odds[i][j]) for i, a in enumerate(names) for j, b in enumerate(names)}


def list_repeat(model: dict[str, Any]) -> dict[str, float]:
    """The stored continuation probability of each list (how readily it repeats a
    person, ``credible.linkage.exclusive``); empty for a model stored without it."""
    stored = model.get(CREDIBLE_KEY, {}).get("list_odds") or {}
    repeat = stored.get("repeat", [])
    return {a: float(b) for a, b in zip(stored.get("lists", []), repeat, strict=False)}


def comparisons(settings: LinkSettings, present: set[str] | None = None) -> list[ComparisonSpec]:
    """The comparisons of the model, for any backend (``splink_adapter.ComparisonSpec``).

    With ``present`` (the columns that hold any value), comparisons of empty columns are
    left out: they carry no evidence and EM cannot estimate them.
    """
    tf = settings.term_frequency
    every = [
        _spec(
            "name",
            "given and father's name, part by part, any script",
            lambda f: _name(f, tf, settings.name_part_level),
        ),
        _spec(
            "birth_date",
            "partial birth date: day, month, year or a range of years",
            _birth_date,
        ),
        _spec("sex", "recorded sex", lambda f: _exact("sex")),
        _spec(
            "birthplace_rom",
            "birthplace (county)",
            lambda f: _place(f, "birthplace_rom", "birthplace_key", "birthplace_county", tf),
        ),
        _spec("where", "home county and detention facility (any script)", _where),
        _spec("detained", "date of detention: day, month or a range", lambda f: _detained(tf)),
        _spec("ethnicity_norm", "ethnicity as recorded", lambda f: _exact("ethnicity_norm")),
        _spec("id_number", "resident identity number (GB 11643-1999)", _id_number),
        _spec("village", "township and village of residence", _village),
        _spec("relatives", "relatives named in the record", _relatives),
    ]
    if not settings.exclusive:
        # The list-aware model has a prior for every pair of lists, which says how often
        # lists repeat a person; a "same list" comparison would count that twice.
        every.append(
            _spec(
                "source",
                "same source list (lists seldom repeat a person; EM learns how often)",
                lambda f: _exact("source"),
            )
        )
    if present is None:
        return every
    return [c for c in every if COMPARISON_COLUMNS[c.name] & present]


def _spec(
    name: str, description: str, levels: Callable[[SqlFunctions], list[Level]]
) -> ComparisonSpec:
    return ComparisonSpec(name, description, lambda f: _starting_m(name, levels(f)))


def _starting_m(name: str, levels: list[Level]) -> list[Level]:
    """Starting values for EM: most matches agree, few disagree outright.

    EM finds a local optimum. From Splink's flat defaults, a pass blocked on name key
    and county settled on a "match" class full of namesakes, with 29 % of matches born
    more than two years apart (on simulated truth it is 1 %); starting from "matches
    mostly agree" it finds the matches. The values are only starting points.
    """
    n = sum(not lv.null for lv in levels)
    if name == "source":
        start = [0.2, 0.8]  # lists seldom repeat a person
    else:
        agree = [0.5**i for i in range(n - 1)]
        total = sum(agree)
        start = [0.95 * a / total for a in agree] + [0.05]
    m = iter(start)
    return [lv if lv.null else replace(lv, m=next(m)) for lv in levels]


#: The levels of each comparison that say "these records disagree outright". How often
#: true matches land there is a recording-error rate, capped by ``m_disagree_max``.
DISAGREEMENT_LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("nothing in common", "different"),
    "birth_date": ("full dates differ", "different"),
    "sex": ("different",),
    "birthplace_rom": ("different county", "different"),
    "where": ("other home, facility unknown", "other home, other facility"),
    "ethnicity_norm": ("different",),
    "detained": ("different",),
    "id_number": ("two valid numbers differ", "different"),
    "village": ("different",),
}


#: The column whose presence makes each comparison worth having.
COMPARISON_COLUMNS: dict[str, set[str]] = {
    "name": {"name_display"},
    "birth_date": {"birth_ymin"},
    "sex": {"sex"},
    "birthplace_rom": {"birthplace_rom"},
    "where": {"residence_rom", "facility_key"},
    "ethnicity_norm": {"ethnicity_norm"},
    "detained": {"detained_lo"},
    "id_number": {"id17"},
    "village": {"township_keys", "village_key"},
    "relatives": {"rel_keys"},
    "source": {"source"},
}


def training_rules(settings: LinkSettings, present: set[str]) -> list[list[str] | str]:
    """The EM passes: the settings' own, or passes chosen from the columns present.

    Each pass must select pairs that are mostly matches, or EM's "match" class drifts to
    some other structure (in a 10,000-record list, pairs sharing only a common name are
    mostly different people). So every pass joins two independent pieces of evidence;
    a pass estimates the m probabilities of the comparisons its rule does not use:

    - name key and birth year: sex, places, ethnicity;
    - name key, county (or place as written) and facility where lists give one: birth
      date, sex, ethnicity. Namesakes from one county are common in a large list; the
      facility keeps most of them out of this pass, or EM learns from them that matches
      often disagree on birth date;
    - full birth date and county: the name, sex, ethnicity.
    """
    if settings.training_rules is not None:
        return list(settings.training_rules)
    rules: list[list[str] | str] = []
    if "id17" in present:
        # Pairs with one identity number are nearly all matches: the cleanest pass.
        rules.append(["id17"])
    if "birth_year" in present:
        rules.append(["name_key", "birth_year"])
    place = next(
        (c for c in ("residence_county", "residence_rom", "birthplace_county") if c in present),
        None,
    )
    if place:
        rules.append(
            ["name_key", place, "facility_key"]
            if "facility_key" in present
            else ["name_key", place]
        )
    if "birth_ymd" in present:
        # With the county: at a million records, thousands share each birth date and
        # the pass would hold 150 random pairs for every match; EM's "match" class then
        # settled on same-list pairs and merged nothing.
        rules.append(["birth_ymd", place] if place else ["birth_ymd"])
    elif "birth_year" in present and "sex" in present:
        rules.append(["birth_year", "sex"])
    return rules or [["name_key"]]


def rule(spec: list[str] | str) -> BlockingRule:
    """A blocking rule from a list of columns that must be equal, or from raw SQL.

    A column written ``name[]`` is an array: records meet when any element is shared.
    """
    if isinstance(spec, str):
        return spec
    cols, arrays, _, either = parse_rule(spec)
    if either is None:
        return block_on(*cols, arrays_to_explode=arrays or None)
    equal = " AND ".join(f"l.{c} = r.{c}" for c in cols)
    return CustomRule(
        f"{equal} AND (l.{either} IS NULL OR r.{either} IS NULL)",
        arrays_to_explode=arrays or None,
    )


def block_rules(specs: Sequence[BlockSpec | str]) -> list[BlockingRule]:
    """Splink rules on the key columns of ``credible.linkage.blocking.capped_blocks``."""
    return [spec if isinstance(spec, str) else _block_rule(spec) for spec in specs]


def _block_rule(spec: BlockSpec) -> BlockingRule:
    explode = [spec.column] if spec.is_array else None
    if spec.either_null is None:
        return block_on(spec.column, arrays_to_explode=explode)
    col, other = spec.column, spec.either_null
    return CustomRule(
        f"l.{col} = r.{col} AND (l.{other} IS NULL OR r.{other} IS NULL)",
        arrays_to_explode=explode,
    )


def splink_settings(
    settings: LinkSettings,
    present: set[str] | None = None,
    blocks: Sequence[BlockSpec | str] | None = None,
) -> dict[str, Any]:
    """The Splink settings dictionary of an untrained model, for any backend."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "comparisons": [splink_comparison(c) for c in comparisons(settings, present)],
        "blocking_rules_to_generate_predictions": (
            block_rules(blocks)
            if blocks is not None
            else [rule(r) for r in settings.blocking_rules]
        ),
        # Scored pairs keep only ids, weights and levels: at a million records the
        # values and per-comparison weights would multiply the size of the largest
        # table. explain_pair recomputes them for the pair asked about.
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": settings.em_convergence,
        "max_iterations": settings.em_max_iterations,
    }
