"""Names commands: explain, compare (logic in credible.names)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from credible.commands._common import (
    app,
    console,
)

names_app = typer.Typer(
    help="Names across scripts: detect, romanise, key and compare names.", no_args_is_help=True
)
app.add_typer(names_app, name="names")


@names_app.command("explain")
def names_explain(
    name: Annotated[str, typer.Argument(help="A name in any script (quote it).")],
) -> None:
    """Show a name's script, parts, romanisations and blocking keys."""
    from credible.names import explain

    e = explain(name)
    # every string shown comes from the user's input: escaped so that "[bold]" or "[/]"
    # in a name is printed as written, not read as Rich markup
    table = Table("", "", show_header=False, title=f"name: {escape(e.name)}")
    table.add_row("script", e.script)
    parts = zip(e.parts, e.part_scripts, strict=True)
    table.add_row("parts", escape(" | ".join(f"{p} ({s})" for p, s in parts)))
    table.add_row("romanised", escape(e.romanized))
    table.add_row("candidates", escape("\n".join(e.candidates)))
    table.add_row("part keys", escape(" | ".join(", ".join(k) for k in e.part_keys)))
    table.add_row("blocking keys", escape(" ".join(e.keys)))
    console.print(table)


@names_app.command("compare")
def names_compare(
    a: Annotated[str, typer.Argument(help="First name, any script.")],
    b: Annotated[str, typer.Argument(help="Second name, any script.")],
) -> None:
    """Score two names and show which parts matched which, and how closely."""
    from credible.names import compare

    c = compare(a, b)
    verdict = "[green]same name[/]" if c.same else "[red]different names[/]"
    console.print(
        f"{escape(c.a.romanized)}  vs  {escape(c.b.romanized)}: score {c.score:.3f} "
        f"(threshold {c.threshold:.2f}) → {verdict}",
        highlight=False,
    )
    table = Table("part A", "part B", "key A", "key B", "similarity")
    for m in c.matches:
        cells = (escape(m.a), escape(m.b), escape(m.key_a), escape(m.key_b))
        table.add_row(*cells, f"{m.similarity:.3f}")
    for w in c.unmatched_a:
        table.add_row(escape(w), "—", "", "", "unmatched")
    for w in c.unmatched_b:
        table.add_row("—", escape(w), "", "", "unmatched")
    console.print(table)
