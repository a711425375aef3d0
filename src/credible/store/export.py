"""Write any table as CSV or JSON Lines, streaming, every column included."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import Table, select

from credible.errors import ConfigError
from credible.store.audit import canonical_value
from credible.store.store import Store

FORMATS = ("csv", "jsonl")
SEALED = "[encrypted]"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value
    return canonical_value(value)


def iter_rows(
    store: Store, table: Table, reveal_sensitive: bool = False
) -> Iterator[dict[str, Any]]:
    sensitive = {c.name for c in table.c if c.name == "contact"}
    with store.read() as conn:
        for row in conn.execute(select(table).order_by(*table.primary_key.columns)).yield_per(
            10_000
        ):
            out = {}
            for key, value in row._mapping.items():
                if key in sensitive and value is not None:
                    if reveal_sensitive and store.cipher is not None:
                        value = store.cipher.decrypt(value)
                    else:
                        value = SEALED
                out[key] = _plain(value)
            yield out


def export_table(
    store: Store, name: str, fmt: str, out: IO[str], reveal_sensitive: bool = False
) -> int:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if name == "links":
        # Not a table: one row per record of the latest linkage run, built by linkage.
        from credible.linkage.results import export_links

        return export_links(store, fmt, out)
    table = store.table(name)
    columns = [c.name for c in table.c]
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in iter_rows(store, table, reveal_sensitive):
            writer.writerow(row)
            n += 1
    else:
        for row in iter_rows(store, table, reveal_sensitive):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
