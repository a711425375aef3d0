"""The command line: parse, call a service, print. No business logic lives here.

Exit codes: 0 success; otherwise the ``exit_code`` of the CredibleError raised
(1 generic, 2 configuration or usage, 3 store, 4 not found, 5 integrity, 6 bad input),
with the reason on stderr. The commands live in ``credible.commands``, a module per
capability; importing them registers them, in the order ``--help`` lists them.
"""

from __future__ import annotations

import sys

# isort: off
# Imported in pipeline order, which is the order `credible --help` lists the commands in.
from credible.commands import (  # noqa: F401 - importing registers the commands
    store,
    ingest,
    evidence,
    simulate,
    link,
    estimate,
    assess,
    report,
    names,
    web,
    demo,
)

# isort: on
from credible.commands._common import app, err_console, styled
from credible.errors import CredibleError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning user-facing errors into a message and exit code.

    Typer (in standalone mode) already turns usage errors into a message and exit code 2.
    """
    try:
        app()
    except CredibleError as exc:
        err_console.print(styled("error:", "bold red", " " + str(exc)))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
