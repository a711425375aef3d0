"""The review queue shared by two reviewers: never the same pair at once, no decision
lost, no pair decided twice."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.conftest import WebCase

from credible.store import schema
from credible.store.runs import live_decisions


def _judgements(wcase: WebCase) -> list[tuple[int, int, str, str]]:
    j = schema.judgements
    with wcase.store.read() as conn:
        return [
            (r.record_l, r.record_r, r.decision, r.actor)
            for r in conn.execute(select(j).order_by(j.c.id))
        ]


def _live_decisions(wcase: WebCase) -> set[str]:
    """Pairs with a decision in force (``runs.live_decisions``): a retracted decision
    puts the pair back in the queue, and handing it out again is right."""
    with wcase.store.read() as conn:
        rows = live_decisions(conn, schema.judgements, "record_l", "record_r")
    return {f"{r.record_l}-{r.record_r}" for r in rows}


def test_two_reviewers_never_get_the_same_pair(wcase: WebCase, app: Any) -> None:
    before = len(_judgements(wcase))
    decided: dict[str, list[tuple[str, str]]] = {"reviewer": [], "analyst": []}
    held: dict[str, list[str]] = {"reviewer": [], "analyst": []}
    errors: list[str] = []
    barrier = threading.Barrier(2)

    def work(role: str) -> None:
        headers = {"Authorization": f"Bearer {wcase.tokens[role]}"}
        with TestClient(app) as client:
            barrier.wait()
            for i in range(12):
                r = client.get("/api/v1/review/next", headers=headers)
                if r.status_code != 200:
                    errors.append(f"next: {r.status_code} {r.text}")
                    return
                pair = r.json()["pair_id"]
                if pair is None:
                    return
                held[role].append(pair)
                decision = ("accept", "reject", "unsure")[i % 3]
                r = client.post(
                    f"/api/v1/review/{pair}/decision",
                    headers=headers,
                    json={"decision": decision, "note": f"by {role}"},
                )
                if r.status_code != 200:
                    errors.append(f"decision: {r.status_code} {r.text}")
                    return
                decided[role].append((pair, decision))

    threads = [threading.Thread(target=work, args=(role,)) for role in decided]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert decided["reviewer"] and decided["analyst"]
    mine = {p for p, _ in decided["reviewer"]}
    theirs = {p for p, _ in decided["analyst"]}
    assert not mine & theirs  # never the same pair
    assert not set(held["reviewer"]) & set(held["analyst"])
    stored = _judgements(wcase)[before:]
    # Every decision made is stored once, under the reviewer's name; nothing else was.
    want = sorted(
        (p, {"accept": "positive", "reject": "negative", "unsure": "unsure"}[d], f"{role}1")
        for role, items in decided.items()
        for p, d in items
    )
    got = sorted((f"{a}-{b}", d, who) for a, b, d, who in stored)
    assert got == want


def test_a_pair_is_decided_once_even_when_posted_twice_at_once(wcase: WebCase, app: Any) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['admin']}"}
    with TestClient(app) as client:
        pair = client.get("/api/v1/review/next", headers=headers).json()["pair_id"]
    if pair is None:
        return  # the queue was emptied by the test before
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        with TestClient(app) as client:
            barrier.wait()
            r = client.post(
                f"/api/v1/review/{pair}/decision", headers=headers, json={"decision": "accept"}
            )
            statuses.append(r.status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    lo, hi = (int(x) for x in pair.split("-"))
    j = schema.judgements
    with wcase.store.read() as conn:
        n = conn.execute(
            select(func.count()).where(j.c.record_l == lo, j.c.record_r == hi)
        ).scalar_one()
    assert n == 1


def test_a_decision_without_the_lease_is_refused(wcase: WebCase, app: Any) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['reviewer']}"}
    with TestClient(app) as client:
        r = client.post("/api/v1/review/1-2/decision", headers=headers, json={"decision": "accept"})
        assert r.status_code == 409
        r = client.post("/api/v1/review/x/decision", headers=headers, json={"decision": "accept"})
        assert r.status_code == 422
        r = client.post("/api/v1/review/1-2/decision", headers=headers, json={"decision": "yes"})
        assert r.status_code == 422


def test_a_lease_granted_on_a_pair_decided_meanwhile_cannot_decide_it(
    wcase: WebCase, app: Any
) -> None:
    # What a slow next_pair does under load: it reads the queue, another reviewer leases
    # and decides the pair, then the lease is free and the slow request takes it.
    first = {"Authorization": f"Bearer {wcase.tokens['reviewer']}"}
    second = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    with TestClient(app) as client:
        pair = client.get("/api/v1/review/next", headers=first).json()["pair_id"]
        if pair is not None:
            r = client.post(
                f"/api/v1/review/{pair}/decision", headers=first, json={"decision": "accept"}
            )
            assert r.status_code == 200
        else:  # the queue was worked through by the tests before: a pair decided there,
            # by someone other than the second reviewer (whose refusal is what is tested)
            j = next(j for j in reversed(_judgements(wcase)) if j[3] != "analyst1")
            pair = f"{j[0]}-{j[1]}"
        lo, hi = (int(x) for x in pair.split("-"))
        leases = schema.review_leases
        with wcase.store.engine.begin() as conn:
            conn.execute(
                leases.insert().values(
                    record_l=lo, record_r=hi, reviewer="analyst1", expires_at="9999-12-31T00:00:00"
                )
            )
        r = client.post(
            f"/api/v1/review/{pair}/decision", headers=second, json={"decision": "reject"}
        )
        assert r.status_code == 409
    decided = [j for j in _judgements(wcase) if (j[0], j[1]) == (lo, hi)]
    assert len(decided) == 1 and decided[0][3] != "analyst1"


def test_the_queue_in_sql_is_the_queue_the_linkage_computes(wcase: WebCase) -> None:
    from credible.linkage.leases import _queue
    from credible.linkage.service import (
        latest_link_run,
        run_settings,
        store_judgements,
        stored_scores,
    )
    from credible.linkage.train import review_queue
    from credible.store import live_judgements, retract_judgement

    # Reopen the pairs decided so far (appended retractions): the queue is not empty, and
    # a retracted decision no longer keeps its pair out of it.
    with wcase.store.read() as conn:
        live = [j.id for j in live_judgements(conn)]
    with wcase.store.write("tester") as uow:
        for jid in live[: max(1, len(live) // 2)]:
            retract_judgement(uow, jid, "reopened by the test")
    run = latest_link_run(wcase.store)
    settings = run_settings(run)
    with wcase.store.read() as conn:
        in_sql = [
            (int(r.lo), int(r.hi))
            for r in conn.execute(_queue(run.id, settings.review_lower, settings.review_upper))
        ]
        frame = review_queue(stored_scores(conn, run.id), settings, store_judgements(conn))
    in_memory = [
        (min(int(a), int(b)), max(int(a), int(b)))
        for a, b in zip(frame["record_id_l"], frame["record_id_r"], strict=True)
    ]
    assert in_sql and sorted(in_sql) == sorted(in_memory)


def test_next_pair_skips_a_pair_decided_after_the_queue_was_read(
    wcase: WebCase, monkeypatch: Any
) -> None:
    """Under load a request reads the queue, another reviewer decides a pair in it, and
    only then is the lease taken: the pair handed out must not be one already decided
    (its decision would be refused). A queue read before the decisions stands in for
    the slow read."""
    from credible.linkage import leases

    leases.release_leases(wcase.store, "analyst1")  # an earlier test leaves one behind
    first = leases.next_pair(wcase.store, "reviewer1")
    if first is not None:
        leases.decide_leased(wcase.store, "reviewer1", first.pair_id, "accept")
    decided = _live_decisions(wcase)
    assert decided  # the stale queue holds decided pairs for the check to skip
    monkeypatch.setattr(leases, "_queue", leases._band)  # the undecided filter left out
    handed = leases.next_pair(wcase.store, "analyst1")
    try:
        assert handed is None or handed.pair_id not in decided
    finally:
        leases.release_leases(wcase.store, "analyst1")


def test_the_next_pair_carries_its_two_records_and_stays_leased(wcase: WebCase, app: Any) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['reviewer']}"}
    with TestClient(app) as client:
        first = client.get("/api/v1/review/next", headers=headers).json()
        again = client.get("/api/v1/review/next", headers=headers).json()
    if first["pair_id"] is None:
        return  # the queue was emptied by a test before
    lo, hi = (int(x) for x in first["pair_id"].split("-"))
    assert (first["record_l"]["id"], first["record_r"]["id"]) == (lo, hi)
    assert first["record_l"]["written"] and first["record_r"]["written"]
    # Asking again before deciding hands back the same lease, not a second pair.
    assert again["pair_id"] == first["pair_id"]
    assert 0 < first["match_probability"] < 1
