"""Catalog: what the fronts read from the store, as plain rows ready to show — sources,
person records and Persons, facilities, acts, runs and the stored assessment.

It computes nothing new (the stages do); it joins what they stored. Every person record
carries ``role`` and ``confidential`` (its source's confidentiality is "confidential"),
so that the web can redact what a viewer may not see in one step.

The public API: ``records``, ``record``, ``persons``, ``person``, ``sources``, ``source``,
``facilities``, ``facility``, ``facilities_geojson``, ``acts``, ``act``,
``assessment``, ``runs``, ``confidential_sources``, ``counts``.
"""

from credible.catalog.people import person, persons, record, records
from credible.catalog.places import act, acts, facilities, facilities_geojson, facility
from credible.catalog.sources import confidential_sources, counts, source, sources
from credible.catalog.stored import assessment, runs

__all__ = [
    "act",
    "acts",
    "assessment",
    "confidential_sources",
    "counts",
    "facilities",
    "facilities_geojson",
    "facility",
    "person",
    "persons",
    "record",
    "records",
    "runs",
    "source",
    "sources",
]
