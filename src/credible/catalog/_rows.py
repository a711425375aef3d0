"""Rows as plain dicts: JSON-ready values (dates as ISO text, no bytes)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def plain(row: Any) -> dict[str, Any]:
    out = {}
    for k, v in row._mapping.items():
        if isinstance(v, dt.date | dt.datetime):
            v = v.isoformat()
        elif isinstance(v, bytes | memoryview):
            continue  # sealed bytes never leave as they are
        out[k] = v
    return out
