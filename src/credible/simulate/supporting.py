"""Supporting FICTIONAL files: facilities and dated observations of them (acts and
allegations are made in ``allegations``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from credible.simulate.lists import FICTIONAL, FICTIONAL_COLUMN
from credible.simulate.population import Facilities
from credible.simulate.tables import Counties

WATCH_START = np.datetime64("2016-06-01")
FEATURES = ["perimeter wall", "watchtowers", "internal fences", "dormitory blocks", "gatehouse"]


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
