"""The public edition: redaction of the data before it is rendered or exported.

A redaction policy (YAML, ``data/redaction.yml`` by default) says which roles are never
identified (witnesses), which fields never leave the team, which dates and places are
coarsened, and how confidential sources are named. Victims are named only when their
record says ``consent_to_publish: yes``; everyone else gets a stable pseudonym, a keyed
HMAC of the record id under a key derived from the store's key (HKDF, its own label), so
the same record has the same pseudonym in every report and export of the store, and the
pseudonym says nothing about the record without the key.

Sealed fields are never read here: not decrypted, not exported, not even as a marker.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Table, select

from credible.errors import ConfigError, InputError, Problem
from credible.model import IDENTIFYING_FIELDS, vocabulary
from credible.report.collect import ReportData
from credible.report.figures import Figure
from credible.safeyaml import load_yaml
from credible.store import Keyring, Store, schema

#: Tables that have a public edition, and the one each name means.
PUBLIC_TABLES: dict[str, Table] = {
    "sources": schema.sources,
    "person_records": schema.person_records,
    "facilities": schema.facilities,
    "facility_observations": schema.facility_observations,
    "acts": schema.acts,
    "allegations": schema.allegations,
    "assessments": schema.assessments,
}
#: Never in a public edition, whatever the policy: analysts' names.
ALWAYS_DROPPED = {"actor"}
#: Never in a public edition of person records, whatever the policy: the identity
#: number and what it encodes (a full birth date and county the policy may coarsen or
#: drop elsewhere) and the relatives a record names (docs/security.md).
ALWAYS_DROPPED_RECORD_FIELDS = frozenset(IDENTIFYING_FIELDS)
PERSON_NAME_FIELDS = ("name", "given_name", "father_name", "family_name")
WITHHELD = "withheld"

DateLevel = Literal["year", "month", "day"]


class RedactionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int
    withhold_roles: list[str] = Field(default_factory=lambda: ["witness"])
    pseudonym_prefix: str = "P-"
    confidential_source_label: str = "confidential source"
    drop_fields: dict[str, list[str]] = Field(default_factory=dict)
    dates: dict[str, DateLevel] = Field(default_factory=dict)
    act_place: Literal["facility", "county", "prefecture", "none"] = "facility"
    coordinate_decimals: int = Field(default=2, ge=0, le=6)

    def fingerprint(self) -> str:
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def dropped(self, table: str) -> set[str]:
        sealed = schema.sealed_columns(PUBLIC_TABLES[table])
        always = ALWAYS_DROPPED_RECORD_FIELDS if table == "person_records" else frozenset()
        return set(self.drop_fields.get(table, [])) | sealed | ALWAYS_DROPPED | always

    def date_level(self, table: str, field: str) -> DateLevel:
        return self.dates.get(f"{table}.{field}", "day")


def default_redaction_path() -> Path:
    return Path(str(resources.files("credible.report") / "data" / "redaction.yml"))


def load_redaction(path: Path | None = None) -> RedactionPolicy:
    """Read and check a redaction policy; InputError naming each key at fault."""
    where = path or default_redaction_path()
    raw = load_yaml(where, "redaction policy")
    if not isinstance(raw, dict):
        raise InputError([Problem(str(where), None, None, "a mapping of policy keys")])
    try:
        policy = RedactionPolicy(**raw)
    except (ValidationError, TypeError) as exc:
        problems = (
            [
                Problem(str(where), None, ".".join(str(p) for p in e["loc"]) or None, e["msg"])
                for e in exc.errors()
            ]
            if isinstance(exc, ValidationError)
            else [Problem(str(where), None, None, str(exc))]
        )
        raise InputError(problems, "the redaction policy was refused") from None
    problems = []
    roles = vocabulary("roles")
    for role in policy.withhold_roles:
        if role not in roles:
            problems.append(Problem(str(where), None, "withhold_roles", roles.describe(), role))
    if "witness" not in policy.withhold_roles:
        problems.append(
            Problem(
                str(where),
                None,
                "withhold_roles",
                "a list that includes witness: witnesses are never identified in public",
                policy.withhold_roles,
            )
        )
    for table, fields in policy.drop_fields.items():
        if table not in PUBLIC_TABLES:
            problems.append(
                Problem(str(where), None, "drop_fields", ", ".join(PUBLIC_TABLES), table)
            )
            continue
        for f in fields:
            if f not in PUBLIC_TABLES[table].c or f == "id":
                problems.append(
                    Problem(
                        str(where),
                        None,
                        f"drop_fields.{table}",
                        f"a column of {table} other than id",
                        f,
                    )
                )
    for key in policy.dates:
        table, _, field = key.partition(".")
        t = PUBLIC_TABLES.get(table)
        if t is None or f"{field}_min" not in t.c:
            problems.append(
                Problem(
                    str(where),
                    None,
                    "dates",
                    "TABLE.FIELD of a partial-date "
                    "field (acts.date, person_records.birth_date, ...)",
                    key,
                )
            )
    if problems:
        raise InputError(problems, "the redaction policy was refused")
    return policy


class Pseudonyms:
    """Stable pseudonyms: HMAC-SHA256 of the record id, keyed from the store's key."""

    LABEL = b"credible-report-pseudonym"

    def __init__(self, keys: Keyring, prefix: str) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=self.LABEL).derive(
            keys.secret
        )
        self.prefix = prefix

    def record(self, record_id: int) -> str:
        digest = hmac.new(self._key, f"person_record:{record_id}".encode(), hashlib.sha256)
        return self.prefix + digest.hexdigest()[:10].upper()


def coarsen(
    text: str | None, lo: Any, hi: Any, level: DateLevel
) -> tuple[str | None, str | None, str | None]:
    """A partial date (EDTF text and its day bounds) made no more precise than ``level``."""
    lo_s = None if lo is None else str(lo)
    hi_s = None if hi is None else str(hi)
    if level == "day" or lo_s is None or hi_s is None:
        return text, lo_s, hi_s
    whole_years = lo_s[5:] == "01-01" and hi_s[5:] == "12-31"
    if level == "year" or whole_years:
        a, b = lo_s[:4], hi_s[:4]
        return (a if a == b else f"{a}/{b}"), f"{a}-01-01", f"{b}-12-31"
    a, b = lo_s[:7], hi_s[:7]
    last = calendar.monthrange(int(b[:4]), int(b[5:7]))[1]
    return (a if a == b else f"{a}/{b}"), f"{a}-01", f"{b}-{last:02d}"


def coarsen_day(value: str | None, level: DateLevel) -> str | None:
    """One day (YYYY-MM-DD, or a month) cut to ``level``."""
    if value is None or level == "day":
        return value
    return value[:4] if level == "year" else value[:7]


class Scrubber:
    """Replaces names in free text (a confidential source's name, a witness's name) by what
    the edition shows instead. Names shorter than 4 characters are replaced only as whole
    fields, not inside text."""

    def __init__(self, replacements: dict[str, str]) -> None:
        self.exact = {k: v for k, v in replacements.items() if k}
        self._by_start: dict[str, list[str]] = {}
        for name in sorted((n for n in self.exact if len(n) >= 4), key=len, reverse=True):
            self._by_start.setdefault(name[:2], []).append(name)

    def __call__(self, text: str) -> str:
        if not self._by_start or not text:
            return self.exact.get(text, text)
        if text in self.exact:
            return self.exact[text]
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            for name in self._by_start.get(text[i : i + 2], ()):
                end = i + len(name)
                if text.startswith(name, i) and _bounded(text, i, end):
                    out.append(self.exact[name])
                    i = end
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


def _bounded(text: str, start: int, end: int) -> bool:
    """The match is not part of a longer word in a script that spaces its words."""

    def wordlike(ch: str) -> bool:
        return (ch.isalnum() or ch == "_") and not ("\u3400" <= ch <= "\u9fff")

    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (before and wordlike(before) and wordlike(text[start])) and not (
        after and wordlike(after) and wordlike(text[end - 1])
    )


@dataclass
class _Context:
    """What redaction needs from the store: aliases and the names that must not appear."""

    aliases: dict[int, str]  # confidential source id -> alias
    alias_names: dict[str, str]  # confidential source name -> alias
    withheld_names: dict[str, str]  # name -> what stands in its place
    withheld_records: set[int]  # records of withheld roles


def _context(store: Store, policy: RedactionPolicy) -> _Context:
    s, pr = schema.sources, schema.person_records
    with store.read() as conn:
        conf = conn.execute(
            select(s.c.id, s.c.name).where(s.c.confidentiality == "confidential").order_by(s.c.id)
        ).all()
        withheld = conn.execute(
            select(pr.c.id, *(pr.c[f] for f in PERSON_NAME_FIELDS)).where(
                pr.c.role.in_(policy.withhold_roles)
            )
        ).all()
    aliases = {
        int(r.id): f"{policy.confidential_source_label} {k}" for k, r in enumerate(conf, start=1)
    }
    alias_names = {r.name: aliases[int(r.id)] for r in conf}
    names: dict[str, str] = {}
    for r in withheld:
        full = r.name or " ".join(p for p in (r.given_name, r.father_name, r.family_name) if p)
        if full:
            names[full] = f"[{WITHHELD}]"
    return _Context(aliases, alias_names, names, {int(r.id) for r in withheld})


# ---- the report ------------------------------------------------------------------------


def name_victims(data: ReportData, pseudonyms: Pseudonyms | None, withhold: set[str]) -> None:
    """Fill each act's ``victim``: the name as written (internal edition), or in public the
    name only with consent, a pseudonym without, and nothing for a withheld role."""
    for act in data.acts:
        rid = act["victim_record_id"]
        if rid is None:
            act["victim"] = None
            continue
        v = data.victims.get(int(rid), {})
        if pseudonyms is None:
            act["victim"] = v.get("name") or f"record {rid}"
        elif v.get("role") in withhold:
            act["victim"] = WITHHELD
        elif v.get("consent") == "yes" and v.get("name"):
            act["victim"] = v["name"]
        else:
            act["victim"] = pseudonyms.record(int(rid))


def redact_report(data: ReportData, store: Store, policy: RedactionPolicy) -> ReportData:
    """Rewrite ``data`` in place as the public edition, then return it."""
    ctx = _context(store, policy)
    pseudonyms = Pseudonyms(store.keys, policy.pseudonym_prefix)
    name_victims(data, pseudonyms, set(policy.withhold_roles))
    # No name leaves with the data, only what the page shows.
    data.victims = {}
    scrub = Scrubber({**ctx.alias_names, **ctx.withheld_names})
    for src in data.sources:
        if src["id"] in ctx.aliases:
            src["name"] = ctx.aliases[src["id"]]
            src["description"] = None
        if src["derived_from_id"] in ctx.aliases:
            src["derived_from"] = ctx.aliases[src["derived_from_id"]]
        src["description"] = scrub(src["description"]) if src["description"] else None
    level = policy.date_level("acts", "date")
    for act in data.acts:
        act["date"], act["date_min"], act["date_max"] = coarsen(
            act["date"], act["date_min"], act["date_max"], level
        )
        _place(act, policy.act_place)
        act["victim_record_id"] = None
        act["rationale"] = scrub(act["rationale"] or "")
        for claim in act["allegations"]:
            if claim["source_id"] in ctx.aliases:
                claim["source"] = ctx.aliases[claim["source_id"]]
    for fac in data.facilities.get("rows", []):
        for key in ("latitude", "longitude"):
            if fac[key] is not None:
                fac[key] = round(float(fac[key]), policy.coordinate_decimals)
    if data.assessment is not None:
        for f in data.assessment["findings"]:
            f["statement"].text = _coarsen_days(f["statement"].text, level)
            f["statement"].value = f["statement"].text
            for key in ("first", "last"):
                fig = f[key]
                fig.value = coarsen_day(fig.value, level)
                fig.text = fig.value or "–"
            for s in f["sensitivity"]:
                s["left_out"] = scrub(s["left_out"] or "")
        for e in data.assessment["elements"]:
            for item in e["evidence"]:
                if item["key"].endswith((".first", ".last")) or item["key"] in ("first", "last"):
                    fig = item["value"]
                    fig.value = coarsen_day(fig.value, level)
                    fig.text = fig.value or "–"
            if e["judgement"]:
                e["judgement"]["actor"] = None
    if data.estimation is not None:
        est = data.estimation
        est["list_names"] = [scrub(n) for n in est["list_names"]]
        for entry in est["lists"]:
            entry["name"] = scrub(entry["name"])
        for row in est["estimates"] + est["totals"]:
            row["model"] = scrub(row["model"])
            row["warnings"] = [scrub(w) for w in row["warnings"]]
    for run in data.runs.values():
        if run is not None:
            run["actor"] = None
    for fig in data.figures.items.values():
        _scrub_figure(fig, scrub)
    data.redaction = {
        "policy": policy.name,
        "version": policy.version,
        "fingerprint": policy.fingerprint(),
        "withhold_roles": list(policy.withhold_roles),
        "act_dates": level,
        "act_place": policy.act_place,
        "coordinate_decimals": policy.coordinate_decimals,
    }
    return data


_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _coarsen_days(text: str, level: DateLevel) -> str:
    """Days written in a stored sentence (a finding's span), cut to ``level``."""
    return _DAY.sub(lambda m: coarsen_day(m.group(1), level) or "", text)


def _place(act: dict[str, Any], level: str) -> None:
    if level == "facility":
        return
    keep = {"county": act["county"], "prefecture": act["prefecture"]}.get(level)
    act["place"] = keep if level != "none" else None
    act["facility"] = act["facility_ref"] = act["facility_id"] = None


def _scrub_figure(fig: Figure, scrub: Scrubber) -> None:
    fig.text = scrub(fig.text)
    fig.value = _scrub_value(fig.value, scrub)


def _scrub_value(value: Any, scrub: Scrubber) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_value(v, scrub) for v in value]
    if isinstance(value, dict):
        return {scrub(str(k)): _scrub_value(v, scrub) for k, v in value.items()}
    return value


# ---- exports ---------------------------------------------------------------------------


def check_public_table(name: str) -> Table:
    table = PUBLIC_TABLES.get(name)
    if table is None:
        raise ConfigError(
            f"there is no public edition of {name!r}; tables with one: {', '.join(PUBLIC_TABLES)}"
        )
    return table


def public_rows(
    store: Store, name: str, policy: RedactionPolicy
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns and rows of table ``name`` as the public edition exports them: witness
    records left out, names pseudonymised without consent, fields dropped, dates and places
    coarsened, confidential sources aliased. Sealed columns are never read."""
    table = check_public_table(name)
    dropped = policy.dropped(name)
    columns = [c.name for c in table.c if c.name not in dropped]
    ctx = _context(store, policy)
    pseudonyms = Pseudonyms(store.keys, policy.pseudonym_prefix)
    scrub = Scrubber({**ctx.alias_names, **ctx.withheld_names})
    dates = [c.name[: -len("_min")] for c in table.c if c.name.endswith("_min")]
    places: dict[int, tuple[str | None, str | None]] = {}
    if name == "acts" and policy.act_place != "facility":
        f = schema.facilities
        with store.read() as conn:
            places = {
                int(r.id): (r.county, r.prefecture)
                for r in conn.execute(select(f.c.id, f.c.county, f.c.prefecture))
            }

    def rows() -> Iterator[dict[str, Any]]:
        read = [table.c[c] for c in columns]
        if name == "person_records":
            read += [table.c.role, table.c.consent_to_publish]
        with store.read() as conn:
            result = conn.execute(select(*read).order_by(table.c.id)).yield_per(10_000)
            for raw in result:
                row = dict(raw._mapping)
                if name == "person_records":
                    if row["role"] in policy.withhold_roles:
                        continue
                    if row["consent_to_publish"] != "yes":
                        for f in PERSON_NAME_FIELDS:
                            if f in row:
                                row[f] = None
                        if "name" in row:
                            row["name"] = pseudonyms.record(int(row["id"]))
                    row = {c: row[c] for c in columns}
                yield _public_row(name, row, policy, ctx, scrub, dates, places)

    return columns, rows()


def _public_row(
    name: str,
    row: dict[str, Any],
    policy: RedactionPolicy,
    ctx: _Context,
    scrub: Scrubber,
    dates: list[str],
    places: dict[int, tuple[str | None, str | None]],
) -> dict[str, Any]:
    for field in dates:
        if f"{field}_min" not in row:
            continue
        level = policy.date_level(name, field)
        text, lo, hi = coarsen(row.get(field), row[f"{field}_min"], row[f"{field}_max"], level)
        if field in row:
            row[field] = text
        row[f"{field}_min"], row[f"{field}_max"] = lo, hi
    if name == "sources" and row["id"] in ctx.aliases:
        row["name"] = ctx.aliases[row["id"]]
        if "description" in row:
            row["description"] = None
    if name == "acts":
        if row.get("victim_record_id") in ctx.withheld_records:
            row["victim_record_id"] = None
        if policy.act_place != "facility":
            county, prefecture = places.get(row.get("facility_id") or -1, (None, None))
            if "place" in row:
                row["place"] = {"county": county, "prefecture": prefecture}.get(policy.act_place)
            for key in ("facility_id", "facility"):
                if key in row:
                    row[key] = None
    if name == "facilities":
        for key in ("latitude", "longitude"):
            if row.get(key) is not None:
                row[key] = round(float(row[key]), policy.coordinate_decimals)
    return {k: _plain(v, scrub) for k, v in row.items()}


def _plain(value: Any, scrub: Scrubber) -> Any:
    """A value as an export writes it: text scrubbed, dates as ISO text."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, int | float) or value is None:
        return value
    iso = getattr(value, "isoformat", None)
    return iso() if iso is not None else str(value)
