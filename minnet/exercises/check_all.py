"""``minnet exercise check-all SUBMISSIONS_DIR``: grade a class on the sweeps' engine.

SUBMISSIONS_DIR holds one folder per student. In a student's folder a
solution file is found where ``minnet exercise start`` puts it
(``minnet-exercises/02_linear/linear.py``), or in the exercise's folder
(``02_linear/linear.py``), or at the top (``linear.py``), first match wins.
Each file found is a task of ``minnet.sweeps.backends.run_tasks`` (in this
process, in joblib's worker processes, or on a Dask cluster), and each task
checks its file with ``check(name, path)`` in a child Python process of its
own. Why a process per file: a student's endless loop is stopped on every
backend (the checker's SIGALRM limit works only in a main thread, and Dask
runs tasks in threads), and a crash, a module name two students share or a
global a student's file changes stay in that student's process. One row per
(student, file found).

    python -m minnet.exercises.check_all NAME PATH OUT.json

is the child: it checks PATH for exercise NAME and writes the verdict's JSON
to OUT.json (not to stdout, where the student's own prints go).
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import astuple, dataclass, fields

from minnet.errors import ConfigError
from minnet.exercises.loading import CHECK_SECONDS
from minnet.exercises.metadata import load_exercises
from minnet.exercises.verdict import Verdict

# The child's own limit is the checker's; the parent's adds the start of Python and minnet.
CHILD_SECONDS = CHECK_SECONDS + 30

# verdict status -> the grade's status; "error" splits into not started and the rest
STATUS = {"pass": "passed", "fail": "failed"}


@dataclass(frozen=True)
class Grade:
    """One solution's grade: status is "passed", "failed", "not started" or "error"; stage is
    the first check stage that did not pass ("" when passed); mistake the known mistake(s)
    the checker named ("" when none); message the checker's one-line verdict."""

    student: str
    exercise: str
    status: str
    stage: str
    mistake: str
    seconds: float
    message: str


def find_submissions(root):
    """``[(student, exercise name, path)]`` of every solution file under ``root``, sorted by
    student then curriculum order; ConfigError when ``root`` is not a folder."""
    if not os.path.isdir(root):
        raise ConfigError(f"check-all: {root} is not a folder; expected SUBMISSIONS_DIR with one "
                          f"folder per student")
    exercises = load_exercises()
    found = []
    for student in sorted(os.listdir(root)):
        folder = os.path.join(root, student)
        if student.startswith(".") or not os.path.isdir(folder):
            continue
        for exercise in exercises.values():
            places = [os.path.join(folder, "minnet-exercises", exercise.folder.name, exercise.stub),
                      os.path.join(folder, exercise.folder.name, exercise.stub),
                      os.path.join(folder, exercise.stub)]
            path = next((place for place in places if os.path.isfile(place)), None)
            if path is not None:
                found.append((student, exercise.name, path))
    return found


def grade(task):
    """Check one ``(student, exercise, path[, seconds])`` in a child process: its ``Grade``.

    ``seconds`` (default ``CHILD_SECONDS``) bounds the child: past it the child
    is killed and the file is graded "failed" at the stage "time". A child that
    dies without a verdict (the student's file crashed Python, or the checker
    itself raised) is graded "error", so that one file cannot stop a class's grading.
    """
    student, exercise, path, *rest = task
    seconds = rest[0] if rest else CHILD_SECONDS
    started = time.perf_counter()
    try:
        verdict = _check_in_child(exercise, path, seconds)
    except subprocess.TimeoutExpired:
        return Grade(student, exercise, "failed", "time", "", time.perf_counter() - started,
                     f"the check took more than {seconds} s: is there an endless loop?")
    except ChildFailed as error:
        return Grade(student, exercise, "error", "", "", time.perf_counter() - started,
                     str(error))
    seconds = time.perf_counter() - started
    status = STATUS.get(verdict.status) or (
        "not started" if verdict.message.startswith("not started") else "error")
    stage = next((test["name"] for test in verdict.tests if test["status"] != "pass"), "")
    mistake = " and ".join(verdict.mistakes or ([verdict.mistake] if verdict.mistake else []))
    return Grade(student, exercise, status, stage, mistake, seconds, verdict.message)


class ChildFailed(Exception):
    """The child process ended without writing a verdict."""


def _check_in_child(exercise, path, seconds):
    """The ``Verdict`` of ``check(exercise, path)`` run by a child Python process."""
    path = os.path.abspath(path)
    with tempfile.TemporaryDirectory(prefix="minnet-check-") as folder:
        out = os.path.join(folder, "verdict.json")
        # the child runs in a folder of its own: files a student's code writes land there
        child = subprocess.run([sys.executable, "-m", "minnet.exercises.check_all", exercise,
                                path, out], cwd=folder, capture_output=True, text=True,
                               timeout=seconds)
        if not os.path.isfile(out):
            last = (child.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            raise ChildFailed(f"the checker's process exited with status {child.returncode} "
                              f"without a verdict: {last}")
        with open(out) as handle:
            written = json.load(handle)
    written.pop("version")  # exercism's format version, not a Verdict field
    return Verdict(**written)


def check_all(root, backend="joblib", n_jobs=1, scheduler=None, seconds=CHILD_SECONDS):
    """Grade every solution file under ``root`` (see the module docstring): ``[Grade]``.

    ``backend``, ``n_jobs`` and ``scheduler`` are those of ``minnet.sweep``;
    ``seconds`` bounds the check of one file (its child process).
    """
    from minnet.sweeps.backends import run_tasks

    tasks = [(*found, seconds) for found in find_submissions(root)]
    return run_tasks(grade, tasks, backend=backend, n_jobs=n_jobs, scheduler=scheduler)


def students_without_files(root, grades):
    """The student folders under ``root`` in which no solution file was found."""
    graded = {g.student for g in grades}
    return [name for name in sorted(os.listdir(root)) if not name.startswith(".")
            and os.path.isdir(os.path.join(root, name)) and name not in graded]


def write_csv(grades, path):
    """One header line (the ``Grade`` fields), then a line per grade; seconds to 0.01 s."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([field.name for field in fields(Grade)])
        for row in grades:
            values = list(astuple(row))
            values[5] = f"{row.seconds:.2f}"
            writer.writerow(values)


def command(args):
    """``minnet exercise check-all``: grade, print a table and the counts, write the CSV.
    Exit 0 when grading ran (whatever the grades), 2 on a usage error."""
    import sys
    from collections import Counter

    from minnet.sweeps.result import text_table

    try:
        if args.jobs < 1:
            raise ConfigError(f"--jobs must be >= 1, got {args.jobs}")
        backend = "dask" if args.scheduler else "joblib"
        grades = check_all(args.submissions, backend=backend, n_jobs=args.jobs,
                           scheduler=args.scheduler)
    except ConfigError as error:
        print(f"minnet exercise: error: {error}", file=sys.stderr)
        return 2
    print(text_table(["student", "exercise", "status", "stage", "mistake", "seconds"],
                     [[g.student, g.exercise, g.status, g.stage or "-", g.mistake or "-",
                       f"{g.seconds:.2f}"] for g in grades]))
    counts = Counter(g.status for g in grades)
    print(f"\n{len(grades)} solutions checked: " + ", ".join(
        f"{counts[status]} {status}" for status in ("passed", "failed", "not started", "error")))
    for student in students_without_files(args.submissions, grades):
        print(f"no solution file found for {student}", file=sys.stderr)
    write_csv(grades, args.out)
    print(f"Grades written to {os.path.abspath(args.out)}")
    return 0


def _child_main(name, path, out):
    """The child: check ``path`` for exercise ``name`` and write the verdict to ``out``."""
    from minnet.exercises.checker import check

    verdict = check(name, path)
    with open(out, "w") as handle:
        json.dump(verdict.as_dict(), handle)


if __name__ == "__main__":
    _child_main(*sys.argv[1:4])
