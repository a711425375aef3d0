"""Fictional scenarios with known ground truth, for the demo, tests and benchmarks.

Everything this package writes is FICTIONAL: invented people, lists and facilities.
``simulate`` writes a whole investigation (lists, supporting files, mappings, truth,
manifest); ``simulate_captures`` gives only the people x lists capture matrix of the
same model, for estimation work; ``render_page`` draws FICTIONAL text (``SCAN_SAMPLES``)
as a page image, the ground truth of the OCR tests and benchmark.
"""

from credible.simulate.captures import CaptureOptions, list_forms, simulate_captures
from credible.simulate.core import Progress, SimulationResult, simulate
from credible.simulate.scans import SAMPLES as SCAN_SAMPLES
from credible.simulate.scans import missing_fonts, render_page, render_scene
from credible.simulate.tables import given_name_forms

__all__ = [
    "SCAN_SAMPLES",
    "CaptureOptions",
    "Progress",
    "SimulationResult",
    "given_name_forms",
    "list_forms",
    "missing_fonts",
    "render_page",
    "render_scene",
    "simulate",
    "simulate_captures",
]
