"""Which known mistake is this? Compare a failing solution with every mutant on a probe battery.

A mutant is a small wrong implementation of one listed mistake
(``minnet.exercises.mutants``). The battery is every fixed, edge and probe
case; a solution whose observations all lie within ``SAME`` of one mutant's
(same errors, same modified arguments, values to 1e-6) makes that mistake.
"""

from minnet.exercises.compare import SAME, observation_distance
from minnet.exercises.observe import NotStarted

BATTERY = ("fixed", "edge", "probe")


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


def diagnose(spec, fns, mutants, cases):
    """The id of the first listed mutant the solution behaves like, or None."""
    probe = battery(cases)
    student = observations(spec, fns, probe)
    if student is None:
        return None
    for mistake_id, mutant in mutants.items():
        if distance(student, observations(spec, mutant, probe)) <= SAME:
            return mistake_id
    return None
