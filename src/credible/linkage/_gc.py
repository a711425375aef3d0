"""Garbage collection that leaves alone the objects a linkage step starts with.

By the time records are linked the process holds millions of objects that will outlive
the step: modules, Splink's and sqlglot's, the caches of ``credible.names``, the prepared
records' lists of keys. Python's collector walks all of them at each full collection,
and a step allocates enough to run several: a second of CPU in a five-second link of
FEBRL 3 (gen-2 collections, 0.14 s each). Within ``old_objects_frozen`` those objects
are set aside (``gc.freeze``) and only what the step makes is walked; on leaving they
are handed back, so nothing is kept that would otherwise be collected.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_ours = False  # whether the objects set aside are ours to hand back


@contextmanager
def old_objects_frozen() -> Iterator[None]:
    """Collect only the objects made inside (usable as a decorator). Nested or in
    several threads at once, the objects are handed back when the last one leaves. An
    application that froze objects itself (before forking workers) keeps its freeze:
    then nothing is done here."""
    global _depth, _ours
    with _lock:
        if _depth == 0:
            _ours = gc.get_freeze_count() == 0
        if _ours:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _ours:
                gc.unfreeze()
