"""The exercises' checks for a student's own solution file: functions and pytest tests.

    from minnet.testing.exercises import assert_exercise, check_exercise, check_stage

    python -m pytest -p minnet.testing.exercises --pyargs minnet.testing.exercises \\
        --solution minnet-exercises/03_relu/relu.py [--exercise relu]
    python -m minnet.testing.exercises --solution relu.py [--exercise relu] [pytest options]

The module is both the pytest plugin (``-p``: it adds ``--solution`` and
``--exercise``) and the tests (``--pyargs``); the second line runs the first.
A class puts ``pytest_plugins = ["minnet.testing.exercises"]`` in its top
conftest.py and drops the ``-p``. ``--solution`` may be repeated; without
``--exercise`` the file's folder (``03_relu/``) or name (``relu.py``) tells.

Per solution, ``test_check`` is ``minnet exercise check`` (every stage in order,
its verdict, mistake and hint), and ``test_stage[relu-forward-7]`` runs one
stage on one case: 7 is the case's number for ``minnet exercise check relu
--case 7``; the drawn cases are the checker's hypothesis examples (derandomized,
so every run and every student gets the same ones). A failure prints the
checker's own message and, when it recognises the mistake, its id and hint. A
stub still raising NotImplementedError fails ``test_check`` with "not started"
and skips the stage tests; so does a file that does not load.

minnet's own suite never collects this module (testpaths = tests, and its name
does not match test_*.py), and the options are only there with the plugin.
"""

import sys

import pytest

from minnet.testing.exercises_checks import (
    ExerciseFailure,
    assert_exercise,
    check_exercise,
    check_stage,
    exercise_for_file,
    exercise_name,
    stage_cases,
)

# what a student's test imports (a star import must not bring test_check and test_stage)
__all__ = ["ExerciseFailure", "assert_exercise", "check_exercise", "check_stage",
           "exercise_for_file", "exercise_name", "stage_cases"]

PLUGIN = "minnet.testing.exercises"


def pytest_addoption(parser):
    group = parser.getgroup("minnet exercises", "the minnet exercises' checks (minnet.testing)")
    group.addoption("--solution", action="append", default=[], metavar="F",
                    help="a solution file to check (repeatable)")
    group.addoption("--exercise", metavar="NAME",
                    help="the exercise it answers, e.g. relu (default: from the file's "
                         "folder or name)")


def _solutions(config):
    """[(exercise name, path)] from --solution and --exercise."""
    named = config.getoption("exercise")
    try:
        return [(exercise_name(named) if named else exercise_for_file(path), path)
                for path in config.getoption("solution")]
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_configure(config):
    _solutions(config)  # a file whose exercise cannot be told stops the run at once


# pytest_generate_tests by specname: a function of that name would also run as the test
# module's own hook, parametrizing every test twice (pytest reads only pytest_* names).
@pytest.hookimpl(specname="pytest_generate_tests")
def pytest_generate_exercise_tests(metafunc):
    if metafunc.module.__name__ != PLUGIN:  # a class's own tests in the same session
        return
    solutions = _solutions(metafunc.config)
    if not solutions:
        pytest.fail(f"{PLUGIN}: give the file to check, e.g. "
                    f"--solution minnet-exercises/03_relu/relu.py", pytrace=False)
    if "stage" not in metafunc.fixturenames:
        metafunc.parametrize("name, path", solutions, ids=[name for name, _ in solutions])
        return
    params = [(name, path, stage, index) for name, path in solutions
              for stage, index, _ in stage_cases(name)]
    ids = [f"{name}-{stage.replace(' ', '-')}-{index}" for name, _, stage, index in params]
    metafunc.parametrize("name, path, stage, case", params, ids=ids)


def test_check(name, path):
    """Every stage in order, as ``minnet exercise check NAME --file F``."""
    verdict = check_exercise(name, path)
    if verdict.status != "pass":
        pytest.fail(verdict.render(), pytrace=False)


def test_stage(name, path, stage, case):
    """One stage on case K, as ``minnet exercise check NAME --file F --case K`` would run it."""
    verdict = check_stage(name, path, stage, case)
    if verdict.status == "error":  # not started or does not load: test_check says so
        pytest.skip(verdict.message)
    if verdict.status != "pass":
        pytest.fail(verdict.render(), pytrace=False)


def main(argv=None):
    """``python -m minnet.testing.exercises --solution F [pytest options]``: pytest's exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    return pytest.main(["-p", PLUGIN, "--pyargs", PLUGIN, *args])


if __name__ == "__main__":
    sys.exit(main())
