"""What every command module shares: the Typer app, consoles, settings from the
global options, and small display helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from credible.config import Settings

# C0 and C1 control characters other than newline and tab: a value holding an escape
# sequence must not move the cursor, recolour or retitle the analyst's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: str) -> str:
    """A string as it may reach a terminal: control characters shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


class SafeConsole(Console):
    """A console for values from the store and from users: no Rich markup is read in
    them (``[/]`` in a source name is text) and no control character reaches the
    terminal. Styles are given explicitly, as ``Text`` (see ``styled``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(soft_wrap=True, markup=False, highlight=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text), **kwargs)


console = SafeConsole()
err_console = SafeConsole(stderr=True)


def styled(label: str, style: str, rest: str = "") -> Text:
    """``label`` in ``style`` followed by plain ``rest``, both made printable."""
    return Text.assemble((printable(label), style), printable(rest))


def warn(message: str, label: str = "warning:") -> None:
    console.print(styled(label, "yellow", " " + message))


app = typer.Typer(
    name="credible",
    help="Document, link, count, assess and publish findings of human-rights investigations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class Context:
    db: str | None
    actor: str | None

    def settings(self) -> Settings:
        return Settings.resolve(self.db, self.actor)


def context(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


def count_text(value: float) -> str:
    """A head count for a table: '-' for not estimable (NaN), 'unbounded' for infinity."""
    if value != value:
        return "-"
    return "unbounded" if value == float("inf") else f"{value:,.0f}"


def store_exists(settings: Settings) -> bool:
    return not settings.is_sqlite or Path(where(settings)).exists()


def where(settings: Settings) -> str:
    return settings.db_url.removeprefix("sqlite:///")


def check_output_file(path: Path, flag: str) -> None:
    """Refuse, before any work, an output path that cannot be written as a file."""
    from credible.errors import ConfigError

    if path.is_dir():
        raise ConfigError(f"{flag} {path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise ConfigError(f"{flag} {path}: the folder {path.parent} does not exist")
    probe = path.with_name(path.name + ".part")
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"{flag} {path} cannot be written: {exc.strerror}") from exc


def check_output_dir(path: Path, flag: str) -> None:
    """Make the output folder now, so that a path that cannot be one fails before work."""
    from credible.errors import ConfigError

    if path.exists() and not path.is_dir():
        raise ConfigError(f"{flag} {path} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".credible-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"{flag} {path} cannot be written: {exc.strerror}") from exc


def progress_bar() -> Progress:
    """A Rich progress display on stderr, quiet when stderr is not a terminal."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar; yields ``advance(n)``."""
    with progress_bar() as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store: a file path (SQLite) or postgresql://... URL. "
            "Default: $CREDIBLE_DB, else ./credible.db.",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            help="Who is acting, recorded in the audit log. Default: $CREDIBLE_ACTOR or $USER."
        ),
    ] = None,
) -> None:
    ctx.obj = Context(db=db, actor=actor)
