"""Fictional scenarios with known ground truth, for the demo, tests and benchmarks.

Everything this package writes is FICTIONAL: invented people, lists and facilities.
"""

from credible.simulate.captures import CaptureOptions, list_forms, simulate_captures

__all__ = ["CaptureOptions", "list_forms", "simulate_captures"]
