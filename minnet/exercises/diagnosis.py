"""Which known mistake is this? Compare a failing solution with every mutant on a probe battery.

A mutant is a small wrong implementation of one listed mistake
(``minnet.exercises.mutants``). The battery is every fixed, edge and probe
case. In order:

1. exact: the solution's observations all lie within ``SAME`` of one mutant's
   (same errors, same modified arguments, values to 1e-6): that mistake;
2. two mistakes: on every result tensor, a least-squares fit of the residual
   student - reference on the residuals of two mutants A and B leaves less
   than ``residuals.FIT`` of it, with both weights near 1
   (``minnet.exercises.residuals``): both mistakes, with their weights;
3. partial: one mutant agrees with the solution on some of the cases where it
   is wrong and contradicts it on none where both are wrong: that mistake,
   and something else differs too;
4. otherwise ``generic_hint``: gradcheck's hints (sign, factor, transpose,
   zeros) on the first wrong tensor, and its worst index.
"""

from dataclasses import dataclass

from minnet.exercises.compare import SAME, describe_difference, distortion, observation_distance
from minnet.exercises.observe import NotStarted
from minnet.exercises.residuals import pair_weights

BATTERY = ("fixed", "edge", "probe")


@dataclass(frozen=True)
class Diagnosis:
    mistakes: tuple      # one or two mistake ids
    complete: bool       # False: the mistake explains only part of what is wrong
    weights: tuple = ()  # two mistakes: each one's least-squares weight (near 1)


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
            weights = pair_weights(student, reference, seen[first], seen[second])
            if weights:
                return Diagnosis((first, second), True, weights)
    best, best_count = None, 0
    for key, theirs in seen.items():
        both_wrong = [c for c in wrong if not _same(theirs[c], reference[c])]
        agree = [c for c in both_wrong if _same(student[c], theirs[c])]
        if len(agree) == len(both_wrong) and len(agree) > best_count:
            best, best_count = key, len(agree)
    return Diagnosis((best,), False) if best else None


def generic_hint(tensor):
    """What a wrong tensor (actual, expected) that no mutant explains looks like, or None."""
    if tensor is None:
        return None
    actual, expected = tensor
    worst = describe_difference("yours", expected, actual)
    return "; ".join(filter(None, [distortion(actual, expected), worst])) or None
