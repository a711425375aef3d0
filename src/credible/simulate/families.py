"""What real lists know about a person and the simplest simulation did not: a resident
identity number, a township and village, a household (siblings who share their
father's name and village, a spouse), and the relatives a record names.

All of it is FICTIONAL and drawn from its own seeded generator after the base
population, so that ``credible simulate --no-id-numbers`` (which skips this module)
writes exactly the lists it wrote before. The choices and their sources are in
docs/simulation.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from credible.model import generate_id_number, xinjiang_regions
from credible.simulate.captures import HUI
from credible.simulate.population import Population
from credible.simulate.tables import Tables

#: Relations a record can name, as codes; ``RELATION_LABELS`` renders them per script.
FATHER, SIBLING, SPOUSE, CHILD = 0, 1, 2, 3
RELATIONS = ("father", "sibling", "spouse", "child")
#: Relatives held per person: father, up to two siblings, a spouse, a child.
SLOTS = 5

#: Township name stems (ULY, Chinese). Township names in Xinjiang are mostly Uyghur
#: words for a landscape feature (bulaq "spring", bagh "garden", östeng "canal",
#: toghraq "poplar"); these are common such words, not a gazetteer of real townships.
TOWNSHIP_STEMS = (
    ("Bostan", "博斯坦"),
    ("Toghraq", "托格拉克"),
    ("Aral", "阿热勒"),
    ("Bulaqbéshi", "布拉克贝希"),
    ("Qumbagh", "库木巴格"),
    ("Yéngiériq", "英也尔"),
    ("Tashériq", "塔什艾日克"),
    ("Baghchi", "巴格其"),
    ("Qarabagh", "卡拉巴格"),
    ("Toqquzaq", "托克扎克"),
    ("Opal", "乌帕尔"),
    ("Qizilboy", "克孜勒博依"),
    ("Yantaq", "羊塔克"),
    ("Tügmen", "吐格曼"),
    ("Bésheriq", "别什艾日克"),
    ("Döletbagh", "多来提巴格"),
    ("Aqtoghraq", "阿克托格拉克"),
    ("Saybagh", "色依巴格"),
    ("Yéngi Östeng", "英吾斯塘"),
    ("Tomösteng", "吐木吾斯塘"),
    ("Qoshériq", "阔什艾日克"),
    ("Arisheriq", "阿热希艾日克"),
    ("Ghojeriq", "霍加艾日克"),
    ("Kökyar", "阔克亚尔"),
)
#: Townships per county and villages (numbered, as village committees are: 3-kent, 3村)
#: per township: rural counties of the Tarim basin have 10-20 townships of 10-30
#: villages each.
TOWNSHIPS_PER_COUNTY = (8, 14)
VILLAGES_PER_TOWNSHIP = (8, 25)
#: Share of people drawn into sibling groups, and of the rest into married couples.
SIBLING_SHARE = 0.3
SPOUSE_SHARE = 0.12


@dataclass(frozen=True)
class Family:
    """Per person: township (index into ``township_stem`` of the county), village
    number, household, identity number, and relatives in ``SLOTS`` slots (relation code,
    given name, father's name, person index; -1 where empty)."""

    township: np.ndarray  # index into TOWNSHIP_STEMS
    village: np.ndarray  # 1..
    household: np.ndarray
    spouse: np.ndarray  # person index or -1
    id_number: np.ndarray  # str
    grandfather: np.ndarray  # given-name index: the father's father
    rel_kind: np.ndarray  # (n, SLOTS)
    rel_given: np.ndarray
    rel_father: np.ndarray
    rel_person: np.ndarray


def make_family(
    population: Population, tables: Tables, rng: np.random.Generator
) -> tuple[Population, Family]:
    """The population with households imposed (siblings share a father's name, a
    village and nearly an age), and everyone's family and identity number."""
    n = len(population)
    g = tables.given
    county = population.county
    n_town = rng.integers(*TOWNSHIPS_PER_COUNTY, size=len(tables.counties), endpoint=True)
    town_of_county = [
        rng.choice(len(TOWNSHIP_STEMS), size=k, replace=False) for k in n_town.tolist()
    ]
    pick = (rng.random(n) * n_town[county]).astype(np.int64)
    township = np.array([town_of_county[c][p] for c, p in zip(county, pick, strict=True)])
    village = rng.integers(VILLAGES_PER_TOWNSHIP[0], VILLAGES_PER_TOWNSHIP[1] + 1, size=n)
    village = 1 + (rng.random(n) * village).astype(np.int64)
    father = population.father.copy()
    family = population.family.copy()
    given = population.given.copy()
    birth = population.birth.copy()
    household = np.arange(n, dtype=np.int64)
    eth = population.latents.ethnicity
    # Sibling groups of 2 to 4 within one county and ethnicity: they take the first
    # one's father, family name, township and village, and are born within 8 years.
    chosen = np.flatnonzero(rng.random(n) < SIBLING_SHARE)
    key = county[chosen] * 3 + eth[chosen]
    chosen = chosen[np.lexsort((rng.random(chosen.size), key))]
    key = county[chosen] * 3 + eth[chosen]
    i = 0
    while i < chosen.size - 1:
        size = int(rng.integers(2, 5))
        group = chosen[i : i + size]
        group = group[key[i : i + size] == key[i]] if group.size else group
        i += max(len(group), 1)
        if group.size < 2:
            continue
        lead = group[0]
        rest = group[1:]
        father[rest], family[rest] = father[lead], family[lead]
        township[rest], village[rest], household[rest] = township[lead], village[lead], lead
        years = rng.integers(-8, 9, size=rest.size).astype("timedelta64[Y]")
        shifted = (birth[lead].astype("datetime64[Y]") + years).astype("datetime64[D]")
        birth[rest] = shifted + rng.integers(0, 365, size=rest.size).astype("timedelta64[D]")
        # Siblings are not given one name.
        for j in rest:
            while given[j] in given[group[group != j]]:
                mask = (g.ethnicity == g.ethnicity[given[j]]) & (g.sex == g.sex[given[j]])
                given[j] = g.choose(mask, 1, rng)[0]
    spouse = _marry(population, household, rng)
    # A wife lives in her husband's village, unless she is listed with her siblings
    # (then the lists know her by her father's household).
    alone = np.bincount(household, minlength=n)[household] == 1
    wives = np.flatnonzero((spouse >= 0) & ~population.male & alone)
    township[wives], village[wives] = township[spouse[wives]], village[spouse[wives]]
    grandfather = _grandfathers(population, household, tables, rng)
    pop = Population(
        population.latents,
        population.male,
        given,
        father,
        family,
        birth,
        county,
        population.facility,
        population.detained,
    )
    ids = _id_numbers(pop, tables, rng)
    kinds, rgiven, rfather, rperson = _relatives(pop, household, spouse, grandfather, tables, rng)
    return pop, Family(
        township, village, household, spouse, ids, grandfather, kinds, rgiven, rfather, rperson
    )


def _marry(population: Population, household: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Couples of a man and a woman of one county and ethnicity, not siblings."""
    n = len(population)
    spouse = np.full(n, -1, dtype=np.int64)
    key = population.county * 3 + population.latents.ethnicity
    wanted = rng.random(n) < SPOUSE_SHARE
    for is_male, other in ((True, False),):
        men = np.flatnonzero(wanted & (population.male == is_male))
        women = np.flatnonzero(wanted & (population.male == other))
        by_key: dict[int, list[int]] = {}
        for w in rng.permutation(women).tolist():
            by_key.setdefault(int(key[w]), []).append(w)
        for m in men.tolist():
            pool = by_key.get(int(key[m]))
            if pool and household[pool[-1]] != household[m]:
                w = pool.pop()
                spouse[m], spouse[w] = w, m
    return spouse


def _grandfathers(
    population: Population, household: np.ndarray, tables: Tables, rng: np.random.Generator
) -> np.ndarray:
    g = tables.given
    out = np.full(len(population), -1, dtype=np.int64)
    for code, name in enumerate(("uyghur", "kazakh")):
        sel = np.flatnonzero(population.latents.ethnicity == code)
        mask = (g.ethnicity == name) & (g.sex == "male")
        out[sel] = g.choose(mask, sel.size, rng)
    # One grandfather per household: siblings name the same father in full.
    return out[household]


def _id_numbers(pop: Population, tables: Tables, rng: np.random.Generator) -> np.ndarray:
    """A valid identity number per person, with the code of their county as it was
    when numbers were issued to adults (before Turpan, Hami and Kuqa were reorganised:
    a number keeps its first code)."""
    by_key: dict[str, str] = {}
    for r in sorted(xinjiang_regions().values(), key=lambda r: r.status != "current"):
        if r.key:
            by_key[r.key] = r.code
    retired = {"gaochang": "652101", "pichan": "652122", "toksun": "652123", "hami": "652201"}
    retired["kuqa"] = "652923"
    codes = np.array(
        [retired.get(k, by_key[k]) for k in tables.counties.key.tolist()], dtype=object
    )
    n = len(pop)
    seq = rng.integers(0, 500, size=n)
    out = np.empty(n, dtype=object)
    births = pop.birth.astype("datetime64[D]").astype(dt.date)
    seen: set[str] = set()
    for i in range(n):
        number = generate_id_number(codes[pop.county[i]], births[i], int(seq[i]), pop.male[i])
        while number in seen:  # one number, one person
            number = generate_id_number(
                codes[pop.county[i]], births[i], int(rng.integers(0, 500)), pop.male[i]
            )
        seen.add(number)
        out[i] = number
    return out


def _relatives(
    pop: Population,
    household: np.ndarray,
    spouse: np.ndarray,
    grandfather: np.ndarray,
    tables: Tables,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Slots: father (his given name and the grandfather's), up to two siblings in the
    population, the spouse, and for people over 35 often a child (named by their own
    given name and the person's, as Uyghur and Kazakh names are)."""
    n = len(pop)
    kinds = np.full((n, SLOTS), -1, dtype=np.int64)
    rgiven, rfather, rperson = (np.full((n, SLOTS), -1, dtype=np.int64) for _ in range(3))
    eth = pop.latents.ethnicity
    named = (eth != HUI) & (pop.father >= 0)
    kinds[named, 0], rgiven[named, 0], rfather[named, 0] = FATHER, pop.father[named], -1
    rfather[named, 0] = grandfather[named]
    order = np.argsort(household, kind="stable")
    hh = household[order]
    starts = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    ends = np.r_[starts[1:], n]
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if e - s < 2:
            continue
        members = order[s:e]
        for m in members.tolist():
            others = [o for o in members.tolist() if o != m][:2]
            for slot, o in enumerate(others, 1):
                kinds[m, slot], rgiven[m, slot] = SIBLING, pop.given[o]
                rfather[m, slot], rperson[m, slot] = pop.father[o], o
    married = np.flatnonzero(spouse >= 0)
    w = spouse[married]
    kinds[married, 3], rgiven[married, 3], rfather[married, 3] = SPOUSE, pop.given[w], pop.father[w]
    rperson[married, 3] = w
    age = 2018 - pop.birth.astype("datetime64[Y]").astype(np.int64) - 1970
    parent = np.flatnonzero((age > 35) & (eth != HUI) & (rng.random(n) < 0.6))
    g = tables.given
    child_male = rng.random(parent.size) < 0.5
    for is_male in (True, False):
        sel = parent[child_male == is_male]
        for code, name in enumerate(("uyghur", "kazakh")):
            these = sel[eth[sel] == code]
            mask = (g.ethnicity == name) & (g.sex == ("male" if is_male else "female"))
            kinds[these, 4] = CHILD
            rgiven[these, 4] = g.choose(mask, these.size, rng)
            # A child is named by the father's given name: a mother's husband's.
            husband = spouse[these]
            rfather[these, 4] = np.where(
                pop.male[these], pop.given[these], np.where(husband >= 0, pop.given[husband], -1)
            )
    return kinds, rgiven, rfather, rperson
