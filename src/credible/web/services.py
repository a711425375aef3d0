"""Calls that the API and the pages make alike (argument shaping only)."""

from __future__ import annotations

from credible.assess import judge_element as _judge
from credible.store import Store, latest_run
from credible.web.models import JudgeElement


def judge_element(store: Store, actor: str, body: JudgeElement) -> int:
    """As `credible assess judge`: recorded against the latest assessment run."""
    with store.read() as conn:
        info = latest_run(conn, "assess")
    return _judge(
        store, actor, body.element, body.met, body.rationale, body.standard,
        info.id if info else None,
    )  # fmt: skip
