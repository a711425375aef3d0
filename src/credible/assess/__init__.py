"""Assess: which allegations are credible, to what standard, and what they amount to.

The public API (other stages and the front ends use only these names):

- ``assess(store, actor, standard, policy_path)`` -> ``AssessmentRun`` (stored as a run);
  ``write_assessment(run, out)`` writes ``assessment.json``.
- ``explain_act(store, act, standard, policy_path)`` -> ``Explanation``.
- ``load_policy(path)`` -> ``Policy``; ``default_policy_path()``.
- ``add_source``, ``grade_source``: sources by hand, grades appended.
- ``judge_element``: an analyst's art. 7 judgement; ``judge_acts``: one incident or two.
- ``score(run, truth)``: against the simulator's truth.
"""

from credible.assess.elements import CONCLUSION, judge_element
from credible.assess.evaluate import StandardScore, score
from credible.assess.explain import Explanation, explain_act
from credible.assess.incidents import judge_acts
from credible.assess.policy import Policy, default_policy_path, load_policy
from credible.assess.run import DEFAULT_STANDARD, AssessmentRun, assess, write_assessment
from credible.assess.sources import add_source, grade_source

__all__ = [
    "CONCLUSION",
    "DEFAULT_STANDARD",
    "AssessmentRun",
    "Explanation",
    "Policy",
    "StandardScore",
    "add_source",
    "assess",
    "default_policy_path",
    "explain_act",
    "grade_source",
    "judge_acts",
    "judge_element",
    "load_policy",
    "score",
    "write_assessment",
]
