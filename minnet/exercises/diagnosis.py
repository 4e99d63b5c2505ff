"""Which known mistake is this? Compare a failing solution with every mutant on a probe battery.

A mutant is a small wrong implementation of one listed mistake
(``minnet.exercises.mutants``). The battery is every fixed, edge and probe
case. In order:

1. exact: the solution's observations all lie within ``SAME`` of one mutant's
   (same errors, same modified arguments, values to 1e-6): that mistake;
2. two mistakes: wherever the solution differs from the reference, each of its
   results equals one of two mutants' results, or their residuals add up
   (student - reference = (A - reference) + (B - reference), the
   least-squares fit with both weights 1): both mistakes;
3. partial: one mutant agrees with the solution on some of the cases where it
   is wrong and contradicts it on none where both are wrong: that mistake,
   and something else differs too.
"""

from dataclasses import dataclass

import numpy as np

from minnet.exercises.compare import SAME, array_distance, observation_distance
from minnet.exercises.observe import NotStarted

BATTERY = ("fixed", "edge", "probe")


@dataclass(frozen=True)
class Diagnosis:
    mistakes: tuple      # one or two mistake ids
    complete: bool       # False: the mistake explains only part of what is wrong


def battery(cases):
    return [case for case in cases if case.kind in BATTERY]


def observations(spec, fns, cases):
    """The solution's observations of the battery, or None when part of it is a stub."""
    try:
        return [spec.observe(fns, case) for case in cases]
    except NotStarted:
        return None


def distance(first, second):
    return max(observation_distance(a, b) for a, b in zip(first, second))


def _same(a, b):
    return observation_distance(a, b) <= SAME


def _results(obs):
    return [obs.out, *obs.grads]


def _additive(student, reference, first, second):
    """Each of the student's results is one mutant's, or the sum of both mutants' residuals."""
    observed = (student, reference, first, second)
    if any(o.error for o in observed) or len({len(o.grads) for o in observed}) != 1:
        return False
    if set(student.mutated) != set(first.mutated) | set(second.mutated):
        return False
    for s, r, a, b in zip(*(_results(o) for o in observed)):
        if array_distance(s, a) <= SAME or array_distance(s, b) <= SAME:
            continue
        arrays = (s, r, a, b)
        if not all(isinstance(x, np.ndarray) for x in arrays) or len({x.shape for x in arrays}) > 1:
            return False
        with np.errstate(all="ignore"):
            if array_distance(s - r, (a - r) + (b - r)) > SAME:
                return False
    return True


def diagnose(spec, fns, mutants, cases):
    """The Diagnosis of a failing solution, or None when no listed mistake fits."""
    probe = battery(cases)
    student = observations(spec, fns, probe)
    if student is None:
        return None
    seen = {key: observations(spec, mutant, probe) for key, mutant in mutants.items()}
    for key, theirs in seen.items():
        if distance(student, theirs) <= SAME:
            return Diagnosis((key,), True)
    reference = observations(spec, spec.complete(spec.reference), probe)
    wrong = [i for i, (s, r) in enumerate(zip(student, reference)) if not _same(s, r)]
    keys = list(seen)
    for i, first in enumerate(keys):
        for second in keys[i + 1:]:
            if all(_additive(student[c], reference[c], seen[first][c], seen[second][c])
                   for c in wrong):
                return Diagnosis((first, second), True)
    best, best_count = None, 0
    for key, theirs in seen.items():
        both_wrong = [c for c in wrong if not _same(theirs[c], reference[c])]
        agree = [c for c in both_wrong if _same(student[c], theirs[c])]
        if len(agree) == len(both_wrong) and len(agree) > best_count:
            best, best_count = key, len(agree)
    return Diagnosis((best,), False) if best else None
