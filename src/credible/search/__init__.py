"""Search for people across scripts: type 古丽, گۈلى, Гули or Guli and get the same people.

The public API (``credible search`` and the web use only these names)::

    search_people(store, query, filters=None, limit=50) -> list[PersonHit]
    SearchFilters(source, facility, date_from, date_to, exclude_confidential)
    PersonHit(record_id, source, name, script, romanised, person_id, score, sex,
              birth_date, facility, detained, role)
    index_new_records(uow, first_id, count)   # an import keeps the name-key index current
    refresh_name_index(store) -> int          # index records that have no keys yet
    rebuild_name_index(store) -> int          # drop the name keys and write them again
    check_name_index(store) -> list[int]      # records whose keys are missing or altered
    clear_search_cache()                      # forget remembered matchings (benchmarks)

See docs/search.md for the method and its measured recall and precision.
"""

from __future__ import annotations

from credible.search.keys import check as check_name_index
from credible.search.keys import index_new_records
from credible.search.keys import rebuild as rebuild_name_index
from credible.search.keys import refresh as refresh_name_index
from credible.search.people import MATCH_THRESHOLD, PersonHit, SearchFilters, search_people
from credible.search.people import clear_cache as clear_search_cache

__all__ = [
    "MATCH_THRESHOLD",
    "PersonHit",
    "SearchFilters",
    "check_name_index",
    "clear_search_cache",
    "index_new_records",
    "rebuild_name_index",
    "refresh_name_index",
    "search_people",
]
