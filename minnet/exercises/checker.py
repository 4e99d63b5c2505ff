"""``check(name, path)``: the staged check of one solution file, returning a Verdict.

Stage 0 loads the file; stages 1-4 (``minnet.exercises.stages``) compare it
with the reference and stop at the first failure; stage 5 names the mistake
when the solution behaves like one of the exercise's mutants. A function
still raising NotImplementedError makes the verdict "not started" (exit 2).
"""

from minnet.exercises.cases import drawn_params
from minnet.exercises.diagnosis import diagnose, generic_hint
from minnet.exercises.loading import (
    CHECK_SECONDS,
    LoadError,
    OutOfTime,
    load_solution,
    time_limit,
)
from minnet.exercises.metadata import load_exercises
from minnet.exercises.observe import NotStarted
from minnet.exercises.spec import load_mutants, load_spec
from minnet.exercises.stages import STAGES, Context
from minnet.exercises.verdict import Verdict


def all_cases(spec):
    """Fixed, then hypothesis-drawn, then edge and probe cases: the numbering of --case K."""
    fixed = [_kind(c, "fixed") for c in spec.fixed()]
    drawn = [_kind(spec.from_params(params, 100 + i), "drawn")
             for i, params in enumerate(drawn_params(spec.name, spec.strategy))]
    edges = [_kind(c, "edge") for c in spec.edges()]
    probes = [_kind(c, "probe") for c in spec.probes()]
    return fixed + drawn + edges + probes


def _kind(case, kind):
    case.kind = kind
    return case


def check(name, path=None, case=None, fns=None, exercises=None, stages=STAGES, source=None):
    """Check the solution in ``path`` (or the functions ``fns``) for exercise ``name``.

    ``stages`` (default: all of ``STAGES``, in order) runs some of them only: the
    per-stage pytest tests of ``minnet.testing.exercises``. ``source`` names where
    the student writes the code, for a "not started" verdict (default: the stub's
    file name; a notebook says its code cell).
    """
    exercise = (exercises or load_exercises())[name]
    spec = load_spec(name)
    if fns is None:
        try:
            fns, flagged = load_solution(path, spec.functions, exercise.provided)
        except LoadError as error:
            return Verdict(name, "error", f"does not load: {error}",
                           [{"name": "load", "status": "error", "message": str(error)}])
        if flagged:
            return peeking_verdict(name, flagged)
    fns = spec.complete(fns)
    cases = all_cases(spec)
    if case is not None and not 0 <= case < len(cases):
        return Verdict(name, "error", f"--case {case}: there are cases 0 to {len(cases) - 1}")
    try:
        with time_limit(CHECK_SECONDS, "the check"):
            return _run_stages(name, exercise, spec, fns, cases, case, stages,
                                   source or exercise.stub)
    except OutOfTime as error:
        message = f"{error}: is there an endless loop?"
        return Verdict(name, "fail", message, [{"name": "load", "status": "pass", "message": None},
                                               {"name": "time", "status": "fail",
                                                "message": message}])


def peeking_verdict(name, flagged):
    """The failing verdict of a solution that uses minnet's own implementation (``flagged``:
    what it imports, as text)."""
    message = (f"imports minnet's own implementation ({'; '.join(flagged)}): write it "
               f"yourself (minnet is open book: read it, then close it)")
    return Verdict(name, "fail", message, [{"name": "load", "status": "pass", "message": None},
                                           {"name": "no peeking", "status": "fail",
                                            "message": message}])


def _run_stages(name, exercise, spec, fns, cases, case, stages, source):
    """Stages 1-4 until the first failure, then the diagnosis: the Verdict."""
    ctx = Context(spec, fns, cases, only=case)
    tests = [{"name": "load", "status": "pass", "message": None}]
    for stage_name, stage in stages:
        try:
            failure = stage(ctx)
        except NotStarted as started:
            message = (f"not started: {started.function} still raises NotImplementedError; "
                       f"replace its TODO in {source}")
            tests.append({"name": stage_name, "status": "error", "message": message})
            return Verdict(name, "error", message, tests)
        if failure is None:
            tests.append({"name": stage_name, "status": "pass", "message": None})
            continue
        tests.append({"name": stage_name, "status": "fail", "message": failure.message})
        mutants = {key: spec.complete(mutant) for key, mutant in load_mutants(name).items()}
        found = diagnose(spec, fns, mutants, cases)
        return _failed(name, exercise, tests, failure, found)
    scope = f" (case {case} only)" if case is not None else ""
    passed = ("every stage" if stages is STAGES
              else ", ".join(stage_name for stage_name, _ in stages) or "load")
    return Verdict(name, "pass", f"passed {passed}{scope}", tests)


def _failed(name, exercise, tests, failure, found):
    """The verdict of a failing check, with the diagnosis's mistakes and hints."""
    if found is None:
        hint = "; ".join(filter(None, [generic_hint(failure.tensor),
                                       f"run `minnet exercise hint {name}` for a hint"]))
        return Verdict(name, "fail", f"{failure.stage} fails", tests, None, hint, failure.case)
    mistakes = [exercise.mistake(key) for key in found.mistakes]
    summary = f"{failure.stage} fails ({'; and '.join(m.summary for m in mistakes)})"
    if found.weights:  # the least-squares fit of the residual on both mutants' residuals
        summary += (f" (residual fit: weights {found.weights[0]:.3f} and "
                    f"{found.weights[1]:.3f})")
    if not found.complete:
        summary += ", and something else differs from the reference too"
    hint = " ".join(m.hint for m in mistakes)
    return Verdict(name, "fail", summary, tests, found.mistakes[0], hint, failure.case,
                   mistakes=list(found.mistakes))
