"""``minnet exercise check-all``: a tiny class graded on the sweeps' engine (serial, joblib,
Dask once), one CSV row per (student, solution file found)."""

import csv
import textwrap

import pytest

from minnet.cli import main
from minnet.errors import ConfigError
from minnet.exercises.check_all import check_all, find_submissions
from minnet.exercises.metadata import load_exercises
from minnet.exercises.solutions import sgd_step

RELU_RIGHT = textwrap.dedent("""
    import numpy as np

    def relu_forward(x):
        return np.maximum(x, 0), x

    def relu_backward(grad_out, cache):
        return grad_out * (cache > 0)
""")
# the known mistake "mask-includes-zero": x = 0 passes its gradient on
RELU_KINK = RELU_RIGHT.replace("cache > 0", "cache >= 0")

EXPECTED = [  # student, exercise, status, stage, mistake
    ("alice", "relu", "passed", "", ""),
    ("alice", "sgd-step", "passed", "", ""),
    ("bob", "relu", "failed", "edge cases", "mask-includes-zero"),
    ("carol", "relu", "not started", "contract", ""),
    ("carol", "sgd-step", "not started", "contract", ""),
    ("dave", "relu", "error", "load", ""),
]


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """alice: the reference of sgd-step (in `minnet exercise start`'s layout) and a right
    ReLU; bob: a ReLU with the kink mistake; carol: both stubs untouched; dave: a ReLU that
    does not parse; erin: nothing."""
    root = tmp_path_factory.mktemp("class")
    exercises = load_exercises()
    relu, sgd = exercises["relu"], exercises["sgd-step"]
    files = {
        f"alice/minnet-exercises/{sgd.folder.name}/sgd_step.py": open(sgd_step.__file__).read(),
        f"alice/{relu.folder.name}/relu.py": RELU_RIGHT,
        "bob/relu.py": RELU_KINK,
        "carol/relu.py": relu.file("relu.py").read_text(),
        "carol/sgd_step.py": sgd.file("sgd_step.py").read_text(),
        "dave/relu.py": "def relu_forward(x) return x\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "erin").mkdir()
    (root / "notes.txt").write_text("not a student")
    return root


def rows(grades):
    return [(g.student, g.exercise, g.status, g.stage, g.mistake) for g in grades]


def test_the_files_are_found_where_exercise_start_puts_them(submissions):
    found = [(student, name) for student, name, _ in find_submissions(submissions)]
    assert found == [(student, exercise) for student, exercise, *_ in EXPECTED]


@pytest.mark.parametrize("backend, n_jobs", [("serial", 1), ("joblib", 2)])
def test_a_class_is_graded_on_each_backend(submissions, backend, n_jobs):
    grades = check_all(submissions, backend=backend, n_jobs=n_jobs)
    assert rows(grades) == EXPECTED
    assert all(g.seconds > 0 for g in grades)
    messages = {(g.student, g.exercise): g.message for g in grades}
    assert messages[("carol", "relu")].startswith(
        "not started: relu_forward still raises NotImplementedError")
    assert messages[("dave", "relu")].startswith("does not load:")


def test_a_class_is_graded_on_a_local_dask_cluster_with_the_same_grades(submissions, tmp_path,
                                                                         capsys):
    out = tmp_path / "grades.csv"
    assert main(["exercise", "check-all", str(submissions), "--scheduler", "local",
                 "--jobs", "2", "--out", str(out)]) == 0
    with open(out, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["student"], r["exercise"], r["status"], r["stage"], r["mistake"])
            for r in table] == EXPECTED


def test_the_command_prints_the_grades_and_writes_one_csv(submissions, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert main(["exercise", "check-all", str(submissions), "--jobs", "1",
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == ["student", "exercise", "status", "stage", "mistake", "seconds"]
    assert lines[3].split()[:6] == ["bob", "relu", "failed", "edge", "cases",
                                    "mask-includes-zero"]
    assert "6 solutions checked: 2 passed, 1 failed, 2 not started, 1 error" in captured.out
    assert "no solution file found for erin" in captured.err
    with open(out, newline="") as handle:
        header, *table = list(csv.reader(handle))
    assert header == ["student", "exercise", "status", "stage", "mistake", "seconds", "message"]
    assert [tuple(row[:5]) for row in table] == EXPECTED
    assert all(float(row[5]) >= 0 for row in table)


def test_a_missing_folder_and_bad_jobs_exit_2(tmp_path, capsys):
    assert main(["exercise", "check-all", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder; expected SUBMISSIONS_DIR with one folder per student" in \
        capsys.readouterr().err
    assert main(["exercise", "check-all", str(tmp_path), "--jobs", "0"]) == 2
    assert "--jobs must be >= 1, got 0" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="is not a folder"):
        find_submissions(tmp_path / "nowhere")


def test_a_crash_and_an_endless_loop_stay_in_their_child_process(tmp_path):
    """One file kills its Python, another loops forever, a third defines a module-level name
    the next student's file would otherwise see: each is graded on its own, in its own child
    process, and the class goes on, on every backend (Dask's threads have no SIGALRM)."""
    files = {"eve/relu.py": "import os\nos._exit(3)\n",
             "fred/relu.py": "while True:\n    pass\n",
             "gina/relu.py": RELU_RIGHT}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    grades = check_all(tmp_path, backend="dask", n_jobs=2, scheduler="local", seconds=8)
    assert [(g.student, g.status, g.stage) for g in grades] == [
        ("eve", "error", ""), ("fred", "failed", "time"), ("gina", "passed", "")]
    assert grades[0].message.startswith("the checker's process exited with status 3 "
                                        "without a verdict")
    assert grades[1].message == "the check took more than 8 s: is there an endless loop?"
