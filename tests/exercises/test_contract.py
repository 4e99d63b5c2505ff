"""The CI contract of every exercise.

(1) metadata complete with three hint tiers, the stub keeps minnet's
signature and docstring and reports "not started"; (2) the reference passes
every stage; (3) each mutant fails naming its own mistake and hint; (4) the
mutants are pairwise separable and separable from the reference; (5) an
alternative correct version (tests/exercises/alternatives/) passes; (6) the
JSON verdict is identical over three runs.
"""

import importlib
import inspect
import pathlib

import numpy as np
import pytest

from minnet.cli import main
from minnet.exercises import check, load_exercises
from minnet.exercises.checker import all_cases
from minnet.exercises.compare import SEPARATED
from minnet.exercises.diagnosis import battery, distance, observations
from minnet.exercises.spec import load_mutants, load_spec, module_name

EXERCISES = load_exercises()
ALTERNATIVES = pathlib.Path(__file__).parent / "alternatives"
MUTANT_CASES = [(name, mistake.id) for name, exercise in EXERCISES.items()
                for mistake in exercise.mistakes]
README_SECTIONS = ("## Task", "## Maths", "## Shapes", "## Conventions", "## What is checked")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a passing `check` records progress in ./.minnet/


def resolve(target):
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def test_exercises_are_numbered_in_curriculum_order():
    orders = [exercise.order for exercise in EXERCISES.values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    for exercise in EXERCISES.values():
        assert exercise.folder.name == f"{exercise.order:02d}_{module_name(exercise.name)}"


@pytest.mark.parametrize("name", EXERCISES)
def test_metadata_is_complete(name):
    exercise = EXERCISES[name]
    readme = exercise.file("README.md").read_text()
    assert all(section in readme for section in README_SECTIONS)
    tiers = exercise.hint_tiers()
    assert len(tiers) == 3 and all(tiers)
    assert len(exercise.mistakes) >= 2 and exercise.edge_cases
    assert all(m.summary and m.hint for m in exercise.mistakes)
    assert [m.id for m in exercise.mistakes] == list(load_mutants(name))
    spec = load_spec(name)
    assert list(exercise.functions) == list(spec.functions)
    assert set(spec.functions) <= set(spec.reference)
    assert [target.split(":")[1] for target in exercise.reference] == list(exercise.functions)
    assert all(callable(resolve(target)) for target in exercise.readable)


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_keeps_minnets_signature_and_docstring(name):
    exercise = EXERCISES[name]
    spec = importlib.util.spec_from_file_location("stub", exercise.file(exercise.stub))
    stub = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stub)
    for target in exercise.reference:
        reference = resolve(target)
        written = getattr(stub, reference.__name__)
        assert inspect.signature(written) == inspect.signature(reference)
        assert inspect.getdoc(written) == inspect.getdoc(reference)


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_reports_not_started(name, capsys):
    exercise = EXERCISES[name]
    code = main(["exercise", "check", name, "--file", str(exercise.file(exercise.stub))])
    out = capsys.readouterr()
    assert code == 2
    assert "not started" in out.out and "Traceback" not in out.out + out.err


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_passes_every_stage(name):
    verdict = check(name, fns=load_spec(name).reference)
    assert verdict.status == "pass", verdict.render()
    assert [t["status"] for t in verdict.tests] == ["pass"] * 5


@pytest.mark.parametrize("name", EXERCISES)
def test_minnets_own_functions_pass_every_stage(name):
    # the checker's reference may be a wrapper (another backend); the library's pass too
    own = {resolve(target).__name__: resolve(target) for target in EXERCISES[name].reference}
    assert check(name, fns=own).status == "pass"


@pytest.mark.parametrize("name, mistake_id", MUTANT_CASES)
def test_each_mutant_fails_naming_its_own_mistake(name, mistake_id):
    verdict = check(name, fns=load_mutants(name)[mistake_id])
    assert verdict.status == "fail" and verdict.exit_code == 1
    assert verdict.mistake == mistake_id, verdict.render()
    assert verdict.hint == EXERCISES[name].mistake(mistake_id).hint


@pytest.mark.parametrize("name", EXERCISES)
def test_mutants_are_pairwise_separable(name):
    spec = load_spec(name)
    probe = battery(all_cases(spec))
    solutions = {"reference": spec.reference, **load_mutants(name)}
    seen = {key: observations(spec, spec.complete(fns), probe) for key, fns in solutions.items()}
    keys = list(seen)
    for i, first in enumerate(keys):
        for second in keys[i + 1:]:
            assert distance(seen[first], seen[second]) > SEPARATED, (first, second)


@pytest.mark.parametrize("name", EXERCISES)
def test_an_alternative_correct_version_passes(name, capsys):
    path = ALTERNATIVES / f"{module_name(name)}.py"
    assert main(["exercise", "check", name, "--file", str(path)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("name", EXERCISES)
def test_json_verdicts_are_identical_over_three_runs(name, capsys):
    first_mistake = next(iter(load_mutants(name).values()))
    for fns in (load_spec(name).reference, first_mistake):
        assert len({check(name, fns=fns).to_json() for _ in range(3)}) == 1
    path = str(ALTERNATIVES / f"{module_name(name)}.py")
    outputs = set()
    for _ in range(3):
        main(["exercise", "check", name, "--file", path, "--json"])
        outputs.add(capsys.readouterr().out)
    assert len(outputs) == 1


def test_a_mutant_is_distinguishable_on_the_reference_cases():
    # the separability test must be able to fail: a solution is at distance 0 from itself
    spec = load_spec("linear")
    probe = battery(all_cases(spec))
    same = observations(spec, spec.reference, probe)
    assert distance(same, observations(spec, spec.reference, probe)) == 0.0
    assert np.isinf(distance(same, observations(spec, load_mutants("linear")["dw-transposed"],
                                                probe)))
