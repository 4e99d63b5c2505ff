"""The exercises' checks a class aims at its own code: minnet.testing functions and pytest entry."""

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import minnet
from minnet.exercises import load_exercises
from minnet.exercises.spec import load_mutants, load_spec
from minnet.testing import exercises as entry
from minnet.testing.exercises import ExerciseFailure, assert_exercise, check_exercise
from minnet.testing.exercises_checks import (
    check_stage,
    exercise_for_file,
    exercise_name,
    stage_cases,
)

ALTERNATIVES = pathlib.Path(__file__).parent / "alternatives"
REPOSITORY = pathlib.Path(minnet.__file__).resolve().parents[1]
EXERCISES = load_exercises()
# relu's "identity-backward" mistake, as a student would write it
WRONG_RELU = '''import numpy as np


def relu_forward(x):
    return np.maximum(x, 0), x


def relu_backward(grad_out, cache):
    return grad_out.copy()
'''


def stub_path(name):
    return EXERCISES[name].file(EXERCISES[name].stub)


def test_the_reference_passes_and_a_mutant_is_named():
    assert check_exercise("relu", load_spec("relu").reference).status == "pass"
    verdict = check_exercise("relu", load_mutants("relu")["identity-backward"])
    assert (verdict.status, verdict.mistake) == ("fail", "identity-backward")


def test_a_module_a_path_and_a_folder_name_are_all_accepted():
    path = ALTERNATIVES / "linear.py"
    spec = importlib.util.spec_from_file_location("student_linear", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert check_exercise("linear", module).status == "pass"
    assert check_exercise("02_linear", str(path)).status == "pass"
    assert exercise_name("cross_entropy") == "cross-entropy"
    with pytest.raises(ValueError, match="did you mean relu"):
        exercise_name("rellu")


def test_assert_exercise_raises_with_the_mistake_and_its_hint(tmp_path):
    wrong = tmp_path / "relu.py"
    wrong.write_text(WRONG_RELU)
    with pytest.raises(ExerciseFailure) as failure:
        assert_exercise("relu", wrong)
    hint = EXERCISES["relu"].mistake("identity-backward").hint
    assert "identity-backward" in str(failure.value) and hint in str(failure.value)
    assert failure.value.verdict.exit_code == 1
    assert assert_exercise("relu", wrong, stage="forward").status == "pass"
    with pytest.raises(ExerciseFailure, match="backward fails"):
        assert_exercise("relu", wrong, stage="backward", case=0)
    with pytest.raises(ExerciseFailure, match="not started"):
        assert_exercise("relu", stub_path("relu"))


def test_check_stage_runs_one_stage_on_one_case():
    path = ALTERNATIVES / "relu.py"
    assert check_stage("relu", path, "forward", case=7).message == "passed forward (case 7 only)"
    assert check_stage("relu", path, ()).message == "passed load"
    assert [t["name"] for t in check_stage("relu", path, "edge cases").tests] == [
        "load", "edge cases"]
    with pytest.raises(ValueError, match="the stages are contract"):
        check_stage("relu", path, "gradients")


def test_stage_cases_cover_each_stage_with_its_own_cases():
    found = stage_cases("relu")
    kinds = {stage: {case.kind for s, _, case in found if s == stage}
             for stage in ("contract", "forward", "backward", "edge cases")}
    assert kinds == {"contract": {"fixed"}, "forward": {"fixed", "drawn"},
                     "backward": {"fixed", "drawn"}, "edge cases": {"edge"}}
    assert sum(case.kind == "drawn" for s, _, case in found if s == "forward") >= 20
    # a plain function has no backward stage: no test that could not fail
    assert "backward" not in {stage for stage, _, _ in stage_cases("numerical-gradient")}


def test_the_exercise_is_told_by_the_folder_or_the_file_name(tmp_path):
    assert exercise_for_file(tmp_path / "16_conv2d" / "mine.py") == "conv2d"
    assert exercise_for_file(tmp_path / "relu.py") == "relu"
    with pytest.raises(ValueError, match="--exercise NAME"):
        exercise_for_file(tmp_path / "mine.py")


def run_python(args, cwd):
    # the checkout under test, also where an editable install points elsewhere
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=240)


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    """One pytest run from a temp folder over a right, a wrong and an untouched file."""
    work = tmp_path_factory.mktemp("class")
    for folder, source in (("02_linear", (ALTERNATIVES / "linear.py").read_text()),
                           ("03_relu", WRONG_RELU),
                           ("04_sigmoid", stub_path("sigmoid").read_text())):
        (work / folder).mkdir()
        (work / folder / EXERCISES[folder[3:]].stub).write_text(source)
    solutions = [arg for folder in ("02_linear/linear.py", "03_relu/relu.py",
                                    "04_sigmoid/sigmoid.py") for arg in ("--solution", folder)]
    return run_python(["-m", "pytest", "-p", "minnet.testing.exercises", "--pyargs",
                       "minnet.testing.exercises", *solutions, "-rA", "-p",
                       "no:cacheprovider"], work)


def outcomes(run, test_id):
    """{'PASSED', 'FAILED', 'SKIPPED'} of the -rA summary lines about test_id."""
    return {line.split()[0] for line in run.stdout.splitlines() if test_id in line
            and line.split()[0] in ("PASSED", "FAILED", "SKIPPED")}


def test_the_entry_passes_the_reference(class_run):
    assert class_run.returncode == 1, class_run.stdout + class_run.stderr
    assert outcomes(class_run, "test_check[linear]") == {"PASSED"}
    assert outcomes(class_run, "test_stage[linear-") == {"PASSED"}
    assert outcomes(class_run, "test_stage[linear-forward-7]") == {"PASSED"}


def test_the_entry_fails_a_mutant_naming_its_mistake(class_run):
    assert outcomes(class_run, "test_check[relu]") == {"FAILED"}
    assert outcomes(class_run, "test_stage[relu-backward-0]") == {"FAILED"}
    assert outcomes(class_run, "test_stage[relu-forward-") == {"PASSED"}  # it is right
    assert "This looks like a known mistake: identity-backward" in class_run.stdout
    assert EXERCISES["relu"].mistake("identity-backward").hint in class_run.stdout


def test_the_entry_reports_a_stub_not_started(class_run):
    assert outcomes(class_run, "test_check[sigmoid]") == {"FAILED"}
    assert outcomes(class_run, "test_stage[sigmoid-") == set()  # skipped, summed up in one line
    skipped = next(line for line in class_run.stdout.splitlines() if "SKIPPED" in line)
    assert f"SKIPPED [{len(stage_cases('sigmoid'))}]" in skipped
    assert "not started: sigmoid_forward still raises NotImplementedError" in skipped
    assert "Traceback" not in class_run.stdout


def test_the_module_runs_pytest_itself(tmp_path):
    shutil.copy(ALTERNATIVES / "relu.py", tmp_path / "my_relu.py")
    run = run_python(["-m", "minnet.testing.exercises", "--exercise", "relu", "--solution",
                      "my_relu.py", "-q", "-p", "no:cacheprovider"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{1 + len(stage_cases('relu'))} passed" in run.stdout


def test_the_plugin_leaves_other_tests_alone():
    # minnet's own run never collects the entry, even pointed at its package ...
    run = run_python(["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                      "minnet/testing"], REPOSITORY)
    assert run.returncode == 5 and "no tests collected" in run.stdout, run.stdout
    # ... and with the plugin loaded (a class's conftest), other tests run as before
    run = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                      "minnet.testing.exercises", "tests/exercises/test_solutions.py"],
                     REPOSITORY)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_file_of_no_known_exercise_stops_the_run():
    class Config:
        def getoption(self, name):
            return {"exercise": None, "solution": ["mine.py"]}[name]

    with pytest.raises(pytest.UsageError, match="--exercise NAME"):
        entry.pytest_configure(Config())
