"""The command line: parse, call a service, print. No business logic lives here.

Exit codes: 0 success; otherwise the ``exit_code`` of the CredibleError raised
(1 generic, 2 configuration, 3 store, 4 not found, 5 integrity, 6 bad input),
with the reason on stderr.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console

from credible.config import Settings
from credible.errors import CredibleError

console = Console()
err_console = Console(stderr=True)

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
        typer.Option(help="Who is acting, recorded in the audit log. Default: $CREDIBLE_ACTOR or $USER."),
    ] = None,
) -> None:
    ctx.obj = Context(db=db, actor=actor)


# ---- commands are registered below, one section per capability ----------------------


def main() -> None:
    """Entry point: run the app, turning user-facing errors into a message and exit code."""
    try:
        app(standalone_mode=False)
    except CredibleError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
