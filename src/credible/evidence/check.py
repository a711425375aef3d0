"""Checking a bundle with nothing but the bundle: no store, no key file.

Every problem found is named for what it concerns: a file that changed, a custody event
edited, removed or out of order, a signature or a timestamp token that does not hold,
an audit entry altered. The bundle's public key is taken from the bundle; who checks
compares its fingerprint with the one the organisation publishes (``--key-fingerprint``
does it for them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from credible.errors import InputError, Problem
from credible.evidence.bundle import FORMAT, MANIFEST, SUMS, SUMS_SIG, event_name
from credible.evidence.timestamps import check_token, parse_roots
from credible.store import (
    CustodyEvent,
    check_chain,
    entry_hash,
    file_sha256,
    public_key_fingerprint,
    public_key_from_pem,
    verify_signature,
)


@dataclass(frozen=True)
class BundleProblem:
    where: str  # "bundle", or "evidence 3"
    kind: str  # file, sums, edited, removed, reordered, signature, key, token, audit
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class BundleReport:
    key_fingerprint: str = ""
    items: int = 0
    events: int = 0
    tokens: int = 0
    files: int = 0
    problems: list[BundleProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_bundle(
    root: Path, *, key_fingerprint: str | None = None, tsa_roots: str | None = None
) -> BundleReport:
    """Check a bundle folder. ``key_fingerprint``: the organisation's published one (hex,
    whole or its first 16 digits, colons allowed); ``tsa_roots``: PEM roots to check
    tokens against instead of those the bundle carries."""
    root = Path(root)
    manifest = _manifest(root)
    report = BundleReport()
    keys = _keys(root, manifest, report)
    bundle_key = str(manifest["key"]["fingerprint"])
    report.key_fingerprint = bundle_key
    if key_fingerprint is not None:
        want = key_fingerprint.replace(":", "").lower()
        if not want or not bundle_key.startswith(want):
            report.problems.append(
                BundleProblem(
                    "bundle",
                    "key",
                    f"it is signed with key {bundle_key[:16]}..., not with the expected "
                    f"{key_fingerprint}",
                )
            )
    _check_sums(root, keys.get(bundle_key), report)
    roots = parse_roots(tsa_roots, "--tsa-root") if tsa_roots else None
    for n, item in enumerate(manifest["items"], 1):
        try:
            _check_item(root, item, keys, roots, report)
        except (TypeError, AttributeError, KeyError, ValueError):
            # A manifest written by hand or altered: say which item, never a traceback.
            report.problems.append(
                BundleProblem("bundle", "manifest", f"item {n} of {MANIFEST} is malformed")
            )
    return report


def _manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not root.is_dir():
        raise InputError(
            [Problem(str(root), None, None, "a bundle folder")], f"{root} is not a folder"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            [Problem(str(path), None, None, "the manifest of a bundle")],
            f"{root} is not a bundle: it has no {MANIFEST}",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            [Problem(str(path), None, None, "JSON written by `credible evidence bundle`")],
            f"{path} cannot be read: {exc}",
        ) from None
    ok = (
        isinstance(manifest, dict)
        and manifest.get("format") == FORMAT
        and isinstance(manifest.get("items"), list)
        and isinstance(manifest.get("keys"), dict)
        and isinstance(manifest.get("key"), dict)
        and isinstance(manifest["key"].get("fingerprint"), str)
        and all(isinstance(i, dict) for i in manifest["items"])
    )
    if not ok:
        raise InputError(
            [Problem(str(path), None, "format", FORMAT)],
            f"{path} is not the manifest of a bundle this version of credible reads",
        )
    return manifest


def _inside(root: Path, rel: object) -> Path | None:
    """``rel`` as a path inside the bundle, or None for anything that leaves it."""
    if not isinstance(rel, str) or not rel:
        return None
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or "\\" in rel:
        return None
    return root.joinpath(*pure.parts)


def _keys(root: Path, manifest: dict[str, Any], report: BundleReport) -> dict[str, bytes]:
    keys = {}
    named = {**manifest["keys"], manifest["key"].get("fingerprint"): manifest["key"].get("file")}
    for fp, rel in named.items():
        path = _inside(root, rel)
        try:
            raw = public_key_from_pem(path.read_bytes()) if path else None
        except (OSError, ValueError):
            raw = None
        if raw is None:
            report.problems.append(
                BundleProblem(
                    "bundle", "key", f"the public key file {rel} is missing or unreadable"
                )
            )
        elif public_key_fingerprint(raw) != fp:
            report.problems.append(
                BundleProblem(
                    "bundle",
                    "key",
                    f"the public key in {rel} is not the key {fp[:16]}... the manifest names",
                )
            )
        else:
            keys[fp] = raw
    return keys


def _check_sums(root: Path, key: bytes | None, report: BundleReport) -> None:
    try:
        sums = (root / SUMS).read_bytes()
        signature = (root / SUMS_SIG).read_bytes()
    except OSError:
        report.problems.append(BundleProblem("bundle", "sums", f"{SUMS} or {SUMS_SIG} is missing"))
        return
    if key is None or not verify_signature(key, sums, signature):
        report.problems.append(
            BundleProblem(
                "bundle",
                "signature",
                f"the signature of {SUMS} does not hold with the bundle's key: the list of "
                "files or its signature was changed",
            )
        )
    listed = set()
    for n, line in enumerate(sums.decode("utf-8", "replace").splitlines(), 1):
        digest, _, rel = line.partition("  ")
        path = _inside(root, rel)
        if path is None or len(digest) != 64:
            report.problems.append(BundleProblem("bundle", "sums", f"{SUMS} line {n} is malformed"))
            continue
        listed.add(rel)
        if not path.is_file():
            report.problems.append(BundleProblem("bundle", "file", f"{rel} is missing"))
        elif _sha256(path) != digest:
            report.problems.append(
                BundleProblem("bundle", "file", f"{rel} was changed after the bundle was made")
            )
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel not in listed and rel not in (SUMS, SUMS_SIG):
            report.problems.append(
                BundleProblem("bundle", "file", f"{rel} was added after the bundle was made")
            )


def _check_item(
    root: Path,
    item: dict[str, Any],
    keys: dict[str, bytes],
    roots: list[Any] | None,
    report: BundleReport,
) -> None:
    report.items += 1
    where = f"evidence {item.get('id')}"
    sha = str(item.get("sha256", ""))

    def problem(kind: str, message: str) -> None:
        report.problems.append(BundleProblem(where, kind, message))

    if item.get("file") is not None:
        path = _inside(root, item["file"])
        if path is None or not path.is_file():
            problem("file", f"its file {item['file']} is missing")
        else:
            report.files += 1
            actual = _sha256(path)
            if actual != sha:
                problem(
                    "file",
                    f"the file was changed: its SHA-256 is {actual}, the custody chain and "
                    f"timestamps are for {sha}",
                )
    custody = item.get("custody") or {}
    events = _events(root, custody.get("file"), problem)
    report.events += len(events)
    for p in check_chain(
        sha,
        events,
        keys,
        expect_count=custody.get("events"),
        expect_head=custody.get("head"),
    ):
        problem(p.kind, p.message)
    _check_event_files(root, custody.get("file"), sha, events, problem)
    for n, token in enumerate(item.get("timestamps") or [], 1):
        report.tokens += 1
        _check_token(root, token, n, sha, roots, problem)
    _check_audit(root, item.get("audit"), problem)


def _events(root: Path, rel: object, problem: Any) -> list[CustodyEvent]:
    path = _inside(root, rel)
    if path is None or not path.is_file():
        problem("removed", f"its custody chain ({rel}) is missing")
        return []
    events = []
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        try:
            events.append(CustodyEvent.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            problem("edited", f"line {n} of {rel} is not a custody event")
    return events


def _check_event_files(
    root: Path, rel: object, sha: str, events: list[CustodyEvent], problem: Any
) -> None:
    """The .msg and .sig files (what OpenSSL checks) must say what custody.jsonl says."""
    if not isinstance(rel, str):
        return
    folder = _inside(root, rel.removesuffix(".jsonl"))
    if folder is None:
        return
    for ev in events:
        name = event_name(ev.seq)
        try:
            msg = (folder / f"{name}.msg").read_bytes()
            sig = (folder / f"{name}.sig").read_bytes()
        except OSError:
            problem("removed", f"the signed bytes or signature file of event {ev.seq} is missing")
            continue
        if msg != ev.message(sha):
            problem(
                "edited",
                f"event {ev.seq}: its signed bytes ({name}.msg) differ from the event as listed",
            )
        if sig.hex() != ev.signature:
            problem(
                "signature",
                f"event {ev.seq}: its signature file ({name}.sig) differs from the event's "
                "signature as listed",
            )


def _check_token(
    root: Path, token: Any, n: int, sha: str, roots: list[Any] | None, problem: Any
) -> None:
    if not isinstance(token, dict):
        problem("token", f"timestamp {n} is malformed in the manifest")
        return
    tsr, pem = _inside(root, token.get("token")), _inside(root, token.get("roots"))
    if tsr is None or not tsr.is_file():
        problem("token", f"timestamp token {n} ({token.get('token')}) is missing")
        return
    if roots is None:
        try:
            roots = parse_roots(pem.read_bytes() if pem else b"", str(token.get("roots")))
        except (InputError, OSError):
            problem(
                "token", f"timestamp token {n}: its TSA roots ({token.get('roots')}) are missing"
            )
            return
    check = check_token(tsr.read_bytes(), sha, roots)
    if not check.ok:
        problem(
            "token", f"timestamp token {n} ({token.get('tsa_url')}) is invalid: {check.problem}"
        )


def _check_audit(root: Path, rel: object, problem: Any) -> None:
    path = _inside(root, rel)
    if path is None or not path.is_file():
        problem("audit", f"its audit entries ({rel}) are missing")
        return
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        try:
            e = json.loads(line)
            ok = e["hash"] == entry_hash(
                e["prev_hash"],
                e["at"],
                e["actor"],
                e["action"],
                e["entity"],
                e["entity_id"],
                e["detail"],
            )
        except (ValueError, KeyError, TypeError):
            ok, e = False, {}
        if not ok:
            problem("audit", f"audit entry {e.get('id', f'on line {n}')} was altered")


def _sha256(path: Path) -> str:
    return file_sha256(path)[0]
