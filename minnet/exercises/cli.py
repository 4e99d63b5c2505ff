"""``minnet exercise list | start | check | hint | solution``: the student's commands
(and ``check-all``, the teacher's: ``minnet.exercises.check_all``).

Exit codes: 0 passed (or the command succeeded), 1 the solution is wrong,
2 not started, does not load, or the command was misused.
"""

import difflib
import importlib
import inspect
import os
import shutil
import sys

from minnet.exercises import progress
from minnet.exercises.metadata import WORKSPACE, load_exercises

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    pass


def _exercise(name):
    exercises = load_exercises()
    if name not in exercises:
        close = difflib.get_close_matches(name, list(exercises), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise _Usage(f"unknown exercise {name!r}{hint} (minnet exercise list shows them all)")
    return exercises[name]


def _workspace_file(exercise):
    return os.path.join(WORKSPACE, exercise.folder.name, exercise.stub)


def _list(args):
    state = progress.load()
    exercises = load_exercises()
    upcoming = [name for name in exercises if progress.status(state, name) != "passed"]
    width = max(len(name) for name in exercises)
    print("Exercises (minnet exercise start NAME to begin one):")
    for name, exercise in exercises.items():
        hints = state["exercises"].get(name, {}).get("hints", 0)
        used = f"  hints {hints}/3" if hints else ""
        print(f"  {exercise.order:2d}  {name:<{width}}  {progress.status(state, name):<8}"
              f"  {exercise.summary}{used}")
    print(f"\nNext: {upcoming[0]}" if upcoming else "\nEvery exercise passed.")
    return EXIT_OK


def _start(args):
    exercise = _exercise(args.name)
    target = os.path.join(WORKSPACE, exercise.folder.name)
    if args.out is not None and not args.notebook:
        raise _Usage("--out says where the notebook goes: use it with --notebook")
    if os.path.exists(os.path.join(target, exercise.stub)):
        print(f"{target}/ already exists: your work there is kept.")
    else:
        shutil.copytree(exercise.folder, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("exercise.toml", "__pycache__"))
        print(f"Copied exercise {exercise.order} ({exercise.name}) to {target}/")
    progress.update(exercise.name, started=True)
    if args.notebook:
        return _start_notebook(exercise, target, args.out)
    print(f"Read {target}/README.md, fill in {target}/{exercise.stub}, then run:\n"
          f"  minnet exercise check {exercise.name}")
    return EXIT_OK


def _start_notebook(exercise, target, out):
    from minnet.exercises.notebook import exercise_notebook
    from minnet.notebooks import write_and_tell

    write_and_tell(exercise_notebook(exercise), out, target, exercise.name,
                   "the task, your code cell, a check cell and a hint cell")
    return EXIT_OK


def _check(args):
    from minnet.exercises.checker import check

    exercise = _exercise(args.name)
    if args.file and not os.path.isfile(args.file):
        raise _Usage(f"no such file: {args.file}")
    path = args.file or _workspace_file(exercise)
    if not os.path.isfile(path):
        raise _Usage(f"no solution file {path}: run `minnet exercise start {exercise.name}` "
                     f"first, or pass --file F")
    verdict = check(exercise.name, path, case=args.case)
    print(verdict.to_json() if args.json else verdict.render())
    if verdict.status == "pass" and args.case is None:
        progress.update(exercise.name, started=True, passed=True)
    return verdict.exit_code


def _hint(args):
    print(progress.next_hint(_exercise(args.name)))
    return EXIT_OK


def reference_source(exercise):
    """The readable reference of each function, as source text."""
    chunks = []
    for target in exercise.readable:
        module, name = target.split(":")
        function = getattr(importlib.import_module(module), name)
        chunks.append(f"# {target}\n{inspect.getsource(function)}")
    return "\n\n".join(chunks)


def _solution(args):
    exercise = _exercise(args.name)
    passed = progress.status(progress.load(), exercise.name) == "passed"
    if not passed and not args.reveal:
        raise _Usage(f"the solution of {exercise.name} is shown after a pass; "
                     f"`--reveal` shows it now (and marks it revealed)")
    if not passed:
        progress.update(exercise.name, revealed=True)
    print(reference_source(exercise))
    return EXIT_OK


def add_parser(commands):
    """Register ``minnet exercise ...`` on the ``minnet`` command's subparsers."""
    parser = commands.add_parser("exercise", help="coursework exercises with a checker",
                                 description="Implement a layer's forward and backward pass; "
                                             "the checker names the mistake.")
    sub = parser.add_subparsers(dest="exercise_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="every exercise, its status and the next one").set_defaults(
        exercise_run=_list)
    start = sub.add_parser("start", help=f"copy an exercise into ./{WORKSPACE}/")
    start.add_argument("name")
    start.add_argument("--notebook", action="store_true",
                       help="also write NAME.ipynb: task, code, check and hint cells")
    start.add_argument("--out", metavar="PATH", help="with --notebook: the notebook's folder, "
                                                     "or a path ending in .ipynb")
    start.set_defaults(exercise_run=_start)
    check = sub.add_parser("check", help="check a solution (exit 0 passed, 1 wrong, "
                                         "2 not started or does not load)")
    check.add_argument("name")
    check.add_argument("--file", metavar="F", help=f"the solution file (default: the copy in "
                                                   f"./{WORKSPACE}/)")
    check.add_argument("--json", action="store_true", help="print the verdict as JSON")
    check.add_argument("--case", type=int, metavar="K", help="replay case K only")
    check.set_defaults(exercise_run=_check)
    hint = sub.add_parser("hint", help="the next hint tier (3 per exercise)")
    hint.add_argument("name")
    hint.set_defaults(exercise_run=_hint)
    solution = sub.add_parser("solution", help="the readable reference, after a pass")
    solution.add_argument("name")
    solution.add_argument("--reveal", action="store_true", help="show it before a pass")
    solution.set_defaults(exercise_run=_solution)
    _add_check_all_parser(sub)
    parser.set_defaults(run=run)


def _add_check_all_parser(sub):
    from minnet.exercises.check_all import command

    check_all = sub.add_parser("check-all", help="grade a class: every student's solution "
                                                 "files, one CSV (joblib or Dask)")
    check_all.add_argument("submissions", metavar="SUBMISSIONS_DIR",
                           help="one folder per student, holding solution files named as "
                                "`minnet exercise start` names them")
    check_all.add_argument("--scheduler", metavar="ADDRESS|local",
                           help="check on Dask: a scheduler's address, or 'local'")
    check_all.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                           help="worker processes (default: one per core)")
    check_all.add_argument("--out", default="minnet-check-all.csv", metavar="CSV",
                           help="the grades' CSV (default ./minnet-check-all.csv)")
    check_all.set_defaults(exercise_run=command)


def run(args):
    try:
        return args.exercise_run(args)
    except _Usage as error:
        print(f"minnet exercise: error: {error}", file=sys.stderr)
        return EXIT_USAGE
