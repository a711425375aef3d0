"""The policy's rules on hand-made cases whose outcome follows from the policy text,
property tests for monotonicity and independence, and policies that must be refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.assess import load_policy
from credible.assess.engine import claim_table, rank, weigh
from credible.assess.policy import default_policy_path
from credible.assess.sources import Source, chain_reliability, roots
from credible.errors import InputError

POLICY = load_policy()
RG, CC, BRD = POLICY.ordered_standards()

# FICTIONAL sources: two independent testimony series, a media outlet copying the first,
# an NGO list copying the media, and a ministry that denies.
SOURCES = {
    1: Source(1, "FICTIONAL archive", "testimony", "B", None, "restricted"),
    2: Source(2, "FICTIONAL interviews", "testimony", "C", None, "restricted"),
    3: Source(3, "FICTIONAL media", "media", "C", 1, "public"),
    4: Source(4, "FICTIONAL ngo", "ngo_list", "D", 3, "public"),
    5: Source(5, "FICTIONAL ministry", "official_statement", "E", None, "public"),
    6: Source(6, "FICTIONAL rumour mill", "other", "F", None, "public"),
    7: Source(7, "FICTIONAL third", "testimony", "A", None, "restricted"),
}


def standard_of(claims: list[tuple[int, str, str]], sources: dict[int, Source] = SOURCES):
    """The standard one act meets from (source id, credibility, stance) claims."""
    allegations = pd.DataFrame(
        [
            {"id": i + 1, "external_id": f"C{i + 1}", "act_id": 1, "source_id": s,
             "credibility": c, "stance": stance}
            for i, (s, c, stance) in enumerate(claims)
        ],
        columns=["id", "external_id", "act_id", "source_id", "credibility", "stance"],
    )  # fmt: skip
    root = pd.Series(roots(sources))
    reliability = pd.Series(chain_reliability(sources))
    table = claim_table(allegations, pd.Series({1: 1}), reliability, root, POLICY)
    weighed = weigh(table, np.array([1]), POLICY)
    return weighed.table.loc[1, "standard_met"], weighed.table.loc[1]


S, X = "supports", "contradicts"


@pytest.mark.parametrize(
    ("claims", "expected", "why"),
    [
        ([(1, "2", S)], None, "one B2 account alone (0.64) is below one confirmed account (0.8)"),
        ([(1, "1", S)], RG, "one confirmed account from a usually reliable source (B1 = 0.8)"),
        ([(1, "3", S), (2, "3", S)], RG, "two independent accounts, 0.48 + 0.36 ≥ 0.5"),
        ([(1, "3", S), (3, "3", S)], None, "the media copies the archive: one source"),
        ([(1, "2", S), (3, "1", S), (4, "1", S)], None, "copies of copies are the same root"),
        ([(3, "1", S)], None, "the media (C) copies the archive (B): C1 = 0.6 < 0.8"),
        ([(4, "1", S), (2, "3", S)], RG, "NGO D1 (its chain's weakest link) + C3: 0.3 + 0.36"),
        ([(1, "2", S), (2, "2", S)], CC, "B2 + C2 = 1.12 from two independent sources"),
        ([(1, "1", S), (2, "1", S), (7, "1", S)], BRD, "0.8 + 0.6 + 1.0 = 2.4 from three"),
        ([(1, "2", S), (2, "2", S), (5, "1", X)], CC, "a denial from E1 weighs 0.1"),
        ([(1, "3", S), (2, "3", S), (7, "2", X)], None, "a denial A2 (0.8) outweighs 0.84"),
        ([(6, "1", S)], None, "a source graded F weighs nothing"),
        ([(7, "6", S)], None, "information graded 6 weighs nothing"),
        ([(6, "1", S), (7, "6", S), (6, "2", S)], None, "unjudgeable claims never add up"),
        ([(5, "1", X)], None, "a denial alone establishes nothing"),
        ([(1, None, S), (2, None, S)], None, "claims with no credibility grade weigh nothing"),
    ],
)
def test_rule_cases(claims, expected, why) -> None:
    met, _ = standard_of(claims)
    assert met == expected, why


def test_a_contradicting_claim_never_counts_as_support() -> None:
    _, row = standard_of([(1, "2", S), (2, "1", X)])
    assert row["support"] == pytest.approx(0.64)
    assert row["usable_roots"] == 1
    assert row["contradiction"] == pytest.approx(0.6)


claim = st.tuples(
    st.sampled_from(sorted(SOURCES)),
    st.sampled_from(["1", "2", "3", "4", "5", "6"]),
    st.sampled_from([S, X]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(claim, max_size=8), claim)
def test_more_support_never_lowers_the_standard(claims, extra) -> None:
    before, _ = standard_of(claims)
    after, _ = standard_of([*claims, (extra[0], extra[1], S)])
    assert rank(POLICY, after) >= rank(POLICY, before)


@settings(max_examples=60, deadline=None)
@given(st.lists(claim, min_size=1, max_size=8), st.data())
def test_copies_never_add_corroboration(claims, data) -> None:
    """Repeating any claim through a source derived from its own source changes nothing."""
    before, row_before = standard_of(claims)
    copied = data.draw(st.sampled_from(claims))
    copy_source = Source(99, "FICTIONAL copyist", "media", "A", copied[0], "public")
    after, row_after = standard_of(
        [*claims, (99, copied[1], copied[2])], {**SOURCES, 99: copy_source}
    )
    # Graded A itself, the copy is still only as reliable as what it copies.
    assert after == before
    assert row_after["support"] == pytest.approx(row_before["support"])
    assert row_after["usable_roots"] == row_before["usable_roots"]
    assert row_after["independent_sources"] == row_before["independent_sources"]


def test_a_derived_from_cycle_is_an_input_error_naming_it() -> None:
    cyclic = {
        1: Source(1, "FICTIONAL a", "media", "C", 3, "public"),
        2: Source(2, "FICTIONAL b", "media", "C", 1, "public"),
        3: Source(3, "FICTIONAL c", "media", "C", 2, "public"),
    }
    with pytest.raises(InputError, match="cycle") as err:
        roots(cyclic)
    assert "FICTIONAL a" in str(err.value) and "FICTIONAL c" in str(err.value)


def _policy_file(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["weights"]["reliability"].update(D=0.9), "weighs more than"),
        (lambda d: d["weights"]["credibility"].update({"6": 0.1}), "must weigh 0"),
        (lambda d: d["weights"]["reliability"].update(F=0.05), "must weigh 0"),
        (
            lambda d: d["standards"]["beyond_reasonable_doubt"]["any_of"][0].update(
                min_independent_sources=1
            ),
            "a stronger standard must ask at least as much",
        ),
        (
            lambda d: d["standards"]["clear_and_convincing"]["any_of"][0].update(min_support=0.1),
            "a stronger standard must ask at least as much",
        ),
        (lambda d: d["standards"].pop("clear_and_convincing"), "standards must give exactly"),
        (lambda d: d["weights"]["reliability"].pop("C"), "exactly the grades"),
        (lambda d: d.update(extra_key=1), "Extra inputs"),
    ],
)
def test_a_policy_that_is_not_monotone_is_refused(tmp_path: Path, change, message) -> None:
    with pytest.raises(InputError, match=message):
        load_policy(_policy_file(tmp_path, change))


def test_the_shipped_policy_cites_a_source_for_every_rule() -> None:
    assert POLICY.weights.cite and POLICY.independence.cite and POLICY.contradictions.cite
    for code in POLICY.ordered_standards():
        assert len(POLICY.standards[code].cite) > 40, code


def test_a_policy_with_aliases_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yml"
    path.write_text('a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n', encoding="utf-8")
    with pytest.raises(InputError, match="aliases"):
        load_policy(path)
