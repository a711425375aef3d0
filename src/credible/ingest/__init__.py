"""Ingest: read person records, facilities, observations, acts and allegations from
CSV/TSV, XLSX and JSON files, validate them and import them as one transaction."""

from credible.ingest.importer import ImportResult, import_file, import_manifest
from credible.ingest.limits import ReadLimits
from credible.ingest.manifest import read_lists

__all__ = ["ImportResult", "ReadLimits", "import_file", "import_manifest", "read_lists"]
