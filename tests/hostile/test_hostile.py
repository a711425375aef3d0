"""Every case of the hostile corpus, on SQLite and PostgreSQL: a clear message and the
documented exit code, never a traceback, and nothing written (rows, audit, search
index, vault)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.hostile.corpus import CASES, Case

from credible.cli import main
from credible.config import Settings
from credible.store import Store, init_store, schema

# 236 CLI runs, each on a new store: `make test` runs them, `make test-fast` not.
pytestmark = pytest.mark.slow


def _snapshot(store: Store) -> dict[str, object]:
    with store.read() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.EXPORTABLE.items()
        }
        counts["search"] = conn.exec_driver_sql(
            f"SELECT count(*) FROM {store.search.table}"
        ).scalar_one()
    counts["vault"] = store.vault.files()
    return counts


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    old = sys.argv
    sys.argv = ["credible", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # a traceback a user would see
        raise AssertionError(f"credible {' '.join(args)} raised {exc!r}") from exc
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(
    case: Case,
    db_url: str,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings.resolve(db_url, actor="tester")
    store, _, _ = init_store(settings)
    before = _snapshot(store)
    folder = tmp_path / "case"
    folder.mkdir()
    args = case.materialise(folder)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value.replace("{dir}", str(folder)))
    if "--db" not in args:
        args = ["--db", db_url, *args]
    code, output = run_cli(args, capsys)
    assert "Traceback" not in output, output
    assert code == case.code, output
    assert case.says.lower() in output.lower(), output
    if case.code:
        assert _snapshot(store) == before, output
    store.close()
