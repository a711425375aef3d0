"""Verification bundles: a bundle passes `check` with no store and no key file, then
fails it — naming what failed — after each kind of tampering; the OpenSSL-only recipe of
docs/evidence.md is run as written on the same bundles."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.evidence.local_tsa import Authority, cli_store_with_file, make_ca, tsa, tsa_ca
from tests.test_cli import run

from credible.errors import ConfigError, InputError, NotFoundError
from credible.evidence import (
    add_evidence,
    check_bundle,
    custody_report,
    read_roots,
    timestamp_evidence,
    transfer,
    write_bundle,
)
from credible.store import Store, now, schema

__all__ = ["tsa", "tsa_ca"]  # fixtures, imported for pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "evidence.md"
FILES = {
    "photo.jpg": b"\xff\xd8\xffFICTIONAL photograph of a gate\x00" * 40,
    "list.csv": "name\nFICTIONAL Айгүл\n".encode(),
}


def _store_with_items(store: Store, tmp_path: Path, tsa: Authority) -> list[int]:
    with store.write("tester") as uow:
        uow.insert(schema.sources, name="FICTIONAL leak", created_at=now())
    ids = []
    for name, content in FILES.items():
        path = tmp_path / name
        path.write_bytes(content)
        ids.append(add_evidence(store, path, source="FICTIONAL leak", actor="tester").id)
    transfer(store, ids, "FICTIONAL commission", "for the inquiry", "tester")
    results = timestamp_evidence(store, ids, [tsa.url], read_roots([tsa.roots]), "tester")
    assert {r.state for r in results} == {"granted"}
    return ids


def _script() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Checking a bundle with OpenSSL alone", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "docs/evidence.md has no sh block under its OpenSSL section"
    return match.group(1)


def _openssl_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", _script()], cwd=folder, capture_output=True, text=True, check=False
    )


# ---- tampering, as someone who holds the bundle but not the key would ---------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _flip_file_byte(b: Path) -> None:
    f = b / "items/1/file"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x20
    f.write_bytes(bytes(data))


def _edit_event(b: Path) -> None:
    path = b / "items/1/custody.jsonl"
    lines = _lines(path)
    event = json.loads(lines[1])
    event["actor"] = "FICTIONAL someone else"
    lines[1] = json.dumps(event, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    msg = b / "items/1/custody/0002.msg"
    msg.write_bytes(msg.read_bytes().replace(b'"actor":"tester"', b'"actor":"FICTIONAL x"'))


def _delete_event(b: Path) -> None:
    path = b / "items/1/custody.jsonl"
    lines = _lines(path)
    path.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    (b / "items/1/custody/0002.msg").unlink()
    (b / "items/1/custody/0002.sig").unlink()


def _reorder_events(b: Path) -> None:
    path = b / "items/1/custody.jsonl"
    lines = _lines(path)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    first, second = b / "items/1/custody/0002.msg", b / "items/1/custody/0003.msg"
    a, c = first.read_bytes(), second.read_bytes()
    first.write_bytes(c)
    second.write_bytes(a)


def _swap_signatures(b: Path) -> None:
    path = b / "items/1/custody.jsonl"
    lines = [json.loads(x) for x in _lines(path)]
    lines[0]["signature"], lines[1]["signature"] = lines[1]["signature"], lines[0]["signature"]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    one, two = b / "items/1/custody/0001.sig", b / "items/1/custody/0002.sig"
    a, c = one.read_bytes(), two.read_bytes()
    one.write_bytes(c)
    two.write_bytes(a)


def _tamper_token(b: Path) -> None:
    tsr = b / "items/2/timestamps/1.tsr"
    data = bytearray(tsr.read_bytes())
    data[-5] ^= 0x01  # inside the TSA's signature
    tsr.write_bytes(bytes(data))


def _cut_last_event(b: Path) -> None:
    path = b / "items/2/custody.jsonl"
    lines = _lines(path)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def _edit_audit(b: Path) -> None:
    path = b / "items/2/audit.jsonl"
    lines = [json.loads(x) for x in _lines(path)]
    lines[0]["actor"] = "FICTIONAL nobody"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def _add_file(b: Path) -> None:
    (b / "items/1/note.txt").write_text("FICTIONAL added later")


# kind of tampering -> (item it concerns, kind of problem check must name)
TAMPERING: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "file byte changed": (_flip_file_byte, "evidence 1", "file"),
    "custody event edited": (_edit_event, "evidence 1", "edited"),
    "custody event deleted": (_delete_event, "evidence 1", "removed"),
    "custody events reordered": (_reorder_events, "evidence 1", "reordered"),
    "signatures swapped": (_swap_signatures, "evidence 1", "signature"),
    "timestamp token changed": (_tamper_token, "evidence 2", "token"),
    "last custody event cut": (_cut_last_event, "evidence 2", "removed"),
    "audit entry edited": (_edit_audit, "evidence 2", "audit"),
    "file added": (_add_file, "bundle", "file"),
}


def test_a_bundle_holds_then_fails_after_each_kind_of_tampering(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    ids = _store_with_items(store, tmp_path, tsa)
    out = write_bundle(store, ids, tmp_path / "bundle", actor="clerk", reason="FICTIONAL court")
    assert (out.items, out.files, out.tokens, out.events) == (2, 2, 2, 6)
    bundle = out.out
    assert (bundle / "items/1/file").read_bytes() == FILES["photo.jpg"]
    # Making the bundle is itself in each file's chain, and so in the bundle.
    last = custody_report(store, ids[0]).events[-1]
    assert (last.action, last.actor, last.reason) == ("exported", "clerk", "FICTIONAL court")
    assert json.loads(_lines(bundle / "items/1/custody.jsonl")[-1])["action"] == "exported"
    good = check_bundle(bundle, key_fingerprint=store.keys.fingerprint[:16])
    assert good.ok, [str(p) for p in good.problems]
    assert (good.items, good.files, good.events, good.tokens) == (2, 2, 6, 2)
    ok = _openssl_check(bundle)
    assert ok.returncode == 0 and "bundle verified" in ok.stdout, ok.stdout + ok.stderr
    for name, (tamper, where, kind) in TAMPERING.items():
        copy = tmp_path / name.replace(" ", "-")
        shutil.copytree(bundle, copy)
        tamper(copy)
        report = check_bundle(copy)
        found = {(p.where, p.kind) for p in report.problems}
        assert (where, kind) in found, f"{name}: {[str(p) for p in report.problems]}"
        assert _openssl_check(copy).returncode != 0, f"{name}: OpenSSL recipe did not fail"
    wrong_key = check_bundle(bundle, key_fingerprint="0123456789abcdef")
    assert {p.kind for p in wrong_key.problems} == {"key"}


def test_a_hash_only_bundle_carries_no_file_and_records_no_export(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    ids = _store_with_items(store, tmp_path, tsa)
    before = [len(custody_report(store, i).events) for i in ids]
    out = write_bundle(store, ids, tmp_path / "h", actor="clerk", hash_only=True)
    assert out.files == 0 and not (tmp_path / "h/items/1/file").exists()
    assert (tmp_path / "h/items/1/sha256").read_text().strip() == hashlib.sha256(
        FILES["photo.jpg"]
    ).hexdigest()
    assert [len(custody_report(store, i).events) for i in ids] == before
    report = check_bundle(tmp_path / "h")
    assert report.ok and report.files == 0, [str(p) for p in report.problems]
    assert _openssl_check(tmp_path / "h").returncode == 0
    # Roots the checker brings instead of the bundle's: the TSA's own pass, others fail.
    assert check_bundle(tmp_path / "h", tsa_roots=tsa.roots.read_text()).ok
    stranger = make_ca(tmp_path / "other", "FICTIONAL other TSA")
    foreign = check_bundle(tmp_path / "h", tsa_roots=(stranger / "ca.pem").read_text())
    assert {(p.where, p.kind) for p in foreign.problems} == {
        ("evidence 1", "token"),
        ("evidence 2", "token"),
    }


def test_a_refused_bundle_leaves_nothing(store: Store, tmp_path: Path, tsa: Authority) -> None:
    ids = _store_with_items(store, tmp_path, tsa)
    events = store.count(schema.custody_events)
    with pytest.raises(NotFoundError, match="77"):
        write_bundle(store, [ids[0], 77], tmp_path / "b", actor="clerk")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("FICTIONAL")
    with pytest.raises(ConfigError, match="new or empty folder"):
        write_bundle(store, ids, tmp_path / "full", actor="clerk")
    assert store.count(schema.custody_events) == events
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.glob(".b.part-*"))


def test_check_refuses_what_is_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no manifest\.json"):
        check_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="cannot be read"):
        check_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(InputError, match="not the manifest"):
        check_bundle(tmp_path)


@pytest.mark.slow  # several CLI processes
def test_cli_bundle_check_and_custody_exit_codes_and_messages(
    tmp_path: Path, home: Path, tsa: Authority
) -> None:
    db = cli_store_with_file(tmp_path, home, b"FICTIONAL notes on the eastern gate\n")
    found = run("--db", db, "search", "eastern", "--reveal-sensitive", env_home=home)
    assert "eastern" in found.stdout
    custody = run("--db", db, "evidence", "custody", "1", env_home=home)
    assert "accessed" in custody.stdout and "holds" in custody.stdout
    out = tmp_path / "bundle"
    made = run("--db", db, "evidence", "bundle", "1", "--out", str(out), env_home=home)
    assert "bundle written" in made.stdout
    # The check needs no store and no key: run it from an empty home, without --db.
    bare = tmp_path / "bare-home"
    checked = run("evidence", "check", str(out), cwd=tmp_path, env_home=bare)
    assert "the bundle holds" in checked.stdout
    _flip_file_byte(out)
    failed = run("evidence", "check", str(out), env_home=bare, check=False)
    assert failed.returncode == 5 and "Traceback" not in failed.stderr
    assert "evidence 1: the file was changed" in failed.stdout
    for args, code in [
        (["evidence", "check", str(tmp_path)], 6),
        (["--db", db, "evidence", "custody", "99"], 4),
        (["--db", db, "evidence", "bundle", "1", "--out", str(out)], 2),
    ]:
        proc = run(*args, env_home=home, check=False)
        assert proc.returncode == code, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.strip()


def test_a_hostile_manifest_is_reported_never_followed(
    store: Store, tmp_path: Path, tsa: Authority
) -> None:
    ids = _store_with_items(store, tmp_path, tsa)
    bundle = write_bundle(store, ids, tmp_path / "b", actor="clerk", hash_only=True).out
    outside = tmp_path / "outside.txt"
    outside.write_text("FICTIONAL file outside the bundle")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["items"][0]["file"] = "../outside.txt"
    manifest["items"][0]["audit"] = "/etc/passwd"
    manifest["items"][1]["custody"] = "not an object"
    manifest["items"].append({"id": 3, "timestamps": 7})
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    report = check_bundle(bundle)
    found = {(p.where, p.kind) for p in report.problems}
    assert ("evidence 1", "file") in found and ("evidence 1", "audit") in found
    assert ("bundle", "manifest") in found
    assert ("bundle", "file") in found  # manifest.json no longer matches SHA256SUMS
    assert report.files == 0  # nothing outside the bundle was read as its file
