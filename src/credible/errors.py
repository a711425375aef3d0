"""One error tree for everything a user can cause or act on.

Library code raises these; only ``cli.py`` and ``web/`` turn them into exit codes,
messages or HTTP statuses.
"""

from __future__ import annotations

from dataclasses import dataclass


class CredibleError(Exception):
    """Base of every error a user can act on. ``str(err)`` is the message to show."""

    exit_code = 1


class ConfigError(CredibleError):
    """Settings, paths or URLs that cannot be used."""

    exit_code = 2


class StoreError(CredibleError):
    """The store cannot be opened, is not initialised, or refused a write."""

    exit_code = 3


class NotFoundError(CredibleError):
    """A named thing (table, record, source, run) does not exist."""

    exit_code = 4


class IntegrityError(CredibleError):
    """The audit chain or the data no longer match what was recorded."""

    exit_code = 5


class AuthError(CredibleError):
    """Who is asking is not known: no session or token, a wrong password, a disabled
    account. The message never says which of these it was."""

    exit_code = 7


class AccessError(CredibleError):
    """Who is asking is known, but their role does not allow this."""

    exit_code = 7


class RateLimitError(CredibleError):
    """Too many attempts in too short a time (sign-in)."""

    exit_code = 7


class ConflictError(CredibleError):
    """The request contradicts the current state: a review pair leased to someone else,
    a name already taken."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it.

    ``row`` counts data rows from 1 (the header is not a data row); ``None`` when the
    problem concerns the whole file.
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    value: object = None
    field: str | None = None  # the field the value was read into
    # A value that only failed validation: `import --keep-invalid` keeps it as written
    # and leaves the field empty instead of refusing the file.
    keepable: bool = False

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column is not None:
            where += f":{self.column}"
        got = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.expected}{got}"


class InputError(CredibleError):
    """An input file or value was rejected. Carries every problem found, not only the first."""

    exit_code = 6
    max_shown = 50

    def __init__(self, problems: list[Problem], summary: str | None = None) -> None:
        self.problems = list(problems)
        self.summary = summary or f"{len(self.problems)} problem(s) found; nothing was written"
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [self.summary]
        lines += [f"  {p}" for p in self.problems[: self.max_shown]]
        hidden = len(self.problems) - self.max_shown
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
        return "\n".join(lines)
