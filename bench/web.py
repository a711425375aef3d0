"""Load test of the web application: 50 concurrent users searching and reviewing against
`credible serve` on the 20,000-person FICTIONAL demo store on PostgreSQL. Local only,
bounded in time and in requests.

    python bench/web.py                         # 1 worker, then 2 workers, 90 s each
    python bench/web.py --workers 2 --seconds 60 --users 50 --reviewers 4

The demo store is built once (simulate, import, link, estimate, assess: several minutes)
into the PostgreSQL schema ``bench_web`` and its key under ~/.cache/credible-bench; later
runs reuse it. Prints p50/p95/p99 latency per route, throughput and errors, and checks
that no two reviewers decided the same pair and that every decision answered 200 is
stored once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from sqlalchemy import create_engine, func, select, text

PG = os.environ.get("CREDIBLE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_web"
CACHE = Path(os.environ.get("CREDIBLE_BENCH_CACHE", Path.home() / ".cache" / "credible-bench"))
PASSWORD = "FICTIONAL bench passphrase"


def _db() -> str:
    return f"{PG}?options=-csearch_path%3D{SCHEMA}"


def build_store(people: int) -> None:
    """The demo store, once: reused while its schema holds a finished assessment run."""
    from credible.config import Settings
    from credible.store import open_store, schema

    os.environ["CREDIBLE_HOME"] = str(CACHE / "home")
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = :s AND table_name = 'runs'"
            ),
            {"s": SCHEMA},
        ).first()
    settings = Settings.resolve(_db(), actor="bench")
    if exists:
        store = open_store(settings)
        with store.read() as conn:
            n = conn.execute(select(func.count()).select_from(schema.runs)).scalar_one()
        store.close()
        if n >= 3:
            return
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    from credible.demo import run_demo

    t = time.monotonic()
    run_demo(CACHE / "web-demo", people=people, seed=2022, settings=settings, report=False,
             say=lambda m: print("  " + m, file=sys.stderr))  # fmt: skip
    print(f"built the demo store in {time.monotonic() - t:.0f} s", file=sys.stderr)


def users(n_reviewers: int) -> dict[str, str]:
    """Tokens of one searcher account and n reviewer accounts (made once)."""
    from credible.accounts import add_user, create_token, list_users
    from credible.config import Settings
    from credible.store import open_store

    store = open_store(Settings.resolve(_db(), actor="bench"))
    have = {u.name for u in list_users(store)}
    tokens = {}
    for name, role in [("searcher", "viewer")] + [
        (f"reviewer{i}", "reviewer") for i in range(n_reviewers)
    ]:
        if name not in have:
            add_user(store, "bench", name, role, PASSWORD)
        tokens[name] = create_token(store, "bench", name, "bench/web.py")
    store.close()
    return tokens


def queries(k: int = 300) -> list[str]:
    """Names as the store holds them, in every script, and their parts."""
    from credible.config import Settings
    from credible.store import open_store, schema

    store = open_store(Settings.resolve(_db(), actor="bench"))
    pr = schema.person_records
    with store.read() as conn:
        names = [
            r[0]
            for r in conn.execute(
                select(pr.c.name).where(pr.c.name.is_not(None)).order_by(pr.c.id).limit(20000)
            )
        ]
    store.close()
    rng = random.Random(7)
    picked = rng.sample(names, min(k, len(names)))
    parts = [p for n in picked for p in n.replace("·", " ").split()[:1]]
    return picked + parts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


KINDS: Counter[str] = Counter()  # what the errors were: a status, or the client's exception
THINK = 1.0  # seconds a user pauses between actions, on average (--think)
TIMEOUT = 30.0  # seconds a request may take before the client gives up on it


class ClientError(Exception):
    """The server closed the connection or answered something that is not HTTP/1.1."""


class Client:
    """One user's keep-alive HTTP/1.1 connection. The load generator shares the 2 cores
    with the server and PostgreSQL: httpx spent ~4 ms of CPU a request, this ~0.5 ms,
    asking the same requests."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, target: str, body: object = None) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._request(method, target, body), TIMEOUT)
        except BaseException:
            self.close()  # a half-read answer leaves the connection unusable
            raise

    async def _request(self, method: str, target: str, body: object) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        data = b"" if body is None else json.dumps(body).encode()
        extra = f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n" if data else ""
        writer.write(f"{method} {target} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + data)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ClientError(lines[0])
        fields = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)
        }
        if fields.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            content = await reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(parts[1]), content

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


FAILED = (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ClientError, ValueError)


async def _pause(rng: random.Random) -> None:
    if THINK > 0:
        await asyncio.sleep(rng.uniform(0.5 * THINK, 1.5 * THINK))


async def _searcher(client, targets, stop, lat, errors, rng):  # type: ignore[no-untyped-def]
    while time.monotonic() < stop:
        await _pause(rng)
        target = rng.choice(targets)
        t = time.monotonic()
        status, why = None, ""
        try:
            status, _ = await client.request("GET", target)
        except FAILED as exc:
            why = type(exc).__name__
        lat["GET /api/v1/search"].append(time.monotonic() - t)
        if status != 200:
            errors["GET /api/v1/search"] += 1
            KINDS[str(status) if status is not None else why] += 1
    client.close()


async def _reviewer(client, name, stop, lat, errors, decided):  # type: ignore[no-untyped-def]
    i = 0
    rng = random.Random(name)
    while time.monotonic() < stop:
        await _pause(rng)
        t = time.monotonic()
        status, content = None, b""
        with contextlib.suppress(*FAILED):
            status, content = await client.request("GET", "/api/v1/review/next")
        lat["GET /api/v1/review/next"].append(time.monotonic() - t)
        if status != 200:
            errors["GET /api/v1/review/next"] += 1
            continue
        pair = json.loads(content)["pair_id"]
        if pair is None:
            await asyncio.sleep(0.5)
            continue
        decision = ("accept", "reject", "unsure")[i % 3]
        i += 1
        t = time.monotonic()
        try:
            status, _ = await client.request(
                "POST", f"/api/v1/review/{pair}/decision",
                {"decision": decision, "note": "FICTIONAL bench"},
            )  # fmt: skip
            ok = status == 200
        except FAILED:
            ok = False
        lat["POST /api/v1/review/{pair_id}/decision"].append(time.monotonic() - t)
        if ok:
            decided.append((name, pair))
        else:
            errors["POST /api/v1/review/{pair_id}/decision"] += 1
    client.close()


async def load(base: str, tokens: dict[str, str], qs: list[str], n_users: int, seconds: float):  # type: ignore[no-untyped-def]
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    decided: list[tuple[str, str]] = []
    reviewers = [n for n in tokens if n.startswith("reviewer")]
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    # the same requests as before: each query, limit 50
    targets = ["/api/v1/search?" + urlencode({"q": q, "limit": 50}) for q in qs]
    stop = time.monotonic() + seconds
    tasks = [
        _reviewer(Client(host, port, tokens[n]), n, stop, lat, errors, decided) for n in reviewers
    ] + [
        _searcher(
            Client(host, port, tokens["searcher"]), targets, stop, lat, errors, random.Random(i)
        )
        for i in range(n_users - len(reviewers))
    ]
    t = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t
    return lat, errors, decided, elapsed


def check_decisions(decided: list[tuple[str, str]], since_id: int) -> tuple[bool, int, int]:
    """No pair decided by two reviewers; every 200 stored once, under its reviewer."""
    from credible.config import Settings
    from credible.store import open_store, schema

    store = open_store(Settings.resolve(_db(), actor="bench"))
    j = schema.judgements
    with store.read() as conn:
        rows = conn.execute(
            select(j.c.record_l, j.c.record_r, j.c.actor).where(j.c.id > since_id)
        ).all()
    store.close()
    stored = sorted((a, f"{lo}-{hi}") for lo, hi, a in rows)
    pairs = [p for _, p in decided]
    return len(set(pairs)) == len(pairs) and stored == sorted(decided), len(decided), len(rows)


def last_judgement() -> int:
    from credible.config import Settings
    from credible.store import open_store, schema

    store = open_store(Settings.resolve(_db(), actor="bench"))
    with store.read() as conn:
        n = conn.execute(select(func.coalesce(func.max(schema.judgements.c.id), 0))).scalar_one()
    store.close()
    return int(n)


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000
        if len(values) > 1
        else float("nan")
    )  # type: ignore[arg-type]


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int) -> float:
    """CPU seconds of a process (user + system), 0 when it is gone or not on Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live descendants (uvicorn's workers)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += _cpu_of(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return total


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this host (other users' included)."""
    total = 0.0
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if (d / "comm").read_text().strip() == "postgres":
                total += _cpu_of(int(d.name))
        except OSError:
            pass
    return total


def run(workers: int, n_users: int, n_reviewers: int, seconds: float) -> None:
    KINDS.clear()  # the error kinds of this run only
    tokens = users(n_reviewers)
    qs = queries()
    port = _free_port()
    env = dict(os.environ, CREDIBLE_HOME=str(CACHE / "home"))
    log = CACHE / f"serve-{workers}.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "credible.cli", "--db", _db(), "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        since = last_judgement()
        # A few seconds of warm-up (imports, caches), not measured.
        asyncio.run(load(base, tokens, qs, 4, 5))
        since = last_judgement()
        # CPU of the server, PostgreSQL and this load generator over the measured run:
        # what a request costs, whatever else the machine is doing
        cpu0 = (_tree_cpu(server.pid), _postgres_cpu(), time.process_time())
        lat, errors, decided, elapsed = asyncio.run(load(base, tokens, qs, n_users, seconds))
        cpu1 = (_tree_cpu(server.pid), _postgres_cpu(), time.process_time())
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    ok, n_decided, n_stored = check_decisions(decided, since)
    total = sum(len(v) for v in lat.values())
    print(
        f"\n{workers} worker(s), {n_users} users ({n_reviewers} reviewing), "
        f"think time {THINK:g} s, {elapsed:.0f} s"
    )
    print(f"{'route':<42}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for route, values in sorted(lat.items()):
        print(
            f"{route:<42}{len(values):>9}{errors.get(route, 0):>8}"
            f"{pct(values, 50):>9.0f}{pct(values, 95):>9.0f}{pct(values, 99):>9.0f}"
        )
    print(f"throughput {total / elapsed:.1f} requests/s; errors {sum(errors.values())}")
    cpu = [(b - a) / max(total, 1) * 1000 for a, b in zip(cpu0, cpu1, strict=True)]
    print(
        f"CPU per request: server {cpu[0]:.1f} ms, PostgreSQL {cpu[1]:.1f} ms (all of its "
        f"processes), load generator {cpu[2]:.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    if KINDS:
        print("errors: " + ", ".join(f"{k} x{n}" for k, n in KINDS.most_common()))
    logged = [line for line in log.read_text().splitlines() if "Error" in line][-3:]
    if logged:
        print("the server logged: " + " | ".join(logged))
    print(
        f"review: {n_decided} decisions answered 200, {n_stored} stored; "
        f"no pair decided twice and none lost: {'yes' if ok else 'NO'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--reviewers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument(
        "--think", type=float, default=1.0,
        help="mean pause of a user between actions, s (0: back to back, a stress test)",
    )  # fmt: skip
    a = ap.parse_args()
    global THINK
    THINK = a.think
    build_store(a.people)
    for w in a.workers:
        run(w, a.users, a.reviewers, a.seconds)


if __name__ == "__main__":
    main()
