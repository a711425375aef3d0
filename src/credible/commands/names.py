"""Names commands: explain, compare (logic in credible.names)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from credible.commands._common import app, console, printable, styled

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
    table = Table("", "", show_header=False, title=f"name: {e.name}")
    table.add_row("script", e.script)
    parts = zip(e.parts, e.part_scripts, strict=True)
    table.add_row("parts", " | ".join(f"{p} ({s})" for p, s in parts))
    table.add_row("romanised", e.romanized)
    table.add_row("candidates", "\n".join(e.candidates))
    table.add_row("part keys", " | ".join(", ".join(k) for k in e.part_keys))
    table.add_row("blocking keys", " ".join(e.keys))
    console.print(table)


@names_app.command("compare")
def names_compare(
    a: Annotated[str, typer.Argument(help="First name, any script.")],
    b: Annotated[str, typer.Argument(help="Second name, any script.")],
) -> None:
    """Score two names and show which parts matched which, and how closely."""
    from credible.names import compare

    c = compare(a, b)
    verdict = styled("same name", "green") if c.same else styled("different names", "red")
    console.print(
        Text.assemble(
            printable(
                f"{c.a.romanized}  vs  {c.b.romanized}: score {c.score:.3f} "
                f"(threshold {c.threshold:.2f}) → "
            ),
            verdict,
        )
    )
    table = Table("part A", "part B", "key A", "key B", "similarity")
    for m in c.matches:
        table.add_row(m.a, m.b, m.key_a, m.key_b, f"{m.similarity:.3f}")
    for w in c.unmatched_a:
        table.add_row(w, "—", "", "", "unmatched")
    for w in c.unmatched_b:
        table.add_row("—", w, "", "", "unmatched")
    console.print(table)
