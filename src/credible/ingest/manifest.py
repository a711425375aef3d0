"""A folder of lists described by ``manifest.json`` (as the simulator writes one): the
files in import order, and the person lists read into one table without a store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from credible.errors import InputError, Problem
from credible.ingest.reader import load_mapping, open_file


def manifest_entries(folder: Path, *, lists_only: bool = False) -> list[dict[str, Any]]:
    """The files ``folder/manifest.json`` names, in its ``import_order``; ``lists_only``
    takes the person lists alone."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "a manifest.json in the folder")])
    manifest = json.loads(path.read_text(encoding="utf-8"))
    entries = manifest["lists"] + ([] if lists_only else manifest.get("supporting", []))
    by_path = {e["path"]: e for e in entries}
    order = [p for p in manifest.get("import_order") or list(by_path) if p in by_path]
    return [by_path[p] for p in order]


def read_lists(folder: Path) -> pd.DataFrame:
    """Every person list of the folder, read and validated by the ingest reader, as one
    table: the reader's columns plus ``source`` and ``record_id`` (``source:source_row``,
    the simulator truth's numbering)."""
    folder = Path(folder)
    frames = []
    for entry in manifest_entries(folder, lists_only=True):
        parsed = open_file(folder / entry["path"], mapping=load_mapping(folder / entry["mapping"]))
        for batch in parsed.batches():
            frame = batch.table.to_pandas()
            frame["source"] = entry["source"]
            frames.append(frame)
    records = pd.concat(frames, ignore_index=True)
    records["record_id"] = records["source"] + ":" + records["source_row"].astype(str)
    return records
