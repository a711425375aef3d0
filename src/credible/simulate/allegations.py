"""FICTIONAL acts and the allegations of them from several sources, with the truth.

The people of the testimony archive are the victims. Each suffered a set of true acts
(detention, and others at the rates of ``ACT_RATES``); sources then speak about them:

- the testimony archive (B) and an independent collection of witness interviews (C)
  give accounts of true acts, some of them mistaken (another facility, another date),
  and a few invented ones;
- media reports (C) repeat archive allegations (copies, ``derived_from`` the archive)
  and add a few unsourced stories, often false;
- an NGO compilation (D) repeats media reports (copies of copies);
- official statements (E) deny acts, mostly the publicised ones, whatever their truth.

An account that is right supports the act as it happened; a mistaken or invented one
makes an act row of its own, which the truth marks as not having happened. A copy
supports the act of what it copies and inherits its error. Every rate here is a choice
for a FICTIONAL scenario (docs/simulation.md gives the reasons), not a measurement.

Draws come from their own generator (``allegation_rng``), so the person lists do not
depend on anything here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from credible.simulate.lists import FICTIONAL, FICTIONAL_COLUMN
from credible.simulate.population import Facilities, Population
from credible.simulate.tables import Counties

STREAM = 0xA11E6  # spawn key of the allegations' random stream (any value but 0, 1, ...)

# Act types (vocab act_types) after the detention itself, with the chance a detainee
# suffered them, for a man / a woman. Rough shares for a FICTIONAL scenario, shaped after
# the kinds of allegations in OHCHR 2022 §V-VII, not measured frequencies.
ACT_RATES: dict[str, tuple[float, float]] = {
    "torture_or_ill_treatment": (0.35, 0.25),
    "sexual_and_gender_based_violence": (0.03, 0.15),
    "forced_medical_treatment": (0.05, 0.20),
    "forced_labour": (0.12, 0.10),
    "family_separation": (0.10, 0.15),
    "restriction_of_religious_practice": (0.20, 0.20),
    "enforced_disappearance": (0.05, 0.05),
    "death_in_custody": (0.01, 0.005),
}
TYPES = ("arbitrary_detention", *ACT_RATES)

EXCERPTS = {
    "arbitrary_detention": "{P} was taken from home without any charge and held at {f}.",
    "torture_or_ill_treatment": "At {f} they were beaten and kept in a tiger chair for days.",
    "sexual_and_gender_based_violence": "At {f} guards abused detainees at night.",
    "forced_medical_treatment": "At {f} detainees were given injections and pills.",
    "forced_labour": "From {f} detainees were sent to work in a factory without pay.",
    "family_separation": "Children went to a boarding school while parents were held at {f}.",
    "restriction_of_religious_practice": "At {f} prayer was forbidden and detainees sang songs.",
    "enforced_disappearance": "The family was never told where they were; last seen near {f}.",
    "death_in_custody": "The family was told of the death at {f}; the body was not returned.",
}
DENIALS = {
    "arbitrary_detention": "An official statement says {p} was never detained{at}; {p} "
    "attended vocational training of {q} own free will.",
    "other": "An official statement says nothing of the kind happened{at} and calls the "
    "claim a fabrication.",
}

# Who speaks of a true act. The archive holds the account of a victim or their family
# for DOCUMENTED of its people; a fellow detainee adds one now and then; the interviews
# reach some of the same acts independently; the media's own (unsourced) stories are few.
DOCUMENTED = 0.7
FIRST_HAND = 0.9  # chance a documented victim's account covers a given act
FELLOW = 0.15
INTERVIEWS = 0.3
MEDIA_OWN = 0.02
UNKNOWN_PLACE = 0.1  # victims who cannot say where they were held


@dataclass(frozen=True)
class Errors:
    """How a source errs in what it says itself (copies only inherit)."""

    fabricated: float  # share of its own claims that are invented
    mistaken_facility: float  # share of its accounts of true acts naming another facility
    mistaken_date: float  # ... and dating the act outside its true date


ERRORS = {
    "testimony_archive": Errors(0.02, 0.03, 0.05),
    "witness_interviews": Errors(0.05, 0.05, 0.08),
    "media_reports": Errors(0.40, 0.10, 0.10),
}
# What an invented story alleges: the gravest acts (never detention: every victim was
# detained, so a false detention claim is a mistaken one).
FABRICATED_TYPES = {
    "torture_or_ill_treatment": 0.30,
    "sexual_and_gender_based_violence": 0.20,
    "forced_medical_treatment": 0.15,
    "death_in_custody": 0.10,
    "enforced_disappearance": 0.10,
    "forced_labour": 0.08,
    "family_separation": 0.04,
    "restriction_of_religious_practice": 0.03,
}
# Chance the media repeat an archive allegation, by act type: the gravest make news.
MEDIA_PICK = {
    "arbitrary_detention": 0.05,
    "torture_or_ill_treatment": 0.20,
    "sexual_and_gender_based_violence": 0.40,
    "forced_medical_treatment": 0.30,
    "forced_labour": 0.15,
    "family_separation": 0.10,
    "restriction_of_religious_practice": 0.08,
    "enforced_disappearance": 0.25,
    "death_in_custody": 0.50,
}
NGO_PICK = 0.5  # chance the compilation repeats a media allegation
DENY_PUBLICISED = 0.5  # chance an act in the media or the compilation is denied
DENY_OTHER = 0.03  # ... an act alleged only in testimony
FALSE_DOWNGRADE = 0.35  # chance a false account of a source's own reads one grade worse


@dataclass(frozen=True)
class Source:
    name: str
    prefix: str  # of its allegations' external_id
    meta: dict[str, str]  # the mapping's source block
    credibility: tuple[float, ...]  # chance of grades 1..6 for its allegations
    lead: str = ""  # what its excerpts begin with
    copy_lead: str = ""  # ... when it repeats another source


ARCHIVE, INTERVIEW, MEDIA, NGO, OFFICIAL = range(5)
SOURCES = (
    Source(
        name="testimony_archive",
        prefix="TA",
        meta={"kind": "testimony", "reliability": "B", "confidentiality": "confidential"},
        credibility=(0.03, 0.37, 0.35, 0.12, 0.03, 0.10),
    ),
    Source(
        name="witness_interviews",
        prefix="WI",
        meta={
            "kind": "testimony",
            "reliability": "C",
            "confidentiality": "confidential",
            "description": "FICTIONAL interviews with former detainees abroad",
        },
        credibility=(0.02, 0.28, 0.40, 0.15, 0.05, 0.10),
        lead="A former detainee interviewed abroad said: ",
    ),
    Source(
        name="media_reports",
        prefix="MR",
        meta={
            "kind": "media",
            "reliability": "C",
            "confidentiality": "public",
            "derived_from": "testimony_archive",
            "description": "FICTIONAL news reports, mostly quoting the testimony archive",
        },
        credibility=(0.0, 0.15, 0.40, 0.20, 0.05, 0.20),
        lead="A news report says: ",
        copy_lead="A news report quotes a testimony: ",
    ),
    Source(
        name="ngo_compilation",
        prefix="NC",
        meta={
            "kind": "ngo_list",
            "reliability": "D",
            "confidentiality": "public",
            "derived_from": "media_reports",
            "description": "FICTIONAL compilation of press reports by an NGO",
        },
        credibility=(0.0, 0.08, 0.35, 0.22, 0.05, 0.30),
        copy_lead="A compilation of press reports says: ",
    ),
    Source(
        name="official_statements",
        prefix="OS",
        meta={
            "kind": "official_statement",
            "reliability": "E",
            "confidentiality": "public",
            "description": "FICTIONAL statements of officials answering allegations",
        },
        credibility=(0.0, 0.02, 0.10, 0.28, 0.30, 0.30),
    ),
)
FELLOW_LEAD = "A fellow detainee said: "

NONE, FABRICATED, MISTAKEN_FACILITY, MISTAKEN_DATE = range(4)
ERROR_CODES = ("none", "fabricated", "mistaken_facility", "mistaken_date")
ACT_HEADER = ["external_id", "type", "victim", "facility", "place", "date", "status",
              "description", FICTIONAL_COLUMN]  # fmt: skip
ALLEGATION_HEADER = ["external_id", "act", "excerpt", "credibility", "stance", FICTIONAL_COLUMN]
TRUTH_ACTS = ["external_id", "happened", "error"]
TRUTH_ALLEGATIONS = ["external_id", "act", "source", "stance", "true_claim", "copied_from"]


def allegation_rng(seed: int) -> np.random.Generator:
    """The allegations' own stream, independent of the one the lists are drawn from."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM,)))


@dataclass
class Allegations:
    """Rows per source (in import order; a source that says nothing has none) and the
    truth rows."""

    acts: dict[str, list[list[Any]]]
    allegations: dict[str, list[list[Any]]]
    truth_acts: list[list[str]]
    truth_allegations: list[list[str]]


@dataclass(frozen=True)
class _Victims:
    """The people of the testimony archive, in the archive's order."""

    record_id: np.ndarray  # external id of the person's first record
    male: np.ndarray
    facility: np.ndarray  # where held; -1 when the victim cannot say
    held: np.ndarray  # where held, said or not
    place: np.ndarray  # the county when the facility is not known, else ""
    detained: np.ndarray  # datetime64[D]
    suffered: np.ndarray  # (victims, TYPES) bool: the true acts
    documented: np.ndarray  # bool: the archive holds their own account


@dataclass
class _Accounts:
    """What sources say of their own (not copies): one entry per account."""

    source: np.ndarray
    lead: np.ndarray  # object
    victim: np.ndarray
    type: np.ndarray
    event: np.ndarray  # index of the true act told, -1 for an invention
    error: np.ndarray  # ERROR_CODES index


@dataclass
class _Acts:
    number: np.ndarray  # position in the numbering A-000001...
    type: np.ndarray  # index into TYPES
    victim: np.ndarray  # index of the victim
    facility: np.ndarray  # index into the facilities, -1 when not known
    day: np.ndarray  # datetime64[D] as alleged
    precision: np.ndarray  # 0 month, 1 approximate year, 2 two-year interval
    error: np.ndarray  # ERROR_CODES index
    first: np.ndarray  # the first source (in import order) that alleges it


@dataclass
class _Claims:
    """Allegations as parallel arrays (one entry each)."""

    source: np.ndarray
    act: np.ndarray  # index into the acts
    lead: np.ndarray  # object: the excerpt's opening
    body: np.ndarray  # object: the excerpt after its opening
    stance: np.ndarray  # object: supports / contradicts
    copied: np.ndarray  # index of the allegation copied, or -1
    false: np.ndarray  # bool: said falsely by this source itself

    @staticmethod
    def join(parts: list[_Claims]) -> _Claims:
        fields = _Claims.__dataclass_fields__
        return _Claims(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


def make_allegations(
    victim_ids: np.ndarray,
    people: np.ndarray,
    population: Population,
    facilities: Facilities,
    counties: Counties,
    rng: np.random.Generator,
) -> Allegations:
    """Acts and allegations about the people of the testimony archive (``people`` holds
    the person behind each of its records, ``victim_ids`` the records' external ids)."""
    victims = _victims(victim_ids, people, population, counties, rng)
    ev_v, ev_t = np.nonzero(victims.suffered)
    acc = _accounts(victims, ev_v, ev_t, rng)
    acts, act_of = _acts(acc, victims, ev_v, ev_t, facilities, rng)

    fac_name = np.concatenate([facilities.names["en"], np.array(["an unknown place"], object)])
    pronoun = np.where(victims.male, "He", "She")
    f, v = acts.facility[act_of], acts.victim[act_of]
    body = np.array(
        [EXCERPTS[TYPES[t]].format(f=fac_name[i], P=pronoun[j])
         for t, i, j in zip(acts.type[act_of], f, v, strict=True)],
        dtype=object,
    )  # fmt: skip
    n = len(act_of)
    claims = _Claims(acc.source, act_of, acc.lead, body, np.full(n, "supports", dtype=object),
                     np.full(n, -1), acc.error != NONE)  # fmt: skip
    media_pick = np.array([MEDIA_PICK[t] for t in TYPES])
    claims = _copies(claims, ARCHIVE, MEDIA, media_pick[acts.type[claims.act]], rng)
    claims = _copies(claims, MEDIA, NGO, np.full(len(claims.act), NGO_PICK), rng)
    at = np.where(acts.facility < 0, "", " at " + fac_name[acts.facility])
    claims = _denials(claims, acts.type, at, victims.male[acts.victim], rng)
    return _rows(claims, acts, victims, facilities.external_id, rng)


def _victims(
    ids: np.ndarray,
    people: np.ndarray,
    population: Population,
    counties: Counties,
    rng: np.random.Generator,
) -> _Victims:
    persons, first = np.unique(people, return_index=True)
    order = np.argsort(first)
    persons, first = persons[order], first[order]
    n = len(persons)
    male = population.male[persons]
    suffered = np.ones((n, len(TYPES)), dtype=bool)  # everyone was detained
    for j, rates in enumerate(ACT_RATES.values(), start=1):
        suffered[:, j] = rng.random(n) < np.where(male, rates[0], rates[1])
    documented = rng.random(n) < DOCUMENTED
    unknown = rng.random(n) < UNKNOWN_PLACE
    held = population.facility[persons]
    return _Victims(
        record_id=ids[first],
        male=male,
        facility=np.where(unknown, -1, held),
        held=held,
        place=np.where(unknown, counties.en[population.county[persons]], ""),
        detained=population.detained[persons],
        suffered=suffered,
        documented=documented,
    )


def _accounts(
    victims: _Victims, ev_v: np.ndarray, ev_t: np.ndarray, rng: np.random.Generator
) -> _Accounts:
    """Accounts of true acts (some mistaken), then inventions, source by source."""
    parts: list[_Accounts] = []
    tellers = [
        (ARCHIVE, "", victims.documented[ev_v] * FIRST_HAND),
        (ARCHIVE, FELLOW_LEAD, np.full(len(ev_v), FELLOW)),
        (INTERVIEW, SOURCES[INTERVIEW].lead, np.full(len(ev_v), INTERVIEWS)),
        (MEDIA, SOURCES[MEDIA].lead, np.full(len(ev_v), MEDIA_OWN)),
    ]
    for src, opening, chance in tellers:
        ev = np.flatnonzero(rng.random(len(ev_v)) < chance)
        err = _errors(ERRORS[SOURCES[src].name], victims.facility[ev_v[ev]] < 0, rng)
        parts.append(_Accounts(np.full(len(ev), src), np.full(len(ev), opening, dtype=object),
                               ev_v[ev], ev_t[ev], ev, err))  # fmt: skip
    for src in (ARCHIVE, INTERVIEW, MEDIA):
        told = sum(len(p.source) for p in parts if p.source[:1].tolist() == [src])
        rate = ERRORS[SOURCES[src].name].fabricated
        v, t = _inventions(rng.binomial(told, rate / (1 - rate)), victims.suffered, rng)
        lead = np.full(len(v), SOURCES[src].lead, dtype=object)
        if src == ARCHIVE:  # told as a victim's or a fellow detainee's account, alike
            fellow = rng.random(len(v)) < FELLOW / (FELLOW + DOCUMENTED * FIRST_HAND)
            lead[fellow] = FELLOW_LEAD
        parts.append(_Accounts(np.full(len(v), src), lead, v, t, np.full(len(v), -1),
                               np.full(len(v), FABRICATED)))  # fmt: skip
    fields = _Accounts.__dataclass_fields__
    return _Accounts(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


def _acts(
    acc: _Accounts,
    victims: _Victims,
    ev_v: np.ndarray,
    ev_t: np.ndarray,
    facilities: Facilities,
    rng: np.random.Generator,
) -> tuple[_Acts, np.ndarray]:
    """One act per true act someone told rightly, one per false account; and the act of
    each account."""
    right = acc.error == NONE
    told = np.unique(acc.event[right])
    first_right = np.full(len(ev_v), len(SOURCES))
    np.minimum.at(first_right, acc.event[right], acc.source[right])
    wrong = np.flatnonzero(~right)
    victim = np.concatenate([ev_v[told], acc.victim[wrong]])
    error = np.concatenate([np.full(len(told), NONE), acc.error[wrong]])
    first = np.concatenate([first_right[told], acc.source[wrong]])
    n = len(victim)
    facility = victims.facility[victim]
    day = victims.detained[victim]
    precision = rng.integers(0, 3, n)
    mf = error == MISTAKEN_FACILITY
    facility[mf] = _other_facility(facility[mf], facilities, rng)
    md = error == MISTAKEN_DATE
    day[md] = _shifted(day[md], precision[md], rng)
    # An invention names a place: where the victim was held, or somewhere else.
    fab = np.flatnonzero(error == FABRICATED)
    elsewhere = rng.random(len(fab)) < 0.4
    facility[fab] = np.where(
        elsewhere, rng.integers(0, len(facilities), len(fab)), victims.held[victim[fab]]
    )
    day[fab] += rng.integers(-200, 200, len(fab)).astype("timedelta64[D]")
    type_ = np.concatenate([ev_t[told], acc.type[wrong]])
    # Numbered by first source, victim and type, then at random: the order tells nothing
    # of which acts happened.
    rank = np.lexsort((rng.random(n), type_, victim, first))
    number = np.empty(n, dtype=np.int64)
    number[rank] = np.arange(n)
    act_of = np.empty(len(acc.source), dtype=np.int64)
    act_of[right] = np.searchsorted(told, acc.event[right])
    act_of[wrong] = len(told) + np.arange(len(wrong))
    return _Acts(number, type_, victim, facility, day, precision, error, first), act_of


def _errors(errors: Errors, no_facility: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Error codes of accounts of true acts; an account without a facility cannot name
    the wrong one, so its mistake is a date."""
    u = rng.random(len(no_facility))
    err = np.full(len(u), NONE)
    err[u < errors.mistaken_facility + errors.mistaken_date] = MISTAKEN_DATE
    err[(u < errors.mistaken_facility) & ~no_facility] = MISTAKEN_FACILITY
    return err


def _inventions(
    count: int, suffered: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` invented acts: a victim and a grave act they did not suffer (victims who
    suffered every kind are passed over)."""
    victims = rng.integers(0, len(suffered), count)
    weights = np.array([FABRICATED_TYPES.get(t, 0.0) for t in TYPES]) * ~suffered[victims]
    total = weights.sum(axis=1)
    keep = total > 0
    cum = np.cumsum(weights[keep], axis=1) / total[keep, None]
    u = rng.random(int(keep.sum()))
    types = np.minimum((cum < u[:, None]).sum(axis=1), len(TYPES) - 1)
    return victims[keep], types


def _other_facility(
    fac: np.ndarray, facilities: Facilities, rng: np.random.Generator
) -> np.ndarray:
    """Another facility for each, of the same county when there is one: a witness
    mistakes a neighbouring site."""
    out = fac.copy()
    u = rng.random(len(fac))
    for i, f in enumerate(fac):
        near = np.flatnonzero(
            (facilities.county == facilities.county[f]) & (np.arange(len(facilities)) != f)
        )
        pool = near if len(near) else np.flatnonzero(np.arange(len(facilities)) != f)
        out[i] = pool[int(u[i] * len(pool))]
    return out


def _shifted(day: np.ndarray, precision: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dates far enough from the true ones that the date as written excludes them: 6-24
    months for a month, 2-3 years for an approximate year or a two-year interval."""
    sign = np.where(rng.random(len(day)) < 0.5, -1, 1)
    months = np.where(
        precision == 0, rng.integers(6, 25, len(day)), 12 * rng.integers(2, 4, len(day))
    )
    month = day.astype("datetime64[M]")
    return (month + sign * months).astype("datetime64[D]") + (day - month.astype("datetime64[D]"))


def _copies(
    claims: _Claims, parent: int, child: int, chance: np.ndarray, rng: np.random.Generator
) -> _Claims:
    """``claims`` with ``child``'s repetitions of ``parent``'s allegations (each with its
    ``chance``) added: same act, same words, the error of what they copy."""
    picked = np.flatnonzero((claims.source == parent) & (rng.random(len(chance)) < chance))
    n = len(picked)
    copies = _Claims(
        np.full(n, child),
        claims.act[picked],
        np.full(n, SOURCES[child].copy_lead, dtype=object),
        claims.body[picked],
        np.full(n, "supports", dtype=object),
        picked,
        np.zeros(n, dtype=bool),
    )
    return _Claims.join([claims, copies])


def _denials(
    claims: _Claims, a_t: np.ndarray, at: np.ndarray, male: np.ndarray, rng: np.random.Generator
) -> _Claims:
    """Official denials: of acts the media or the compilation carried, at one rate, of
    the others at a lower one, whether they happened or not (officials answer what is
    publicised; they do not know, or do not say, which claims are false)."""
    publicised = np.zeros(len(a_t), dtype=bool)
    publicised[claims.act[np.isin(claims.source, (MEDIA, NGO))]] = True
    chance = np.where(publicised, DENY_PUBLICISED, DENY_OTHER)
    denied = np.flatnonzero(rng.random(len(a_t)) < chance)
    n = len(denied)
    p = np.where(male[denied], "he", "she")
    body = np.array(
        [DENIALS["arbitrary_detention" if TYPES[t] == "arbitrary_detention" else "other"]
         .format(p=pp, q="his" if pp == "he" else "her", at=w)
         for t, pp, w in zip(a_t[denied], p, at[denied], strict=True)],
        dtype=object,
    )  # fmt: skip
    denials = _Claims(
        np.full(n, OFFICIAL),
        denied,
        np.full(n, "", dtype=object),
        body,
        np.full(n, "contradicts", dtype=object),
        np.full(n, -1),
        np.zeros(n, dtype=bool),
    )
    return _Claims.join([claims, denials])


def _edtf(day: np.ndarray, precision: np.ndarray) -> np.ndarray:
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(str)
    return np.where(
        precision == 0,
        month,
        np.where(precision == 1, [f"{y}~" for y in year], [f"{y}/{y + 1}" for y in year]),
    )


def _rows(
    claims: _Claims,
    acts: _Acts,
    victims: _Victims,
    facility_ids: np.ndarray,
    rng: np.random.Generator,
) -> Allegations:
    """The files' rows and the truth's, numbered in an order that tells nothing of the
    truth: acts by first source, victim and type; allegations by source and act."""
    grades = np.empty(len(claims.act), dtype=np.int64)
    for s, source in enumerate(SOURCES):
        mine = claims.source == s
        grades[mine] = rng.choice(6, size=int(mine.sum()), p=source.credibility) + 1
    worse = claims.false & (grades <= 4) & (rng.random(len(grades)) < FALSE_DOWNGRADE)
    grades[worse] += 1

    act_ids = np.array([f"A-{k + 1:06d}" for k in acts.number], dtype=object)
    happened = acts.error == NONE
    date = _edtf(acts.day, acts.precision)
    fac = np.where(acts.facility < 0, "", facility_ids[acts.facility])
    place = np.where(acts.facility < 0, victims.place[acts.victim] + " (facility not known)", "")
    out = Allegations({}, {}, [], [])
    order = np.argsort(acts.number)
    for s, source in enumerate(SOURCES):
        mine = order[acts.first[order] == s]
        if len(mine):
            out.acts[source.name] = [
                [act_ids[a], TYPES[acts.type[a]], victims.record_id[acts.victim[a]], fac[a],
                 place[a], date[a], "alleged",
                 f"FICTIONAL: {TYPES[acts.type[a]].replace('_', ' ')} alleged", FICTIONAL]
                for a in mine.tolist()
            ]  # fmt: skip
    out.truth_acts = [
        [act_ids[a], "true" if happened[a] else "false", ERROR_CODES[acts.error[a]]]
        for a in order.tolist()
    ]

    rank = np.lexsort((rng.random(len(grades)), acts.number[claims.act], claims.source))
    ids = np.empty(len(rank), dtype=object)
    for s, source in enumerate(SOURCES):
        mine = rank[claims.source[rank] == s]
        ids[mine] = [f"{source.prefix}-{k + 1:06d}" for k in range(len(mine))]
    supports = claims.stance == "supports"
    true_claim = np.where(supports, happened[claims.act], ~happened[claims.act])
    copied = np.where(claims.copied < 0, "", ids[np.maximum(claims.copied, 0)])
    for s, source in enumerate(SOURCES):
        mine = rank[claims.source[rank] == s].tolist()
        if not mine:
            continue
        out.allegations[source.name] = [
            [ids[i], act_ids[claims.act[i]], f"FICTIONAL: {claims.lead[i]}{claims.body[i]}",
             str(grades[i]), claims.stance[i], FICTIONAL]
            for i in mine
        ]  # fmt: skip
        out.truth_allegations += [
            [ids[i], act_ids[claims.act[i]], source.name, claims.stance[i],
             "true" if true_claim[i] else "false", copied[i]]
            for i in mine
        ]  # fmt: skip
    return out
