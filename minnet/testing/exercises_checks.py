"""The exercises' checks as functions, for a student's (or a class's) own tests.

They run the checker of ``minnet exercise check`` (``minnet.exercises.checker``:
the same stages, the same fixed, hypothesis-drawn and edge cases, the same
diagnosis of known mistakes); nothing here re-implements a check.

- ``check_exercise(name, solution)``: every stage; the Verdict the CLI prints.
- ``check_stage(name, solution, stage, case=None)``: one stage ("contract",
  "forward", "backward", "edge cases"; ``()`` for the load alone), on one case
  K (the numbering of ``--case K``) or on all of that stage's cases.
- ``assert_exercise(name, solution, stage=None, case=None)``: the same, raising
  ``ExerciseFailure`` (an AssertionError) with the verdict's text and hint.
- ``stage_cases(name)``: ``[(stage, K, Case)]``, every case each stage runs on
  (the pytest entry ``minnet.testing.exercises`` makes one test of each).

``solution`` is a path to a file, an imported module (its file is checked) or
a dict ``{function name: callable}``; ``name`` is the CLI's name ("relu",
"cross-entropy") or the folder's ("03_relu").

Import them from ``minnet.testing.exercises``. ``minnet.testing`` itself does not
export them: ``minnet.exercises`` imports ``minnet.testing.tolerances``, so that
would be an import cycle (tests/test_import_cycles.py).
"""

import difflib
import os
import pathlib
import types

from minnet.exercises.checker import all_cases, check
from minnet.exercises.metadata import load_exercises
from minnet.exercises.spec import load_spec, module_name
from minnet.exercises.stages import CASE_KINDS, STAGES

STAGE_NAMES = tuple(stage_name for stage_name, _ in STAGES)


class ExerciseFailure(AssertionError):
    """A solution fails a check; ``verdict`` holds the checker's Verdict."""

    def __init__(self, verdict):
        super().__init__(verdict.render())
        self.verdict = verdict


def exercise_name(name):
    """The CLI's name of an exercise given as "relu", "cross_entropy" or "07_cross_entropy"."""
    exercises = load_exercises()
    for key, exercise in exercises.items():
        if name in (key, module_name(key), exercise.folder.name):
            return key
    close = difflib.get_close_matches(str(name), list(exercises), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown exercise {name!r}{hint} (`minnet exercise list` shows them all)")


def exercise_for_file(path):
    """The exercise a solution file answers: its folder's name (``03_relu/``) or its stub's."""
    path = pathlib.Path(path)
    exercises = load_exercises().values()
    by_folder = [e.name for e in exercises if e.folder.name == path.parent.name]
    by_stub = [e.name for e in exercises if e.stub == path.name]
    found = by_folder or by_stub
    if len(found) != 1:
        raise ValueError(f"cannot tell which exercise {path} answers: name it "
                         f"(--exercise NAME, or the name argument)")
    return found[0]


def _solution_args(solution):
    """``check``'s keyword arguments for a path, a module or a dict of functions."""
    if isinstance(solution, types.ModuleType):
        solution = solution.__file__  # the load stage and the no-peeking scan run on its file
    if isinstance(solution, dict):
        return {"fns": solution}
    return {"path": os.fspath(solution)}


def check_exercise(name, solution, case=None):
    """The Verdict of every stage, exactly as ``minnet exercise check`` gives it."""
    return check(exercise_name(name), case=case, **_solution_args(solution))


def check_stage(name, solution, stage, case=None):
    """The Verdict of one stage (or of the load alone, for ``stage=()``), on case K or all."""
    if stage != () and stage not in STAGE_NAMES:
        raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(STAGE_NAMES)}")
    stages = tuple((n, fn) for n, fn in STAGES if n == stage)
    return check(exercise_name(name), case=case, stages=stages, **_solution_args(solution))


def assert_exercise(name, solution, stage=None, case=None):
    """Raise ExerciseFailure unless the solution passes (one stage, or all of them)."""
    verdict = (check_exercise(name, solution, case) if stage is None
               else check_stage(name, solution, stage, case))
    if verdict.status != "pass":
        raise ExerciseFailure(verdict)
    return verdict


def stage_cases(name):
    """``[(stage, K, Case)]``: each case K (``--case K``) each stage of the exercise runs on."""
    spec = load_spec(exercise_name(name))
    cases = all_cases(spec)
    return [(stage, index, case) for stage in STAGE_NAMES
            if stage != "backward" or spec.has_backward  # a plain function has no backward
            for index, case in enumerate(cases) if case.kind in CASE_KINDS[stage]]
