"""An exercise as a Jupyter notebook, and the two helpers its cells call.

``minnet exercise start NAME --notebook`` writes ``NAME.ipynb`` with four cells:
the task (the exercise's README.md), the stub (the file ``start`` copies), a
check cell and a hint cell. The check cell hands the functions the student
defined in the notebook to the checker (``check(name, fns=...)``), so it prints
the verdict ``minnet exercise check NAME`` prints for a file, and a function
still raising NotImplementedError reads "not started".

Progress (a pass, the hints read) goes where the command line keeps it: in the
folder holding ``minnet-exercises/`` when the notebook sits in one of its
exercise folders (Jupyter starts the kernel in the notebook's folder), else in
the current folder.
"""

import inspect
import os
import pathlib
import textwrap

from minnet import notebooks
from minnet.errors import ConfigError
from minnet.exercises import progress
from minnet.exercises.checker import check, peeking_verdict
from minnet.exercises.loading import peeking
from minnet.exercises.metadata import WORKSPACE, load_exercises
from minnet.exercises.verdict import Verdict

CHECK_CELL = '''\
# The verdict of `minnet exercise check {name}`, on the functions defined above
from minnet.exercises.notebook import check_here

verdict = check_here("{name}", globals())'''

HINT_CELL = '''\
# Stuck? Each run shows the next of three hints, as `minnet exercise hint {name}` does
from minnet.exercises.notebook import hint_here

hint_here("{name}")'''

IN_THE_NOTEBOOK = """\
**In this notebook:** write your code in the next cell and run it, then run the check
cell after it. The hint cell shows the next hint; `minnet exercise solution {name}`
shows a readable reference after a pass."""


def exercise_notebook(exercise):
    """The notebook of ``exercise`` (a ``metadata.Exercise``): cells task, stub, check, hint."""
    task = exercise.file("README.md").read_text()
    return notebooks.build([
        notebooks.markdown("task", task.strip() + "\n\n" + IN_THE_NOTEBOOK.format(
            name=exercise.name)),
        notebooks.code("stub", exercise.file(exercise.stub).read_text()),
        notebooks.code("check", CHECK_CELL.format(name=exercise.name)),
        notebooks.code("hint", HINT_CELL.format(name=exercise.name)),
    ])


def _exercise(name):
    exercises = load_exercises()
    if name not in exercises:
        raise ConfigError(f"unknown exercise {name!r}: expected one of {', '.join(exercises)}")
    return exercises[name]


def working_folder(cwd=None):
    """Where progress is kept: the parent of ``minnet-exercises/`` when ``cwd`` (default: the
    current folder) is one of its exercise folders, else ``cwd`` itself."""
    here = pathlib.Path(cwd if cwd is not None else os.getcwd())
    return str(here.parent.parent) if here.parent.name == WORKSPACE else str(here)


def _peeking(functions, provided):
    """What ``functions`` take from minnet's implementation: a function that *is* minnet's
    (imported into the notebook), or a body importing it (an honesty aid, as for files)."""
    flagged = []
    for name, function in functions.items():
        module = getattr(function, "__module__", None) or ""
        if module.split(".")[0] == "minnet":
            flagged.append(f"{name} is {module}.{function.__qualname__}")
            continue
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):  # no source to read (a builtin, a lambda from exec)
            continue
        try:
            flagged += peeking(textwrap.dedent(source), provided)
        except SyntaxError:  # a decorated or nested definition cut oddly: nothing to scan
            continue
    return flagged


def check_here(name, namespace):
    """Check the functions ``namespace`` defines (a notebook's ``globals()``) for exercise
    ``name``; print the verdict as ``minnet exercise check`` does and return it (a Verdict).

    A pass is recorded in the progress of ``working_folder()``.
    """
    exercise = _exercise(name)
    missing = [function for function in exercise.functions
               if not callable(namespace.get(function))]
    if missing:
        message = (f"the notebook defines no {', '.join(missing)} (the exercise asks for "
                   f"{', '.join(exercise.functions)}, with minnet's exact names): run the "
                   f"cell with your code first")
        verdict = Verdict(name, "error", f"does not load: {message}",
                          [{"name": "load", "status": "error", "message": message}])
    else:
        functions = {function: namespace[function] for function in exercise.functions}
        flagged = _peeking(functions, exercise.provided)
        verdict = peeking_verdict(name, flagged) if flagged else check(
            name, fns=functions, source="the notebook's code cell")
    print(verdict.render())
    if verdict.status == "pass":
        progress.update(name, working_folder(), started=True, passed=True)
    return verdict


def hint_here(name):
    """Print the next hint tier of exercise ``name``, recorded as ``minnet exercise hint``;
    once the exercise passed, say so instead (running every cell then spends no hint)."""
    exercise, folder = _exercise(name), working_folder()
    if progress.status(progress.load(folder), name) == "passed":
        print(f"{name} passed: no hint needed. `minnet exercise solution {name}` shows a "
              f"readable reference to compare with.")
        return
    print(progress.next_hint(exercise, folder))
