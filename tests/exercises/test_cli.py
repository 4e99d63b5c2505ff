"""``minnet exercise``: the five commands, progress, exit codes and the no-peeking lint."""

import json
import pathlib
import shutil

import pytest

from minnet.cli import main
from minnet.exercises.loading import peeking

ALTERNATIVES = pathlib.Path(__file__).parent / "alternatives"
WORKSPACE = pathlib.Path("minnet-exercises") / "02_linear"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def progress():
    return json.loads(pathlib.Path(".minnet/progress.json").read_text())["exercises"]


def test_start_check_hint_solution_round_trip(workdir, capsys):
    assert main(["exercise", "list"]) == 0
    assert "Next: " in capsys.readouterr().out
    assert main(["exercise", "start", "linear"]) == 0
    assert (workdir / WORKSPACE / "linear.py").is_file()
    assert not (workdir / WORKSPACE / "exercise.toml").exists()
    assert main(["exercise", "check", "linear"]) == 2  # the untouched stub
    assert "not started" in capsys.readouterr().out
    assert main(["exercise", "solution", "linear"]) == 2  # only after a pass, or --reveal
    assert main(["exercise", "hint", "linear"]) == 0
    assert "Hint 1 of 3" in capsys.readouterr().out
    assert progress()["linear"] == {"started": True, "passed": False, "revealed": False,
                                    "hints": 1}
    shutil.copy(ALTERNATIVES / "linear.py", WORKSPACE / "linear.py")
    assert main(["exercise", "check", "linear"]) == 0
    assert progress()["linear"]["passed"]
    capsys.readouterr()
    assert main(["exercise", "solution", "linear"]) == 0
    assert "def linear_backward" in capsys.readouterr().out
    assert main(["exercise", "list"]) == 0
    assert "passed" in capsys.readouterr().out


def test_start_keeps_existing_work(workdir, capsys):
    main(["exercise", "start", "linear"])
    (WORKSPACE / "linear.py").write_text("# mine\n")
    main(["exercise", "start", "linear"])
    assert (WORKSPACE / "linear.py").read_text() == "# mine\n"
    assert "already exists" in capsys.readouterr().out


def test_reveal_marks_the_exercise_revealed(workdir, capsys):
    assert main(["exercise", "solution", "linear", "--reveal"]) == 0
    assert progress()["linear"]["revealed"]
    main(["exercise", "list"])
    assert "revealed" in capsys.readouterr().out


def test_hints_stop_at_the_third_tier(workdir, capsys):
    for _ in range(4):
        assert main(["exercise", "hint", "linear"]) == 0
    assert "Hint 3 of 3" in capsys.readouterr().out.split("Hint 2 of 3")[-1]
    assert progress()["linear"]["hints"] == 3


@pytest.mark.parametrize("argv, message", [
    (["exercise", "check", "lineer"], "did you mean linear"),
    (["exercise", "check", "linear"], "minnet exercise start linear"),
    (["exercise", "check", "linear", "--file", "missing.py"], "no such file"),
])
def test_misuse_exits_2_with_a_message(workdir, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_file_that_does_not_load_exits_2(workdir, capsys):
    pathlib.Path("broken.py").write_text("def linear_forward(:\n")
    assert main(["exercise", "check", "linear", "--file", "broken.py"]) == 2
    assert "does not parse" in capsys.readouterr().out
    pathlib.Path("half.py").write_text("def linear_forward(x, w, b=None):\n    pass\n")
    assert main(["exercise", "check", "linear", "--file", "half.py"]) == 2
    assert "defines no linear_backward" in capsys.readouterr().out


def test_the_no_peeking_lint_fires(workdir, capsys):
    pathlib.Path("peek.py").write_text(
        "from minnet.functional import linear_forward, linear_backward\n")
    assert main(["exercise", "check", "linear", "--file", "peek.py", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["tests"][-1]["name"] == "no peeking"
    assert peeking("import numpy as np\nfrom minnet.functional import relu_forward\n",
                   ("minnet.functional:relu_forward",)) == []
    assert peeking("import minnet.functional as F\n", ()) == ["import minnet.functional"]


def test_case_replays_one_case(workdir, capsys):
    path = str(ALTERNATIVES / "linear.py")
    assert main(["exercise", "check", "linear", "--file", path, "--case", "0"]) == 0
    assert "case 0 only" in capsys.readouterr().out
    assert main(["exercise", "check", "linear", "--file", path, "--case", "999"]) == 2


def test_an_endless_loop_is_stopped(workdir, capsys, monkeypatch):
    from minnet.exercises import checker

    monkeypatch.setattr(checker, "CHECK_SECONDS", 1)
    pathlib.Path("loop.py").write_text(
        "def linear_forward(x, w, b=None):\n    while True:\n        pass\n\n\n"
        "def linear_backward(grad_out, cache, input_grad=True):\n    pass\n")
    assert main(["exercise", "check", "linear", "--file", "loop.py"]) == 1
    assert "endless loop" in capsys.readouterr().out
