"""The command line as a user runs it: ``python -m credible.cli`` in its own process,
with its own environment (no ``CREDIBLE_DB`` leaking in from the test run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str,
    home: Path | None = None,
    actor: str | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("CREDIBLE_DB", None)
    if home is not None:
        env["CREDIBLE_HOME"] = str(home)
    if actor is not None:
        env["CREDIBLE_ACTOR"] = actor
    proc = subprocess.run(
        [sys.executable, "-m", "credible.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env=env,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc
