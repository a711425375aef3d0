"""Supporting FICTIONAL files: facilities, dated observations, acts and allegations.

Acts are alleged in the testimony archives: each victim record there may allege one or
more acts at the facility where that person was held, and each act is backed by one or
two allegations quoting the testimony.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from credible.simulate.lists import FICTIONAL, FICTIONAL_COLUMN
from credible.simulate.population import Facilities, Population
from credible.simulate.tables import Counties

WATCH_START = np.datetime64("2016-06-01")
FEATURES = ["perimeter wall", "watchtowers", "internal fences", "dormitory blocks", "gatehouse"]

# Act types (vocab act_types) after the detention itself, with the chance a testimony
# alleges them for a man / a woman. Rough shares for a FICTIONAL scenario, shaped after
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


def _edtf_day(d: np.datetime64) -> str:
    return str(d.astype("datetime64[D]"))


def facility_rows(facilities: Facilities, counties: Counties) -> tuple[list[str], list[list[Any]]]:
    header = [
        "external_id", "name", "name_zh", "name_ug", "kind", "latitude", "longitude",
        "county", "prefecture", "security_tier", "first_seen", "last_seen",
        "capacity_estimate", "notes", FICTIONAL_COLUMN,
    ]  # fmt: skip
    rows = []
    for i in range(len(facilities)):
        c = facilities.county[i]
        last = facilities.last_seen[i]
        rows.append(
            [
                facilities.external_id[i],
                facilities.names["en"][i],
                facilities.names["han"][i],
                facilities.names["uey"][i],
                facilities.kind[i],
                f"{facilities.lat[i]:.5f}",
                f"{facilities.lon[i]:.5f}",
                counties.en[c],
                counties.prefecture_en[c],
                int(facilities.security_tier[i]),
                str(facilities.first_seen[i].astype("datetime64[M]")),
                "" if np.isnat(last) else str(last.astype("datetime64[M]")),
                int(facilities.capacity[i]),
                "FICTIONAL facility, invented for a simulation",
                FICTIONAL,
            ]
        )
    return header, rows


def observation_rows(
    facilities: Facilities, rng: np.random.Generator
) -> tuple[list[str], list[list[Any]]]:
    """Dated looks at each facility: built, expanded or unchanged, later reduced or
    demolished for the camps that closed."""
    header = ["external_id", "facility", "observed", "imagery", "features", "change", "notes",
              FICTIONAL_COLUMN]  # fmt: skip
    rows = []
    k = 0
    for i in range(len(facilities)):
        first = facilities.first_seen[i]
        # Imagery of the region was studied from 2017 on (ASPI 2020); older prisons and
        # detention centres are first seen standing, not being built.
        watch = WATCH_START + np.timedelta64(int(rng.integers(0, 180)), "D")
        if first >= WATCH_START:
            looks: list[tuple[np.datetime64, str]] = [(first + np.timedelta64(30, "D"), "built")]
        else:
            looks = [(watch, "unchanged")]
        t = looks[0][0]
        for _ in range(int(rng.integers(1, 4))):
            t = t + np.timedelta64(int(rng.integers(120, 500)), "D")
            looks.append((t, "expanded" if rng.random() < 0.4 else "unchanged"))
        last = facilities.last_seen[i]
        if not np.isnat(last):
            looks.append((max(last, t + np.timedelta64(30, "D")), "reduced"))
            if rng.random() < 0.4:
                looks.append((looks[-1][0] + np.timedelta64(200, "D"), "demolished"))
        # Features accumulate as a site is expanded; de-securitisation removes the
        # security features first (ASPI 2020), demolition leaves nothing.
        seen = {"perimeter wall", "gatehouse"}
        for when, change in looks:
            k += 1
            if change in ("built", "expanded"):
                missing = [f for f in FEATURES if f not in seen]
                if missing:
                    seen.add(missing[int(rng.integers(0, len(missing)))])
            elif change == "reduced":
                seen -= {"watchtowers", "internal fences"}
            elif change == "demolished":
                seen = set()
            feats = "; ".join(f for f in FEATURES if f in seen)
            rows.append(
                [f"O-{k:05d}", facilities.external_id[i], _edtf_day(when),
                 "FICTIONAL imagery provider", feats,
                 change, "", FICTIONAL]
            )  # fmt: skip
    return header, rows


def act_rows(
    testimony_ids: np.ndarray,
    people: np.ndarray,
    population: Population,
    facilities: Facilities,
    counties: Counties,
    rng: np.random.Generator,
) -> tuple[list[str], list[Any], list[str], list[Any]]:
    """Acts alleged by the testimony records (``people`` holds the person behind each)
    and their allegations: (acts header, act rows, allegations header, allegation rows).
    Every alleging record alleges arbitrary detention, then other acts at random."""
    act_header = ["external_id", "type", "victim", "facility", "place", "date", "status",
                  "description", FICTIONAL_COLUMN]  # fmt: skip
    alg_header = ["external_id", "act", "excerpt", "credibility", FICTIONAL_COLUMN]
    types = np.array(["arbitrary_detention", *ACT_RATES], dtype=object)
    n = len(people)
    male = population.male[people]
    alleged = np.empty((n, len(types)), dtype=bool)
    alleged[:, 0] = rng.random(n) < 0.7
    for j, rates in enumerate(ACT_RATES.values(), start=1):
        alleged[:, j] = alleged[:, 0] & (rng.random(n) < np.where(male, rates[0], rates[1]))
    unknown_place = rng.random(n) < 0.1
    date_kind = rng.integers(0, 3, n)
    credibility = rng.choice(["1", "2", "3", "4", "6"], size=(n, 2), p=[0.05, 0.3, 0.4, 0.15, 0.1])
    second = rng.random((n, len(types))) < 0.2

    fac = population.facility[people]
    det = population.detained[people]
    year = det.astype("datetime64[Y]").astype(np.int64) + 1970
    month = det.astype("datetime64[M]").astype(str)
    date = np.where(
        date_kind == 0,
        month,
        np.where(date_kind == 1, [f"{y}~" for y in year], [f"{y}/{y + 1}" for y in year]),
    )
    fac_id = np.where(unknown_place, "", facilities.external_id[fac])
    place = np.where(
        unknown_place, counties.en[population.county[people]] + " (facility not known)", ""
    )
    fac_name = np.where(unknown_place, "an unknown place", facilities.names["en"][fac])

    rec, typ = np.nonzero(alleged)  # row-major: acts of one record together
    act_ids = np.array([f"A-{k + 1:06d}" for k in range(len(rec))], dtype=object)
    what = np.array([f"FICTIONAL: {t.replace('_', ' ')} alleged in testimony" for t in types])
    acts = list(
        zip(
            act_ids, types[typ], testimony_ids[rec], fac_id[rec], place[rec], date[rec],
            np.full(len(rec), "alleged"), what[typ], np.full(len(rec), FICTIONAL),
            strict=True,
        )
    )  # fmt: skip
    copies = 1 + second[rec, typ].astype(np.int64)
    act_of = np.repeat(np.arange(len(rec)), copies)
    which = np.arange(len(act_of)) - np.repeat(np.cumsum(copies) - copies, copies)
    r = rec[act_of]
    templates = [EXCERPTS[t] for t in types]
    pronoun = np.where(male, "He", "She")
    # A second allegation of the same act comes from another witness.
    voice = ("FICTIONAL: ", "FICTIONAL: A fellow detainee said: ")
    allegations = [
        (f"AL-{k + 1:06d}", act_ids[a],
         voice[c] + templates[typ[a]].format(f=fac_name[i], P=pronoun[i]),
         credibility[i, c], FICTIONAL)
        for k, (a, i, c) in enumerate(zip(act_of, r, which, strict=True))
    ]  # fmt: skip
    return act_header, acts, alg_header, allegations
