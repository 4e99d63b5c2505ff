"""Rank findings by cause: a root cause first, the findings it explains folded under it.

The cause graph is data (``minnet.diagnostics.catalog.causes.EXPLAINS``). A
warning or error can explain any other finding of the report; a hint (info)
explains nothing. ``arrange(findings)``:

1. merges the per-layer findings of one code (``merging.merge_by_code``);
2. gives each finding explained by a present problem a parent: among its
   present causes, the deepest one (the cause nearest to it in the chain
   inputs-not-scaled -> lr-too-high -> dead-relu), ties broken by severity,
   then by the order found. It records ``finding.explained_by`` (the parent's
   code) and appends the finding to ``parent.explains``;
3. returns the trees in order, each root followed by what it explains (depth
   first): roots by severity (error, warning, info), then in the order found;
   the children of a node likewise.

A cause therefore ranks before every symptom it explains, even when the
symptom is an error (``non-finite`` caused by ``lr-too-high``). The graph is
acyclic (a test checks it); should a cycle appear, the depth computation
stops at it, so the ranking stays deterministic.
"""

import numpy as np

from minnet.diagnostics.catalog import SEVERITIES
from minnet.diagnostics.catalog.causes import explains, why
from minnet.diagnostics.report.merging import merge_by_code

RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
PROBLEMS = ("error", "warning")  # severities that may explain other findings


def arrange(findings):
    """The findings merged per code and ordered by cause (see the module docstring)."""
    merged = merge_by_code(findings)
    order = {id(finding): index for index, finding in enumerate(merged)}

    def key(finding):
        return RANK[finding.severity], order[id(finding)]

    causes = {id(f): [c for c in merged if c is not f and c.severity in PROBLEMS
                      and explains(c.code, f.code)] for f in merged}
    depths = {}

    def depth(finding, visiting=()):
        if id(finding) not in depths:
            above = [c for c in causes[id(finding)] if id(c) not in visiting]
            depths[id(finding)] = 1 + max((depth(c, visiting + (id(finding),)) for c in above),
                                          default=-1)
        return depths[id(finding)]

    roots = []
    for finding in merged:
        present = causes[id(finding)]
        if not present:
            roots.append(finding)
            continue
        # The deepest cause, then the most severe, then the first found.
        parent = min(present, key=lambda c: (-depth(c), *key(c)))
        if depth(parent) >= depth(finding):  # only on a cycle: keep it a root
            roots.append(finding)
            continue
        finding.explained_by = parent.code
        parent.explains.append(finding)
    ordered = []

    def visit(finding):
        ordered.append(finding)
        finding.explains.sort(key=key)
        for child in finding.explains:
            visit(child)

    for root in sorted(roots, key=key):
        visit(root)
    return ordered


def format_value(value):
    """An evidence value as text: floats with 3 significant digits, per-place dicts inline."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def value_text(value):
    """An evidence value as one line of text for a report's table cell.

    Floats (NumPy's too) with 3 significant digits, per-place dicts inline,
    arrays abbreviated; newlines become spaces. The caller escapes for its format.
    """
    if isinstance(value, (float, np.floating)):
        value = f"{float(value):.3g}"
    elif isinstance(value, dict):  # a merged finding: one value per place
        value = format_value(value)
    elif isinstance(value, np.ndarray):
        value = np.array2string(value, precision=3, threshold=8)
    return str(value).replace("\n", " ")


SEVERITY_WORDS = {"error": "error", "warning": "warning", "info": "hint"}  # as a reader says it


def severity_counts(findings):
    """How many findings of each severity, worst first, as words: ``["1 error", "2 hints"]``.

    Severities with no finding are left out; an empty list for no findings.
    """
    counts = [(severity, sum(f.severity == severity for f in findings))
              for severity in SEVERITIES]
    return [f"{n} {SEVERITY_WORDS[s]}{'s' if n != 1 else ''}" for s, n in counts if n]


def tree_text(finding):
    """``str(finding)``, then every finding it explains, one line each with why.

    The symptoms are listed flat under the root cause, depth first; one
    explained through another symptom says so ("through exploding-gradients").
    """
    lines = str(finding).split("\n")
    if finding.explains:
        lines.append("    explains:")
    for cause, symptom in descendants(finding):
        step = f" (step {symptom.step})" if symptom.step is not None else ""
        through = "" if cause is finding else f"through {cause.code}: "
        lines += [f"      - [{symptom.severity.upper()}] {symptom.code} at {symptom.where}{step}: "
                  f"{through}{why(cause.code, symptom.code)}",
                  f"          evidence: {symptom.evidence_text()}"]
    return "\n".join(lines)


def descendants(finding):
    """``(cause, symptom)`` pairs below ``finding``, depth first: ``cause`` explains ``symptom``."""
    for child in finding.explains:
        yield finding, child
        yield from descendants(child)
