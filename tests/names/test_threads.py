"""Batched name similarity is safe to call from several threads at once (the web
server's request threads share the registry of parsed names)."""

from __future__ import annotations

import threading

from credible.names import name_similarity_many


def test_similarity_from_many_threads_at_once() -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        try:
            for i in range(30):
                a = [f"Tursun{k}x{i}x{j} Ekber" for j in range(40)]
                b = [f"Tursun{k}x{i}x{j} Ekbar" for j in range(40)]
                out = name_similarity_many(a, b)
                assert len(out) == 40 and (out > 0.5).all()
        except BaseException as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
