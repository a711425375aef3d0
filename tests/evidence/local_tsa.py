"""A timestamping authority made in the test: a test CA and a TSA certificate made with
OpenSSL, and OpenSSL's own `ts -reply` behind a small HTTP server on 127.0.0.1.

Fixtures are imported by the test modules that use them (``from tests.evidence.local_tsa
import tsa, tsa_ca``).
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from credible.evidence import add_evidence
from credible.store import Store, now, schema

OPENSSL = shutil.which("openssl")

_EXTENSIONS = """
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa_cert]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args: str, cwd: Path) -> None:
    assert OPENSSL is not None
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, name: str = "FICTIONAL test TSA") -> Path:
    """A root CA and a TSA certificate it signs (P-256 keys); ``folder/ts.cnf`` is the
    TSA's configuration for ``openssl ts -reply``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ext.cnf").write_text(_EXTENSIONS)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
        "-subj", f"/CN={name} root", "-config", "ext.cnf", "-extensions", "ca", cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", "-new", *ec, "-keyout", "tsa.key", "-out", "tsa.csr",
        "-subj", f"/CN={name}", "-config", "ext.cnf", cwd=folder,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "3650",
        "-extfile", "ext.cnf", "-extensions", "tsa_cert", cwd=folder,
    )  # fmt: skip
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(
        f"""[tsa]
default_tsa = t
[t]
serial = {folder}/serial
crypto_device = builtin
signer_cert = {folder}/tsa.pem
certs = {folder}/ca.pem
signer_key = {folder}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
    )
    return folder


class LocalTsa:
    """``openssl ts -reply`` answering RFC 3161 requests over HTTP on 127.0.0.1."""

    def __init__(self, ca: Path) -> None:
        self.ca = ca
        self.roots = ca / "ca.pem"
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    def start(self, port: int = 0) -> str:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with tsa._lock:
                    tsa.requests += 1
                    work = tsa.ca / f"q{tsa.requests}"
                    work.with_suffix(".tsq").write_bytes(body)
                    proc = subprocess.run(
                        [OPENSSL or "openssl", "ts", "-reply", "-config", "ts.cnf",
                         "-queryfile", str(work.with_suffix(".tsq")),
                         "-out", str(work.with_suffix(".tsr"))],
                        cwd=tsa.ca, capture_output=True, check=False,
                    )  # fmt: skip
                if proc.returncode != 0:
                    self.send_response(400)
                    self.end_headers()
                    return
                answer = work.with_suffix(".tsr").read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/tsa"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def free_port() -> int:
    """A port nothing listens on now (so that a request to it fails as with no network)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Authority:
    """A running local TSA: its URL and the PEM file of its root."""

    url: str
    roots: Path
    server: LocalTsa


@pytest.fixture(scope="session")
def tsa_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if OPENSSL is None:
        pytest.skip("openssl is not installed")
    return make_ca(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def tsa(tsa_ca: Path) -> Iterator[Authority]:
    server = LocalTsa(tsa_ca)
    url = server.start()
    yield Authority(url, server.roots, server)
    server.stop()


# ---- evidence to timestamp, custody and bundle (shared by the evidence tests) ----------


def fictional_evidence(
    store: Store, tmp_path: Path, content: bytes, note: str | None = None
) -> int:
    """A FICTIONAL file added as evidence of a FICTIONAL source (made on first use)."""
    with store.write("tester") as uow:
        if store.count(schema.sources) == 0:
            uow.insert(schema.sources, name="FICTIONAL testimony", created_at=now())
    path = tmp_path / f"e-{hashlib.sha256(content).hexdigest()[:8]}.bin"
    path.write_bytes(content)
    return add_evidence(store, path, source="FICTIONAL testimony", actor="tester", note=note).id


def cli_store_with_file(tmp_path: Path, home: Path, content: bytes) -> str:
    """A store made by the CLI, holding one FICTIONAL file as evidence 1; its --db."""
    from tests.test_cli import run

    db = str(tmp_path / "cli.db")
    run("--db", db, "init", env_home=home)
    run("--db", db, "source", "add", "FICTIONAL testimony", "--kind", "testimony",
        "--reliability", "B", env_home=home)  # fmt: skip
    f = tmp_path / "notes.txt"
    f.write_bytes(content)
    run("--db", db, "evidence", "add", str(f), "--source", "FICTIONAL testimony", env_home=home)
    return db
