"""The one redaction step: everything a page or an API response shows passes through
``redact(role, data)`` just before it leaves the server.

A viewer never sees a witness's identity or anyone's contact, nor anything from a source
whose confidentiality is "confidential". The catalog marks every row it returns with
``confidential`` and, for person records, ``role``; this step acts on those marks, so a
new page or route cannot forget the rule.
"""

from __future__ import annotations

from typing import Any

from credible.accounts import role_allows

WITHHELD = "[withheld]"
#: What identifies a person, withheld for a witness.
IDENTITY = frozenset(
    {
        "name", "written", "romanised", "given_name", "father_name", "family_name",
        "birth_date", "birthplace", "residence", "notes", "external_id", "value_l",
        "value_r",
    }
)  # fmt: skip
#: Never shown to a viewer, whoever it belongs to.
CONTACT = frozenset({"contact", "extra_sealed"})


class Withheld(Exception):
    """The whole thing asked for is withheld from this role (shown as not found)."""


def sees_everything(role: str) -> bool:
    return role_allows(role, "reviewer")


def redact(role: str, data: Any) -> Any:
    """``data`` as ``role`` may see it. Raises Withheld when the top level itself is
    withheld (a confidential source's record asked for by id)."""
    if sees_everything(role):
        return data
    out = _walk(data)
    if out is _DROP:
        raise Withheld
    return out


_DROP = object()


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get("confidential") is True:
            return _DROP
        witness = value.get("role") == "witness"
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in CONTACT or (witness and k in IDENTITY):
                out[k] = None if v is None else WITHHELD
            else:
                w = _walk(v)
                out[k] = None if w is _DROP else w
        if witness:
            out["withheld"] = True
        return out
    if isinstance(value, list | tuple):
        return [w for w in (_walk(v) for v in value) if w is not _DROP]
    return value
