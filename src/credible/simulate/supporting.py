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
    "arbitrary_detention": "He/she was taken from home without any charge and held at {f}.",
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
        looks: list[tuple[np.datetime64, str]] = [(first + np.timedelta64(30, "D"), "built")]
        t = looks[0][0]
        for _ in range(int(rng.integers(1, 4))):
            t = t + np.timedelta64(int(rng.integers(120, 500)), "D")
            looks.append((t, "expanded" if rng.random() < 0.4 else "unchanged"))
        last = facilities.last_seen[i]
        if not np.isnat(last):
            looks.append((max(last, t + np.timedelta64(30, "D")), "reduced"))
            if rng.random() < 0.4:
                looks.append((looks[-1][0] + np.timedelta64(200, "D"), "demolished"))
        for when, change in looks:
            k += 1
            count = int(rng.integers(1, len(FEATURES) + 1))
            feats = "; ".join(sorted(rng.choice(FEATURES, size=count, replace=False)))
            rows.append(
                [f"O-{k:05d}", facilities.external_id[i], _edtf_day(when),
                 "FICTIONAL imagery provider", feats if change != "demolished" else "",
                 change, "", FICTIONAL]
            )  # fmt: skip
    return header, rows


def act_rows(
    testimony_ids: np.ndarray,
    people: np.ndarray,
    population: Population,
    facilities: Facilities,
    rng: np.random.Generator,
) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]], list[str]]:
    """Acts alleged by testimony records and their allegations. Returns the acts table,
    the allegations table and the act types (for the truth)."""
    act_header = ["external_id", "type", "victim", "facility", "date", "status", "description",
                  FICTIONAL_COLUMN]  # fmt: skip
    alg_header = ["external_id", "act", "excerpt", "credibility", FICTIONAL_COLUMN]
    acts: list[list[Any]] = []
    allegations: list[list[Any]] = []
    n = len(people)
    alleges = rng.random(n) < 0.7
    male = population.male[people]
    extra = {
        t: rng.random(n) < np.where(male, rates[0], rates[1]) for t, rates in ACT_RATES.items()
    }
    unknown_place = rng.random(n) < 0.1
    date_kind = rng.integers(0, 3, n)
    credibility = rng.choice(["1", "2", "3", "4", "6"], size=(n, 2), p=[0.05, 0.3, 0.4, 0.15, 0.1])
    second = rng.random((n, len(ACT_RATES) + 1)) < 0.2
    for i in np.flatnonzero(alleges):
        p = people[i]
        f = population.facility[p]
        det = population.detained[p]
        year = int(det.astype("datetime64[Y]").astype(int) + 1970)
        date = (str(det.astype("datetime64[M]")), f"{year}~", f"{year}/{year + 1}")[date_kind[i]]
        fac_id = "" if unknown_place[i] else facilities.external_id[f]
        fac_name = "an unknown place" if unknown_place[i] else facilities.names["en"][f]
        types = ["arbitrary_detention"] + [t for t in ACT_RATES if extra[t][i]]
        for j, t in enumerate(types):
            aid = f"A-{len(acts) + 1:06d}"
            what = f"FICTIONAL: {t.replace('_', ' ')} alleged in testimony"
            acts.append([aid, t, testimony_ids[i], fac_id, date, "alleged", what, FICTIONAL])
            text = EXCERPTS[t].format(f=fac_name)
            for c in range(2 if second[i, j] else 1):
                allegations.append(
                    [f"AL-{len(allegations) + 1:06d}", aid, f"FICTIONAL: {text}",
                     credibility[i, c], FICTIONAL]
                )  # fmt: skip
    return act_header, acts, alg_header, allegations, list(ACT_RATES)
