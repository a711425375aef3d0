"""Publish: the assessment report (HTML, PDF, JSON) and the redacted public edition.

The report renders stored runs only: it computes nothing new, and every figure it shows
carries the run and the query it comes from. The public API:

- ``build_report(store, out, edition=, title=, redaction=, pdf=)`` -> ``ReportResult``:
  ``out/index.html``, ``out/report.json`` and ``out/report.pdf``.
- ``EDITIONS``: ``internal`` (the team's, names as written) and ``public`` (redacted).
- ``load_redaction(path)`` -> ``RedactionPolicy`` (``default_redaction_path()`` ships).
- ``base_map_geojson()`` -> dict: the boundary layer of the report's map as GeoJSON, for
  the web's facility map (offline, no tile server).
- ``public_rows(store, table, policy)`` -> (columns, rows): a table's public edition, for
  ``credible export TABLE --edition public``; ``PUBLIC_TABLES`` names the tables that
  have one.
"""

from credible.report.basemap import base_map_geojson
from credible.report.redact import (
    PUBLIC_TABLES,
    RedactionPolicy,
    check_public_table,
    default_redaction_path,
    load_redaction,
    public_rows,
)
from credible.report.render import DEFAULT_TITLE, EDITIONS, ReportResult, build_report

__all__ = [
    "DEFAULT_TITLE",
    "EDITIONS",
    "PUBLIC_TABLES",
    "RedactionPolicy",
    "ReportResult",
    "base_map_geojson",
    "build_report",
    "check_public_table",
    "default_redaction_path",
    "load_redaction",
    "public_rows",
]
