"""The bug zoo: every broken example yields its expected codes; no healthy one warns.

Each example runs as ``minnet doctor --example NAME`` runs it (``doctor()``,
then its hand-written loop under ``watch()``), see
``minnet.zoo.report.run_example``, once per session (the ``zoo_run`` fixture
of conftest.py: test_examples_cli.py reads the same runs). Broken examples run
at seed 0; healthy ones at seeds 0 to 4 (``HEALTHY_SEEDS``), and must come back
with no warning and no error (docs/doctor-zoo.md: a false alarm is a bug). A
broken example must also name its root cause first: the report's first
problem has an expected code. ``python -m minnet.zoo.report`` runs the broken
examples at seeds 0 to 4 too (docs/doctor-zoo.md).

``KNOWN_GAPS`` marks an example whose expected code a rule currently misses,
``NOT_FIRST_YET`` one whose expected code fires but not first
(``xfail(strict=True)``: the mark must go when the rule or the ranking is
fixed). Never weaken an example's expected codes to make it pass.
"""

import re

import pytest

from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.catalog.causes import explains
from minnet.diagnostics.report.finding import SEVERITIES
from minnet.zoo import EXAMPLES, broken_examples, healthy_examples
from minnet.zoo.report import HEALTHY_SEEDS, run_example

# example name -> why the doctor misses it today (a rule gap, for the lead to fix)
KNOWN_GAPS = {}

# example name -> the first problem the report names today instead of the root cause
NOT_FIRST_YET = {}

STORY = re.compile(r"rnn-story-(\d+)-")


pytestmark = pytest.mark.usefixtures("mnist1d_cache")


def describe(findings):
    return "\n".join(f"  [{f.severity}] {f.code} at {f.where} (step {f.step}): "
                     f"{f.evidence_text()}" for f in findings) or "  (none)"


def _broken_params(gaps=(KNOWN_GAPS,)):
    """Every broken example, marked xfail(strict) when one of ``gaps`` names it."""
    for example in broken_examples():
        reasons = [known[example.name] for known in gaps if example.name in known]
        marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
        yield pytest.param(example.name, id=example.name, marks=marks)


@pytest.mark.parametrize("name", list(_broken_params()))
def test_broken_example_yields_its_expected_codes(name, zoo_run):
    result = zoo_run(name, 0)
    assert not result.missing, (
        f"{name}: expected {result.missing} at {result.example.severity} or worse; "
        f"the report has:\n{describe(result.report.findings)}")


@pytest.mark.parametrize("name", list(_broken_params((KNOWN_GAPS, NOT_FIRST_YET))))
def test_broken_example_names_its_root_cause_first(name, zoo_run):
    """The report's first problem (at the example's severity) has an expected code."""
    result = zoo_run(name, 0)
    problems = result.report.problems(result.example.severity)
    assert problems and problems[0].code in result.example.expected, (
        f"{name}: expected one of {result.example.expected} first; the report ranks:\n"
        f"{describe(problems)}")


@pytest.mark.parametrize("name,seed", [
    pytest.param(example.name, seed, id=f"{example.name}-seed{seed}")
    for example in healthy_examples() for seed in HEALTHY_SEEDS])
def test_healthy_example_has_no_warning_or_error(name, seed, zoo_run):
    result = zoo_run(name, seed)
    assert not result.false_alarms, (
        f"{name} (seed {seed}) is healthy, but the doctor reported:\n"
        f"{describe(result.false_alarms)}")


def test_rnn_story_fix_removes_every_finding_of_the_story(zoo_run):
    """Each step of the story comes with the fix that makes its finding go away, at any
    severity: with every fix in, none of the story's codes is left."""
    codes = {code for example in broken_examples() if STORY.match(example.name)
             for code in example.expected}
    for seed in HEALTHY_SEEDS:
        report = zoo_run("rnn-story-fixed", seed).report
        left = [f for f in report.findings if f.code in codes]
        assert not left, f"rnn-story-fixed (seed {seed}) still has:\n{describe(left)}"


# --- the zoo itself -------------------------------------------------------------------

def test_zoo_size_and_names():
    assert len(broken_examples()) >= 60
    assert len(healthy_examples()) >= 20
    assert len(HEALTHY_SEEDS) >= 5
    for name, example in EXAMPLES.items():
        assert example.name == name
        assert re.fullmatch(r"[a-z0-9]+(?:[-.][a-z0-9]+)*", name), name
        assert example.description and "\n" not in example.description, name
        assert example.severity in SEVERITIES, name


def test_expected_codes_are_catalog_codes_and_match_health():
    for example in EXAMPLES.values():
        assert set(example.expected) <= set(CATALOG), example.name
        assert bool(example.expected) != example.healthy, example.name
        assert example.healthy or example.severity in ("warning", "info"), example.name


def test_only_hint_codes_are_expected_at_info():
    """Every broken example is judged at warning or error, except the catalog's hints."""
    for example in broken_examples():
        if example.severity == "info":
            assert all(CATALOG[code].severity == "info" for code in example.expected), \
                example.name


def test_every_catalog_code_has_a_broken_example():
    covered = {code for example in broken_examples() for code in example.expected}
    assert set(CATALOG) - covered == set()


def test_rnn_story_has_one_mistake_per_step_in_order_and_a_fixed_version():
    steps = sorted((int(STORY.match(name).group(1)), example)
                   for name, example in EXAMPLES.items() if STORY.match(name))
    assert [number for number, _ in steps] == list(range(1, len(steps) + 1))
    assert len(steps) >= 8
    assert not any(example.healthy for _, example in steps)
    for _, example in steps:  # one mistake: its code, or its root cause and the symptom it explains
        cause, *symptoms = example.expected
        assert len(symptoms) <= 1 and all(explains(cause, s) for s in symptoms), example.name
    assert EXAMPLES["rnn-story-fixed"].healthy


def test_examples_are_deterministic_under_a_seed():
    import numpy as np

    for example in EXAMPLES.values():
        first, second = example.build(0), example.build(0)
        for part in ("X", "y", "X_val", "y_val"):
            a, b = getattr(first, part), getattr(second, part)
            assert (a is None) == (b is None), (example.name, part)
            if a is not None:
                np.testing.assert_array_equal(a, b, err_msg=f"{example.name}: {part}")
        for (name, p), (_, q) in zip(first.model.named_parameters(),
                                     second.model.named_parameters()):
            np.testing.assert_array_equal(p.data, q.data, err_msg=f"{example.name}: {name}")


def test_gap_lists_name_broken_examples_once():
    """A stale name in KNOWN_GAPS or NOT_FIRST_YET would silently mark nothing."""
    names = {example.name for example in broken_examples()}
    assert set(KNOWN_GAPS) <= names and set(NOT_FIRST_YET) <= names
    assert not set(KNOWN_GAPS) & set(NOT_FIRST_YET)


def test_doc_lists_every_example_of_the_zoo():
    """docs/doctor-zoo.md's tables (``python -m minnet.zoo.report --write``) hold every
    example once, and no example that is gone."""
    from pathlib import Path

    from minnet.zoo.report import END, START

    doc = (Path(__file__).resolve().parents[2] / "docs" / "doctor-zoo.md").read_text()
    part = doc.split(START, 1)[1].split(END, 1)[0]
    listed = {line.split("|")[1].strip() for line in part.splitlines()
              if line.startswith("| ") and not line.startswith(("| example", "| ---"))}
    assert listed == set(EXAMPLES), (f"missing from the doc: {sorted(set(EXAMPLES) - listed)}; "
                                     f"gone from the zoo: {sorted(listed - set(EXAMPLES))}; "
                                     f"run python -m minnet.zoo.report --write "
                                     f"docs/doctor-zoo.md")


def test_root_cause_first_judges_the_first_problem():
    """The judgement of "root cause first" can fail: a report whose first problem is a
    symptom is not root-cause-first, even when the expected code follows."""
    from minnet.diagnostics.report.finding import Report, make_finding
    from minnet.zoo.report import Run

    example = EXAMPLES["zero-init"]  # expects symmetric-init
    report = Report()
    # set directly, not through add(): the test is about the judgement, not the ranking
    report.findings = [make_finding("cannot-overfit-batch", "model", {}),
                       make_finding("symmetric-init", "0 (Linear)", {})]
    run = Run(example, 0, report, 0.0)
    assert not run.missing and run.first.code == "cannot-overfit-batch"
    assert not run.root_cause_first


def test_the_zoo_checks_can_fail():
    """The judgement itself: a code that did not fire is missing; a healthy label warns."""
    from dataclasses import replace

    spiral = EXAMPLES["healthy-mlp-spiral"]
    wrong = run_example(replace(spiral, expected=("dead-relu",), healthy=False), 0)
    assert wrong.missing == ["dead-relu"]
    mislabelled = run_example(replace(EXAMPLES["zero-init"], expected=(), healthy=True), 0)
    assert "symmetric-init" in {f.code for f in mislabelled.false_alarms}
