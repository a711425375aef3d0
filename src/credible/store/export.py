"""Write any table as CSV or JSON Lines, streaming, every column included.

Sealed columns are written as ``[encrypted]`` unless the caller reveals them; a reveal
is itself recorded in the audit log (who read which table's sealed values, when). In
CSV meant for a spreadsheet, values that a spreadsheet would run as a formula are
neutralised with a leading apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import Table, select

from credible.errors import ConfigError
from credible.store.audit import canonical_value
from credible.store.custody import record_custody
from credible.store.schema import EXPORTABLE, evidence, sealed_columns
from credible.store.store import Store

EXPORT_FORMATS = ("csv", "jsonl")
SEALED = "[encrypted]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_table(name: str) -> Table:
    try:
        return EXPORTABLE[name]
    except KeyError:
        from credible.errors import NotFoundError

        raise NotFoundError(
            f"no table {name!r}; tables are: {', '.join([*EXPORTABLE, 'links'])}"
        ) from None


def neutralised(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, made inert; numbers stay as they
    are (a negative number is not a formula)."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value
    return canonical_value(value)


def iter_rows(
    store: Store, table: Table, reveal_sensitive: bool = False
) -> Iterator[dict[str, Any]]:
    sealed = sealed_columns(table)
    with store.read() as conn:
        for row in conn.execute(select(table).order_by(*table.primary_key.columns)).yield_per(
            10_000
        ):
            out = {}
            for key, value in row._mapping.items():
                if key in sealed and value is not None:
                    value = store.cipher.decrypt(value) if reveal_sensitive else SEALED
                out[key] = _plain(value)
            yield out


def export_table(
    store: Store,
    name: str,
    fmt: str,
    out: IO[str],
    reveal_sensitive: bool = False,
    *,
    neutralise_formulas: bool = False,
    actor: str = "unknown",
) -> int:
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    table = check_table(name)
    reveal = reveal_sensitive and bool(sealed_columns(table))
    if reveal:
        # Recorded before the first value is read, so that an interrupted export is too.
        with store.write(actor) as uow:
            uow.log("reveal", table.name, {"export": fmt})
            if table is evidence:
                # Each file's text read in clear is a custody event of that file.
                for (evidence_id,) in uow.conn.execute(
                    select(evidence.c.id).order_by(evidence.c.id)
                ):
                    record_custody(
                        uow,
                        evidence_id,
                        "accessed",
                        reason="export evidence --reveal-sensitive",
                        details={"export": fmt, "text": "revealed"},
                    )
    return write_rows(
        [c.name for c in table.c],
        iter_rows(store, table, reveal),
        fmt,
        out,
        neutralise_formulas=neutralise_formulas,
    )


def write_rows(
    columns: list[str],
    rows: Iterable[dict[str, Any]],
    fmt: str,
    out: IO[str],
    *,
    neutralise_formulas: bool = False,
) -> int:
    """Rows as CSV (formulas neutralised when asked) or JSON Lines; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if neutralise_formulas:
                row = {k: neutralised(v) for k, v in row.items()}
            writer.writerow(row)
            n += 1
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
