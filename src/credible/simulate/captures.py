"""Who gets documented by which list: the capture model of the fictional simulator.

The model is a logistic one with three kinds of person-level latent variables, chosen
because they are the mechanisms that make real lists about Xinjiang detainees unequal
and non-independent:

* ``visibility`` (continuous, N(0, 1)): some people are far more likely to be documented
  by anyone (prominent people, people with many relatives abroad). Every list loads on
  it, so it produces *heterogeneity* and, through it, positive dependence across all lists.
* ``network`` (0/1): the person's family is in touch with the diaspora informants who
  feed both the testimony archive and the diaspora list. Those two lists load heavily on
  it: a *direct dependence* between them ("they share informants").
* ``leaked`` (0/1): the person lived in a county whose police bureau's files leaked.
  Only police spreadsheets load on it (coverage heterogeneity of a leak).
* ``ethnicity`` (0 Uyghur, 1 Kazakh, 2 Hui): the Kazakhstan-based lists document mostly
  ethnic Kazakhs (families who crossed the border), the Uyghur diaspora lists fewer of them.

``logit P(person i on list k) = a_k + h*b_k*visibility_i + d*c_k*network_i
+ v*e_k*leaked_i + kaz_k*[ethnicity_i == Kazakh]``,
with ``h`` = ``heterogeneity``, ``d`` = ``dependence`` and ``v`` = ``coverage``
(multipliers, 1 by default). With all three at 0 and ``ethnic_effect=0`` the lists are
independent with homogeneous capture probabilities ``rates``.

The full simulator draws the same latents (it needs ethnicity and the leak for names and
home counties) and calls :func:`capture_matrix`; :func:`simulate_captures` is the
shortcut for estimation work that needs only the 0/1 matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from credible.errors import ConfigError

UYGHUR, KAZAKH, HUI = 0, 1, 2
ETHNICITIES = ("uyghur", "kazakh", "hui")


@dataclass(frozen=True)
class ListForm:
    """One kind of list and its capture coefficients (logit scale)."""

    key: str
    rate: float  # capture probability at visibility 0 with no network, leak or Kazakh tie
    visibility: float  # b_k
    network: float  # c_k
    leaked: float  # e_k
    kazakh: float  # kaz_k


# The first five are the default K=5 lists; K>5 adds second lists of the same kinds, each
# a little different so that K up to 10 stays plausible.
LIST_FORMS: tuple[ListForm, ...] = (
    ListForm("police", rate=0.12, visibility=0.3, network=0.0, leaked=2.8, kazakh=0.0),
    ListForm("testimony", rate=0.10, visibility=1.0, network=1.8, leaked=0.0, kazakh=-0.3),
    ListForm("diaspora", rate=0.16, visibility=0.8, network=2.0, leaked=0.0, kazakh=-0.8),
    ListForm("kazakh", rate=0.03, visibility=0.6, network=0.3, leaked=0.0, kazakh=3.2),
    ListForm("media", rate=0.07, visibility=1.5, network=0.6, leaked=0.0, kazakh=0.0),
    ListForm("police_b", rate=0.10, visibility=0.3, network=0.0, leaked=2.2, kazakh=0.0),
    ListForm("testimony_b", rate=0.06, visibility=1.1, network=1.4, leaked=0.0, kazakh=0.0),
    ListForm("diaspora_cyrillic", rate=0.08, visibility=0.7, network=1.5, leaked=0.0, kazakh=0.5),
    ListForm("media_b", rate=0.05, visibility=1.6, network=0.4, leaked=0.0, kazakh=0.0),
    ListForm("kazakh_russian", rate=0.02, visibility=0.5, network=0.2, leaked=0.0, kazakh=2.8),
)

MIN_LISTS, MAX_LISTS = 2, len(LIST_FORMS)


def list_forms(lists: int) -> tuple[ListForm, ...]:
    """The forms of the first ``lists`` lists (2..10)."""
    if not MIN_LISTS <= lists <= MAX_LISTS:
        raise ConfigError(f"lists must be between {MIN_LISTS} and {MAX_LISTS}, got {lists}")
    return LIST_FORMS[:lists]


@dataclass(frozen=True)
class CaptureOptions:
    """Knobs of the capture model; the defaults are what ``credible simulate`` uses."""

    heterogeneity: float = 1.0
    dependence: float = 1.0
    coverage: float = 1.0
    ethnic_effect: float = 1.0
    network_share: float = 0.25
    leak_share: float = 0.30
    ethnic_mix: tuple[float, float, float] = (0.86, 0.09, 0.05)
    rates: tuple[float, ...] | None = None  # overrides ListForm.rate, one per list

    @classmethod
    def from_kwargs(cls, **options: Any) -> CaptureOptions:
        known = set(cls.__dataclass_fields__)
        unknown = set(options) - known
        if unknown:
            raise ConfigError(
                f"unknown capture option(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        opts = cls()
        if "rates" in options and options["rates"] is not None:
            options = {**options, "rates": tuple(float(r) for r in options["rates"])}
        if "ethnic_mix" in options:
            options = {**options, "ethnic_mix": tuple(float(x) for x in options["ethnic_mix"])}
        return replace(opts, **options)

    def as_dict(self) -> dict[str, Any]:
        return {
            "heterogeneity": self.heterogeneity,
            "dependence": self.dependence,
            "coverage": self.coverage,
            "ethnic_effect": self.ethnic_effect,
            "network_share": self.network_share,
            "leak_share": self.leak_share,
            "ethnic_mix": list(self.ethnic_mix),
            "rates": None if self.rates is None else list(self.rates),
        }


@dataclass(frozen=True)
class Latents:
    """Person-level latent variables of the capture model (one entry per person)."""

    visibility: np.ndarray  # float64
    network: np.ndarray  # bool
    leaked: np.ndarray  # bool
    ethnicity: np.ndarray  # int8: UYGHUR, KAZAKH, HUI

    def __len__(self) -> int:
        return int(self.visibility.shape[0])


def draw_latents(people: int, rng: np.random.Generator, options: CaptureOptions) -> Latents:
    """Draw the latent variables of ``people`` people, in a fixed order (reproducible)."""
    if people < 0:
        raise ConfigError(f"people must be >= 0, got {people}")
    mix = np.asarray(options.ethnic_mix, dtype=float)
    if mix.shape != (3,) or (mix < 0).any() or mix.sum() <= 0:
        raise ConfigError(f"ethnic_mix must be three non-negative shares, got {options.ethnic_mix}")
    for name in ("network_share", "leak_share"):
        share = getattr(options, name)
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"{name} must be within [0, 1], got {share}")
    visibility = rng.standard_normal(people)
    network = rng.random(people) < options.network_share
    leaked = rng.random(people) < options.leak_share
    ethnicity = rng.choice(3, size=people, p=mix / mix.sum()).astype(np.int8)
    return Latents(visibility, network, leaked, ethnicity)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def capture_probabilities(
    latents: Latents, forms: Sequence[ListForm], options: CaptureOptions
) -> np.ndarray:
    """The people x lists matrix of capture probabilities."""
    rates = np.array([f.rate for f in forms]) if options.rates is None else np.array(options.rates)
    if rates.shape != (len(forms),):
        raise ConfigError(f"rates needs one value per list ({len(forms)}), got {len(rates)}")
    if ((rates <= 0) | (rates >= 1)).any():
        raise ConfigError(f"rates must be strictly between 0 and 1, got {list(rates)}")
    coef = np.array([[f.visibility, f.network, f.leaked, f.kazakh] for f in forms]).T
    coef *= np.array(
        [options.heterogeneity, options.dependence, options.coverage, options.ethnic_effect]
    )[:, None]
    design = np.column_stack(
        [
            latents.visibility,
            latents.network.astype(float),
            latents.leaked.astype(float),
            (latents.ethnicity == KAZAKH).astype(float),
        ]
    )
    eta = _logit(rates)[None, :] + design @ coef
    return 1.0 / (1.0 + np.exp(-eta))


def capture_matrix(
    latents: Latents,
    forms: Sequence[ListForm],
    rng: np.random.Generator,
    options: CaptureOptions,
) -> np.ndarray:
    """Draw who is on which list: an int8 people x lists matrix of 0/1.

    A list that documents nobody is not a list anyone would hand over, so in the rare
    case (tiny populations) that a column is empty, the person closest to being drawn
    onto it is put on it."""
    prob = capture_probabilities(latents, forms, options)
    u = rng.random(prob.shape)
    m = (u < prob).astype(np.int8)
    if len(latents):
        for k in np.flatnonzero(m.sum(axis=0) == 0):
            m[int(np.argmax(prob[:, k] - u[:, k])), k] = 1
    return m


def simulate_captures(
    people: int, lists: int, rng: np.random.Generator, **options: Any
) -> np.ndarray:
    """The people x lists 0/1 capture matrix of a whole fictional population.

    Rows of people on no list are included (row sums of 0): the truth an estimator tries
    to recover is ``people``. Every list documents at least one person. Same model and
    same random draws as the full simulator (``credible simulate``) with the same seed
    and options. ``options`` are the fields of
    :class:`CaptureOptions` (``heterogeneity``, ``dependence``, ``coverage``,
    ``ethnic_effect``, ``network_share``, ``leak_share``, ``ethnic_mix``, ``rates``).
    """
    opts = CaptureOptions.from_kwargs(**options)
    forms = list_forms(lists)
    latents = draw_latents(people, rng, opts)
    return capture_matrix(latents, forms, rng, opts)
