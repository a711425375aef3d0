"""The CLI as scripts use it: real processes, exit codes, stdout and stderr."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli_process import run_cli


def run(
    *args: str, cwd: Path | None = None, env_home: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=env_home, cwd=cwd, check=check)


@pytest.fixture
def db(tmp_path: Path, home: Path) -> Path:
    path = tmp_path / "cli.db"
    run("--db", str(path), "init", env_home=home)
    return path


def test_init_is_idempotent(db: Path, home: Path) -> None:
    again = run("--db", str(db), "init", env_home=home)
    assert "up to date" in again.stdout


def test_default_store_is_credible_db_in_cwd(tmp_path: Path, home: Path) -> None:
    run("init", cwd=tmp_path, env_home=home)
    assert (tmp_path / "credible.db").exists()


def test_missing_store_is_a_clear_error(tmp_path: Path, home: Path) -> None:
    proc = run("--db", str(tmp_path / "nope.db"), "export", "sources", env_home=home, check=False)
    assert proc.returncode == 3
    assert "credible init" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_table_lists_the_tables(db: Path, home: Path) -> None:
    proc = run("--db", str(db), "export", "people", env_home=home, check=False)
    assert proc.returncode == 4
    assert "person_records" in proc.stderr


@pytest.mark.parametrize(
    "table",
    [
        "sources",
        "evidence",
        "person_records",
        "persons",
        "facilities",
        "acts",
        "allegations",
        "audit",
    ],
)
def test_export_has_every_column(db: Path, home: Path, table: str) -> None:
    from credible.store import schema

    out = run("--db", str(db), "export", table, env_home=home).stdout
    header = next(csv.reader(io.StringIO(out)))
    assert header == [c.name for c in schema.EXPORTABLE[table].c]


def test_export_jsonl_to_file(db: Path, home: Path, tmp_path: Path) -> None:
    target = tmp_path / "audit.jsonl"
    run(
        "--db", str(db), "export", "audit", "--format", "jsonl", "--out", str(target), env_home=home
    )
    import json

    (entry,) = [json.loads(line) for line in target.read_text().splitlines()]
    # a new store has written one entry: the key it was made with, by fingerprint
    assert (entry["action"], entry["entity"], entry["id"]) == ("key", "store", 1)


def test_audit_verify_exit_codes(db: Path, home: Path) -> None:
    import os

    from credible.config import Settings
    from credible.store import now, open_store, schema

    os.environ["CREDIBLE_HOME"] = str(home)
    store = open_store(Settings.resolve(str(db)))
    with store.write("tester") as uow:
        uow.insert(schema.sources, name="FICTIONAL", created_at=now())
    store.close()
    ok = run("--db", str(db), "audit", "verify", env_home=home)
    assert "intact" in ok.stdout
    head = ok.stdout.split("head ")[-1].strip()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sources SET kind = 'media'")
    bad = run("--db", str(db), "audit", "verify", env_home=home, check=False)
    assert bad.returncode == 5
    assert "audit entry 2" in bad.stderr and "sources row 1" in bad.stderr
    assert len(head) == 64


def test_every_command_has_help_text() -> None:
    import typer.main

    from credible.cli import app

    group = typer.main.get_command(app)
    todo = [(name, cmd) for name, cmd in group.commands.items()]  # type: ignore[attr-defined]
    while todo:
        name, cmd = todo.pop()
        assert cmd.help, f"`credible {name}` has no help text"
        for param in cmd.params:
            if param.name not in ("help",) and getattr(param, "param_type_name", "") == "option":
                assert getattr(param, "help", None), (
                    f"`credible {name}` option {param.name} has no help"
                )
        for sub, subcmd in getattr(cmd, "commands", {}).items():
            todo.append((f"{name} {sub}", subcmd))


def test_every_command_is_documented() -> None:
    import typer.main

    from credible.cli import app

    docs = "\n".join(p.read_text() for p in Path(__file__).parents[1].joinpath("docs").glob("*.md"))
    docs += Path(__file__).parents[1].joinpath("README.md").read_text()
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"credible {name}" in docs, f"`credible {name}` is not in README.md or docs/"
        for sub in getattr(command, "commands", {}):
            assert f"credible {name} {sub}" in docs, f"`credible {name} {sub}` is undocumented"


def test_help_lists_the_pipeline_commands() -> None:
    out = run("--help").stdout
    for name in ("init", "import", "search", "export", "audit", "simulate", "demo"):
        assert name in out


def test_usage_error_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    proc = run("simulate", "--lists", "11", "--out", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "--lists" in proc.stderr


def test_link_threshold_help_states_the_default_in_force() -> None:
    from credible.linkage import LinkSettings

    out = " ".join(run("link", "--help").stdout.replace("│", " ").split())
    assert f"Default {LinkSettings().match_threshold:g}" in out


def test_python_dash_m_runs_the_same_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "credible", "--help"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "simulate" in done.stdout and "estimate" in done.stdout
