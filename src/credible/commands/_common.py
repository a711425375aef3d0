"""What every command module shares: the Typer app, consoles, settings from the
global options, and small display helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from credible.config import Settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

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


def progress_bar() -> Progress:
    """A Rich progress display on stderr, quiet when stderr is not a terminal."""
    return Progress(
        TextColumn("{task.description}"),
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
