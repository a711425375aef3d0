"""Readers read during a write; a writer kept waiting says who holds the store."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import time

import pytest

from credible.config import Settings
from credible.errors import StoreError
from credible.store import Store, open_store, schema
from credible.store.audit import now

# Spawned processes holding real locks: in `make test`, not in `make test-fast`.
pytestmark = pytest.mark.slow


def _hold_the_write_lock(
    settings: Settings, ready: mp.synchronize.Event, done: mp.synchronize.Event
):
    store = open_store(settings, label="import FICTIONAL_big.csv")
    with store.write("alice") as uow:
        uow.insert(schema.sources, name="FICTIONAL held", created_at=now())
        ready.set()
        done.wait(30)
    store.close()


@pytest.fixture
def writer(store: Store, settings: Settings):
    """Another process in the middle of a long write."""
    store.close()
    ctx = mp.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_the_write_lock, args=(settings, ready, done))
    proc.start()
    assert ready.wait(30), "the writer process did not start"
    yield
    done.set()
    proc.join(30)


def test_readers_read_while_another_process_writes(writer: None, settings: Settings) -> None:
    store = open_store(settings)
    with store.read() as conn:
        names = [r.name for r in conn.execute(schema.sources.select())]
    assert "FICTIONAL held" not in names  # not committed yet, and no wait for it
    assert store.count(schema.sources) == 0
    store.close()


def test_a_waiting_writer_gives_up_and_names_the_holder(writer: None, settings: Settings) -> None:
    impatient = dataclasses.replace(settings, lock_timeout=1.0)
    store = open_store(impatient, label="link")
    started = time.monotonic()
    with pytest.raises(StoreError) as err, store.write("bob") as uow:
        uow.insert(schema.sources, name="FICTIONAL second", created_at=now())
    assert time.monotonic() - started < 20
    message = str(err.value)
    assert "busy" in message
    assert "import FICTIONAL_big.csv by alice" in message
    assert "nothing was written" in message.lower()
    store.close()
