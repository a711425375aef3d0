"""RFC 3161 timestamps from a TSA made in the test (OpenSSL's `ts`): issued, checked,
kept; tampered tokens and files fail; without a network the request is queued."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.evidence.local_tsa import (
    Authority,
    LocalTsa,
    cli_store_with_file,
    fictional_evidence,
    free_port,
    make_ca,
    tsa,
    tsa_ca,
)
from tests.test_cli import run

from credible.errors import ConfigError, InputError, NotFoundError
from credible.evidence import (
    check_token,
    custody_report,
    read_roots,
    timestamp_evidence,
)
from credible.evidence.timestamps import parse_roots
from credible.store import Store, schema, verify

__all__ = ["tsa", "tsa_ca"]  # fixtures, imported for pytest

CONTENT = b"FICTIONAL interview notes, for a timestamp\n"


def _evidence(store: Store, tmp_path: Path) -> int:
    return fictional_evidence(store, tmp_path, CONTENT)


def _token(store: Store, evidence_id: int) -> bytes:
    t = schema.timestamps
    with store.read() as conn:
        return bytes(
            conn.execute(select(t.c.token).where(t.c.evidence_id == evidence_id)).scalar_one()
        )


def test_a_local_tsa_issues_a_token_that_is_checked_and_kept(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    eid = _evidence(store, tmp_path)
    (r,) = timestamp_evidence(store, [eid], [tsa.url], read_roots([tsa.roots]), "tester")
    assert (r.state, r.evidence_id) == ("granted", eid)
    report = custody_report(store, eid)
    ((token, check),) = report.tokens
    assert token.state == "granted" and check.ok, check.problem
    assert "FICTIONAL test TSA" in (check.tsa_name or "")
    with store.read() as conn:
        assert verify(conn, public_key=store.keys.public_key).ok
    # The token is kept as the TSA sent it: OpenSSL checks it against the file itself.
    tsr = tmp_path / "t.tsr"
    tsr.write_bytes(_token(store, eid))
    data = tmp_path / "data"
    data.write_bytes(CONTENT)
    ok = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(tsr), "-data", str(data),
         "-CAfile", str(tsa.roots)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0 and "Verification: OK" in ok.stdout, ok.stderr


def test_a_tampered_token_or_another_file_fails(
    store: Store, tmp_path: Path, tsa: Authority, tsa_ca: Path
) -> None:
    eid = _evidence(store, tmp_path)
    timestamp_evidence(store, [eid], [tsa.url], read_roots([tsa.roots]), "tester")
    token = _token(store, eid)
    roots = parse_roots(tsa.roots.read_bytes())
    sha = hashlib.sha256(CONTENT).hexdigest()
    assert check_token(token, sha, roots).ok
    other = hashlib.sha256(CONTENT + b"changed").hexdigest()
    assert "another file" in str(check_token(token, other, roots).problem)
    for at in _covered_bytes(token):
        bad = bytearray(token)
        bad[at] ^= 0x01
        assert not check_token(bytes(bad), sha, roots).ok, f"byte {at} changed, token holds"
    stranger = make_ca(tmp_path / "other", "FICTIONAL other TSA")
    untrusted = check_token(token, sha, parse_roots((stranger / "ca.pem").read_bytes()))
    assert not untrusted.ok and "roots" in str(untrusted.problem)


def _covered_bytes(token: bytes) -> list[int]:
    """Offsets, every few bytes, of what the TSA's signature covers: the token's content
    (time, serial, imprint), the signed attributes, and the signature itself."""
    from asn1crypto import tsp

    signed = tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]
    signer = signed["signer_infos"][0]
    parts = [
        signed["encap_content_info"]["content"].contents,
        signer["signed_attrs"].dump()[2:],
        signer["signature"].contents,
    ]
    offsets = []
    for part in parts:
        start = token.index(part)
        offsets += range(start, start + len(part), 5)
    return offsets


def test_a_token_from_an_untrusted_tsa_is_refused_and_not_kept(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    eid = _evidence(store, tmp_path)
    stranger = make_ca(tmp_path / "other", "FICTIONAL other TSA")
    (r,) = timestamp_evidence(store, [eid], [tsa.url], read_roots([stranger / "ca.pem"]), "tester")
    assert r.state == "failed" and "roots" in r.detail
    assert store.count(schema.timestamps) == 0


def test_without_a_network_the_request_is_queued_and_sent_later(
    store: Store, tmp_path: Path, tsa_ca: Path
) -> None:
    eid = _evidence(store, tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/tsa"
    roots = read_roots([tsa_ca / "ca.pem"])
    (r,) = timestamp_evidence(store, [eid], [url], roots, "tester", timeout=2)
    assert r.state == "queued" and "cannot reach" in r.detail
    t = schema.timestamps
    with store.read() as conn:
        assert conn.execute(select(t.c.state, t.c.token)).all() == [("queued", None)]
    # Asking again while still offline does not queue the same request twice.
    timestamp_evidence(store, [eid], [url], roots, "tester", timeout=2)
    assert store.count(schema.timestamps) == 1
    server = LocalTsa(tsa_ca)
    server.start(port)
    try:
        (sent,) = timestamp_evidence(store, [], [], "", "tester")
    finally:
        server.stop()
    assert (sent.state, sent.evidence_id) == ("granted", eid)
    ((token, check),) = custody_report(store, eid).tokens
    assert token.state == "granted" and check.ok
    with store.read() as conn:
        assert verify(conn, public_key=store.keys.public_key).ok


def test_bad_requests_are_refused_before_anything_is_sent(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    eid = _evidence(store, tmp_path)
    roots = read_roots([tsa.roots])
    with pytest.raises(ConfigError, match="--tsa"):
        timestamp_evidence(store, [eid], [], roots, "tester")
    with pytest.raises(ConfigError, match="--tsa-root"):
        timestamp_evidence(store, [eid], [tsa.url], "", "tester")
    with pytest.raises(ConfigError, match="http"):
        timestamp_evidence(store, [eid], ["ftp://example.invalid/tsa"], roots, "tester")
    with pytest.raises(NotFoundError, match="999"):
        timestamp_evidence(store, [999], [tsa.url], roots, "tester")
    not_pem = tmp_path / "root.pem"
    not_pem.write_text("FICTIONAL, not a certificate")
    with pytest.raises(InputError, match="no certificate"):
        read_roots([not_pem])
    assert tsa.server.requests == 0 and store.count(schema.timestamps) == 0


@pytest.mark.slow  # nine CLI processes
def test_cli_timestamp_and_its_errors_are_clean(
    tmp_path: Path, home: Path, tsa: Authority, tsa_ca: Path
) -> None:
    db = cli_store_with_file(tmp_path, home, CONTENT)
    f = tmp_path / "notes.txt"
    ok = run(
        "--db", db, "evidence", "timestamp", "1", "--tsa", tsa.url,
        "--tsa-root", str(tsa.roots), env_home=home,
    )  # fmt: skip
    assert "granted" in ok.stdout
    offline = run(
        "--db", db, "evidence", "timestamp", "1", "--tsa", f"http://127.0.0.1:{free_port()}/",
        "--tsa-root", str(tsa.roots), "--timeout", "2", env_home=home,
    )  # fmt: skip
    assert "queued" in offline.stdout and "no network" in offline.stdout
    for args, code, words in [
        (["evidence", "timestamp", "1"], 2, "--tsa"),
        (["evidence", "timestamp", "7", "--tsa", tsa.url, "--tsa-root", str(tsa.roots)], 4, "7"),
        (["evidence", "timestamp", "1", "--tsa", tsa.url, "--tsa-root", str(f)], 6, "PEM"),
    ]:
        proc = run("--db", db, *args, env_home=home, check=False)
        assert proc.returncode == code, proc.stderr
        assert words in proc.stderr and "Traceback" not in proc.stderr
    custody = run("--db", db, "evidence", "custody", "1", env_home=home)
    assert "holds" in custody.stdout and "queued" in custody.stdout


def test_tsas_and_roots_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    from credible.config import Settings

    monkeypatch.setenv("CREDIBLE_TSA", "http://tsa.one.invalid/ , http://tsa.two.invalid/")
    monkeypatch.setenv("CREDIBLE_TSA_ROOTS", "/r/one.pem:/r/two.pem")
    s = Settings.resolve("x.db")
    assert s.tsa_urls == ("http://tsa.one.invalid/", "http://tsa.two.invalid/")
    assert s.tsa_roots == (Path("/r/one.pem"), Path("/r/two.pem"))
    monkeypatch.delenv("CREDIBLE_TSA")
    monkeypatch.delenv("CREDIBLE_TSA_ROOTS")
    assert Settings.resolve("x.db").tsa_urls == () == Settings.resolve("x.db").tsa_roots
