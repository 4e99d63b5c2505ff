"""One finding per code: the per-layer findings of one check merged into one.

A check that looks at every layer (weight scale, dead ReLUs, update ratios)
yields one finding per layer; a student needs one line that lists the
layers, not twelve copies. ``merge_by_code(findings)`` groups the findings
by (code, severity), in the order found. A group of one is returned as a
copy; a larger group becomes one finding whose ``where`` lists the places
("0.weight, 2.weight, 4.weight"), whose evidence keeps each place's number
(``{"ratio": {"0.weight": 10.1, "2.weight": 9.8}}``; a value shared by all
stays a plain value, such as a threshold), whose explanation keeps the first
few specific sentences, and whose ``parts`` are the original findings.
"""

import dataclasses
import re

import numpy as np

from minnet.diagnostics.catalog import CATALOG

MAX_SUMMARIES = 3  # specific sentences kept in a merged explanation; the evidence has them all
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _same(values):
    """True when every value equals the first (arrays compared elementwise)."""
    first = values[0]
    try:
        return all(np.array_equal(np.asarray(first), np.asarray(value)) if
                   isinstance(value, np.ndarray) or isinstance(first, np.ndarray)
                   else value == first for value in values[1:])
    except (TypeError, ValueError):
        return False


def _evidence(parts):
    """The evidence of ``parts``: a shared value once, else ``{where: value}`` per part."""
    names = list(dict.fromkeys(name for part in parts for name in part.evidence))
    merged = {}
    for name in names:
        values = [(part.where, part.evidence[name]) for part in parts if name in part.evidence]
        if len(values) == len(parts) and _same([value for _, value in values]):
            merged[name] = values[0][1]
        else:
            merged[name] = dict(values)
    merged["places"] = len(parts)
    return merged


def _summary(explanation, general):
    """The case-specific sentence before the catalog's ``general`` explanation ("" if none)."""
    if general and explanation.endswith(general):
        return explanation[:-len(general)].strip()
    return explanation.strip()


def _explanation(parts):
    entry = CATALOG.get(parts[0].code)
    general = entry.explanation if entry is not None else ""
    summaries = list(dict.fromkeys(s for s in (_summary(p.explanation, general) for p in parts)
                                   if s))
    shown = summaries[:MAX_SUMMARIES]
    if len(summaries) > MAX_SUMMARIES:
        shown.append(f"(And {len(summaries) - MAX_SUMMARIES} more places: see the evidence.)")
    return " ".join(shown + ([general] if general else []))


def _fix(parts):
    """The parts' fixes, each sentence once (per-layer fixes share their advice)."""
    fixes = list(dict.fromkeys(part.fix for part in parts))
    if len(fixes) == 1:
        return fixes[0]
    return " ".join(dict.fromkeys(s for fix in fixes for s in SENTENCE_END.split(fix)))


def merge(parts):
    """One finding standing for ``parts`` (same code and severity); see the module docstring."""
    if len(parts) == 1:
        return dataclasses.replace(parts[0], explained_by=None, explains=[], parts=[])
    steps = [part.step for part in parts if part.step is not None]
    return dataclasses.replace(
        parts[0], where=", ".join(dict.fromkeys(part.where for part in parts)),
        evidence=_evidence(parts), explanation=_explanation(parts),
        fix=_fix(parts),
        step=min(steps) if steps else None, explained_by=None, explains=[], parts=list(parts))


def merge_by_code(findings):
    """``findings`` with one finding per (code, severity), in the order each was first found."""
    groups = {}
    for finding in findings:
        groups.setdefault((finding.code, finding.severity), []).append(finding)
    return [merge(parts) for parts in groups.values()]
