"""Trusted timestamps (RFC 3161) over evidence files' SHA-256.

A token from a timestamping authority (TSA) proves that a file with this SHA-256 existed
at the time the TSA signed, whoever later doubts the store. Each file can hold tokens
from several TSAs, so that one TSA's key or good name failing later leaves the others.

The request is built from the SHA-256 the store already holds (asn1crypto), so a file is
never read again to be timestamped; the response is parsed and checked by rfc3161-client:
the TSA's signature, its certificate chain up to a root the user gave, the nonce and the
message imprint. The TSA's response is kept byte for byte as it came, so that anyone can
check it again with ``openssl ts -verify`` (docs/evidence.md).

A request that cannot be sent (no network, or the TSA is down) is queued; the next run
sends it.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from cryptography import x509
from rfc3161_client import PKIStatus, VerificationError, VerifierBuilder, decode_timestamp_response
from rfc3161_client.tsp import TimeStampResponse
from sqlalchemy import select

from credible.errors import ConfigError, InputError, NotFoundError, Problem
from credible.store import Store, now, schema

SHA256_OID = "2.16.840.1.101.3.4.2.1"
TIMEOUT_SECONDS = 20.0
MAX_RESPONSE_BYTES = 1 << 20  # a token is a few KiB; more is not a TSA's answer


@dataclass(frozen=True)
class TokenCheck:
    """What checking a token found. ``problem`` is None when it holds."""

    problem: str | None
    gen_time: str | None = None
    serial: str | None = None
    tsa_name: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def request_for(sha256: str) -> tuple[bytes, int]:
    """A DER TimeStampReq over a SHA-256 (hex), asking for the TSA's certificate; and
    the nonce it carries."""
    nonce = secrets.randbits(63)
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": bytes.fromhex(sha256),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return req.dump(), nonce


def parse_roots(pem: str | bytes, where: str = "the TSA roots") -> list[x509.Certificate]:
    """The certificates in a PEM text; InputError naming ``where`` if there are none."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise InputError(
            [
                Problem(
                    where, None, None, "one or more PEM certificates (-----BEGIN CERTIFICATE-----)"
                )
            ],
            f"{where} holds no certificate",
        )
    return certs


def read_roots(paths: Sequence[Path]) -> str:
    """The PEM text of the root certificate files given (checked); '' for none."""
    texts = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(
                [Problem(str(path), None, None, "a readable PEM certificate file")],
                f"cannot read {path}: {exc.strerror}",
            ) from exc
        parse_roots(data, str(path))
        texts.append(data.decode("ascii", "replace").strip())
    return "\n".join(texts) + ("\n" if texts else "")


def _decoded(token: bytes) -> TimeStampResponse:
    try:
        return decode_timestamp_response(token)
    except ValueError as exc:
        if "InvalidSetOrdering" not in str(exc):
            raise
    # OpenSSL's TSA (and others) send the certificate set unsorted, which strict DER
    # refuses. The set is not signed; sorting it changes nothing the signature covers.
    # The token is kept as it came; only this copy, for checking, is sorted.
    resp = tsp.TimeStampResp.load(token)
    signed = resp["time_stamp_token"]["content"]
    certs = sorted(signed["certificates"], key=lambda c: c.dump())
    signed["certificates"] = cms.CertificateSet(certs)
    return decode_timestamp_response(resp.dump())


def _tsa_name(resp: TimeStampResponse) -> str | None:
    signer = next(iter(resp.signed_data.signer_infos), None)
    for der in resp.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if signer is not None and cert.serial_number == signer.serial_number:
            return cert.subject.rfc4514_string()
    return None


def check_token(
    token: bytes,
    sha256: str,
    roots: Sequence[x509.Certificate],
    nonce: int | None = None,
) -> TokenCheck:
    """Check a TSA's response: granted, signed by a certificate that chains to one of
    ``roots`` (valid at the time it names), for the time-stamping purpose, over exactly
    this SHA-256 (and with ``nonce``, when it answers a request just made)."""
    try:
        resp = _decoded(token)
        status = resp.status
        if status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
            text = "; ".join(resp.status_string) or f"status {status}"
            return TokenCheck(f"the TSA refused the request: {text}")
        info = resp.tst_info
        found = TokenCheck(
            None, info.gen_time.isoformat(), format(info.serial_number, "x"), _tsa_name(resp)
        )
    except (ValueError, TypeError, KeyError) as exc:
        # rfc3161-client and asn1crypto say "malformed" as ValueError (and, for the
        # latter, sometimes as TypeError or KeyError).
        return TokenCheck(f"it is not a well-formed timestamp response ({exc})")
    if info.message_imprint.hash_algorithm.dotted_string != SHA256_OID:
        return TokenCheck("its imprint is not a SHA-256", *_rest(found))
    if not roots:
        return TokenCheck("no TSA root certificate to check it against", *_rest(found))
    builder = VerifierBuilder(roots=list(roots))
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify(resp, bytes.fromhex(sha256))
    except VerificationError as exc:
        return TokenCheck(_plain(str(exc)), *_rest(found))
    except ValueError as exc:
        return TokenCheck(f"it cannot be checked: {exc}", *_rest(found))
    return found


def _rest(c: TokenCheck) -> tuple[str | None, str | None, str | None]:
    return c.gen_time, c.serial, c.tsa_name


def _plain(reason: str) -> str:
    if reason == "Mismatch between messages":
        return "it was issued for another file: its imprint is not this file's SHA-256"
    if reason.startswith("Error while verifying certificates"):
        return (
            "its signature or certificate chain does not hold against the given roots "
            f"({reason.split(':', 1)[-1].strip()})"
        )
    if reason == "Nonce mismatch":
        return "it does not answer the request made (nonce differs)"
    return reason


class Unreachable(Exception):
    """The TSA could not be reached: no network, or the TSA is down."""


def send(url: str, request: bytes, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """POST a request to a TSA; its response. Unreachable when it cannot be sent or the
    TSA is unavailable; ValueError when the TSA answers with something else."""
    req = urllib.request.Request(
        url, data=request, headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            body: bytes = answer.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise Unreachable(f"the TSA is unavailable (HTTP {exc.code})") from exc
        raise ValueError(f"the TSA answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise Unreachable(str(exc.reason)) from exc
    except (TimeoutError, ConnectionError) as exc:
        raise Unreachable(str(exc) or type(exc).__name__) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError("the TSA's answer is larger than any timestamp response")
    return body


def check_tsa_url(url: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise ConfigError(f"TSA URL {url!r}: expected an http:// or https:// address")
    return url


@dataclass(frozen=True)
class StampResult:
    evidence_id: int
    tsa_url: str
    state: str  # granted, queued, failed
    detail: str  # the time the TSA gives, or why it is queued or failed


@dataclass
class _Job:
    evidence_id: int
    sha256: str
    tsa_url: str
    roots: str
    row_id: int | None = None  # a queued request's row
    outcome: dict[str, Any] | None = None


def timestamp_evidence(
    store: Store,
    evidence_ids: Iterable[int],
    tsa_urls: Sequence[str],
    roots_pem: str,
    actor: str,
    timeout: float = TIMEOUT_SECONDS,
) -> list[StampResult]:
    """Send the queued requests, then ask each TSA for a token over each file given.

    A token is stored only if it checks out. A request that cannot be sent is stored as
    queued (with the roots to check its answer against), to be sent by the next run."""
    ids = list(dict.fromkeys(evidence_ids))
    urls = [check_tsa_url(u) for u in dict.fromkeys(tsa_urls)]
    if ids and not urls:
        raise ConfigError(
            "no TSA to ask: pass --tsa URL (several may be given) or set CREDIBLE_TSA"
        )
    if ids and not roots_pem:
        raise ConfigError(
            "no TSA root certificate: pass --tsa-root FILE (the PEM certificate of the "
            "TSA's root, from its operator) or set CREDIBLE_TSA_ROOTS; without it no token "
            "can be checked"
        )
    jobs = _queued(store) + _new_jobs(store, ids, urls, roots_pem)
    if not jobs:
        raise ConfigError("nothing to timestamp: give evidence ids (no request is queued)")
    for job in jobs:
        job.outcome = _ask(job, timeout)
    _record(store, jobs, actor)
    return [_result(job) for job in jobs]


def _queued(store: Store) -> list[_Job]:
    t = schema.timestamps
    with store.read() as conn:
        rows = conn.execute(select(t).where(t.c.state == "queued").order_by(t.c.id)).all()
    return [_Job(r.evidence_id, r.sha256, r.tsa_url, r.roots or "", r.id) for r in rows]


def _new_jobs(store: Store, ids: list[int], urls: list[str], roots: str) -> list[_Job]:
    e, t = schema.evidence, schema.timestamps
    with store.read() as conn:
        found = dict(conn.execute(select(e.c.id, e.c.sha256).where(e.c.id.in_(ids))).all())
        waiting = set(
            conn.execute(select(t.c.evidence_id, t.c.tsa_url).where(t.c.state == "queued")).all()
        )
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"no evidence with id {', '.join(missing)}")
    return [_Job(i, found[i], url, roots) for i in ids for url in urls if (i, url) not in waiting]


def _ask(job: _Job, timeout: float) -> dict[str, Any]:
    request, nonce = request_for(job.sha256)
    try:
        token = send(job.tsa_url, request, timeout)
    except Unreachable as exc:
        return {"state": "queued", "problem": f"cannot reach {job.tsa_url}: {exc}"}
    except ValueError as exc:
        return {"state": "failed", "problem": str(exc)}
    roots = parse_roots(job.roots) if job.roots else []
    check = check_token(token, job.sha256, roots, nonce)
    if not check.ok:
        return {
            "state": "failed",
            "problem": f"the token from {job.tsa_url} fails: {check.problem}",
        }
    return {
        "state": "granted",
        "token": token,
        "gen_time": check.gen_time,
        "serial": check.serial,
        "tsa_name": check.tsa_name,
        "checked_at": now(),
        "problem": None,
    }


def _record(store: Store, jobs: list[_Job], actor: str) -> None:
    t = schema.timestamps
    with store.write(actor) as uow:
        for job in jobs:
            out = dict(job.outcome or {})
            if job.row_id is not None:
                if out["state"] == "granted":
                    uow.update(t, job.row_id, **out)
                elif out["problem"]:
                    uow.update(t, job.row_id, problem=out["problem"])
            elif out["state"] != "failed":
                # A failed answer is not kept: it proves nothing and is reported.
                uow.insert(
                    t,
                    evidence_id=job.evidence_id,
                    sha256=job.sha256,
                    tsa_url=job.tsa_url,
                    requested_at=now(),
                    roots=job.roots,
                    **out,
                )


def _result(job: _Job) -> StampResult:
    out = job.outcome or {}
    detail = out.get("gen_time") if out.get("state") == "granted" else out.get("problem")
    return StampResult(job.evidence_id, job.tsa_url, str(out.get("state")), str(detail or ""))


@dataclass(frozen=True)
class StoredToken:
    id: int
    tsa_url: str
    state: str
    gen_time: str | None
    tsa_name: str | None
    token: bytes | None
    roots: str
    problem: str | None


def stored_tokens(store: Store, evidence_id: int) -> list[StoredToken]:
    t = schema.timestamps
    with store.read() as conn:
        rows = conn.execute(select(t).where(t.c.evidence_id == evidence_id).order_by(t.c.id))
        return [
            StoredToken(
                r.id,
                r.tsa_url,
                r.state,
                r.gen_time,
                r.tsa_name,
                bytes(r.token) if r.token is not None else None,
                r.roots or "",
                r.problem,
            )
            for r in rows
        ]


def recheck(token: StoredToken, sha256: str) -> TokenCheck:
    """A stored token checked again, against the roots it was first checked with."""
    if token.token is None:
        return TokenCheck(token.problem or "queued: not sent yet")
    try:
        roots = parse_roots(token.roots)
    except InputError:
        roots = []
    return check_token(token.token, sha256, roots)


def token_digest(token: bytes) -> str:
    return hashlib.sha256(token).hexdigest()
