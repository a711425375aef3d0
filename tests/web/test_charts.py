"""The waterfall a reviewer reads on the Person and review pages."""

from __future__ import annotations

from credible.linkage import Step, Waterfall
from credible.web.charts import waterfall
from credible.web.pages import _env

LONG_LEVEL = "rival records in the same lists (list-aware model, other candidates)"


def _wf() -> Waterfall:
    return Waterfall(
        1,
        2,
        -6.0,
        [
            Step("ethnicity_norm", "same", "uyghur", "uyghur", 0.5, 0.0),
            Step("where", LONG_LEVEL, "Hotan", "Hotan", 4.2, 0.3),
        ],
    )


def test_labels_are_a_readers_words_and_levels_are_whole() -> None:
    chart = waterfall(_wf())
    labels = [b["label"] for b in chart["bars"]]
    assert labels == ["prior", "ethnicity", "home county and facility"]
    html = _env.from_string(
        '{% from "macros.html" import waterfall %}{{ waterfall(chart) }}'
    ).render(chart=chart)
    assert LONG_LEVEL in html
    assert "ethnicity_norm" not in html


def test_bars_add_up_to_the_match_weight() -> None:
    chart = waterfall(_wf())
    assert [b["weight"] for b in chart["bars"]] == [-6.0, 0.5, 4.5]
    assert chart["match_weight"] == round(_wf().match_weight, 2)
