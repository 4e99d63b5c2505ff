"""`minnet doctor --example NAME` on every broken example of the zoo, and `--list`.

The zoo's own test (test_zoo.py) judges what the doctor finds; this one checks
the command: it builds each example, prints what the example is meant to
show, reports each expected code as found or not, and exits 1 exactly when
there is an error finding. The doctor's run of each example is the one
test_zoo.py judges (the ``zoo_run`` fixture, once per session): the command's
own run is replaced by it, and writing the plots by a stand-in. Two examples
run the command for real, plots included.
"""

import os

import pytest

from minnet import cli
from minnet.cli import main
from minnet.diagnostics.report import markdown as report_markdown
from minnet.zoo import EXAMPLES, broken_examples

pytestmark = pytest.mark.usefixtures("mnist1d_cache")


@pytest.fixture
def saved(monkeypatch, tmp_path):
    """Replace save_report: remember the report instead of drawing its plots."""
    reports = []

    def save_report(report, directory):
        reports.append(report)
        return os.path.join(str(directory), "report.md")

    monkeypatch.setattr(report_markdown, "save_report", save_report)
    return reports


@pytest.fixture
def shared_run(monkeypatch, zoo_run):
    """Replace the command's doctor run (``cli._diagnose``) by the session's run of the
    example; remember the parts and seed it was called with."""
    calls = []

    def diagnose(parts, steps, seed, origin):
        name = origin.removeprefix("example ").strip("'")
        calls.append((name, parts, steps, seed))
        return zoo_run(name, seed).report

    monkeypatch.setattr(cli, "_diagnose", diagnose)
    return calls


@pytest.mark.parametrize("name", [example.name for example in broken_examples()])
def test_doctor_example_runs_every_broken_example(name, saved, shared_run, tmp_path, capsys):
    example = EXAMPLES[name]
    status = main(["doctor", "--example", name, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    (report,) = saved
    ((called, parts, steps, seed),) = shared_run
    assert called == name and steps is None and seed == 0
    assert type(parts["model"]) is type(example.build(0).model)  # the example, built
    assert status == (1 if report.has_errors else 0)
    assert f"Example {name}: {example.description}" in out
    note = next(line for line in out.splitlines() if line.startswith("This example is meant"))
    for code in example.expected:
        assert f"{code} (found)" in note or f"{code} (NOT found)" in note, note
    if example.severity == "warning":  # static findings do not depend on the run's length
        static = {f.code for f in report.problems("warning") if f.step is None}
        for code in set(example.expected) & static:
            assert f"{code} (found)" in note


def test_doctor_example_writes_the_report_and_plots(tmp_path, capsys):
    status = main(["doctor", "--example", "no-zero-grad", "--out", str(tmp_path),
                   "--steps", "40"])
    out = capsys.readouterr().out
    assert status == 1  # grads-not-zeroed is an error
    assert "grads-not-zeroed (found)" in out
    assert (tmp_path / "report.md").is_file()
    assert list(tmp_path.glob("*.png"))


def test_doctor_example_healthy_says_so(saved, tmp_path, capsys):
    status = main(["doctor", "--example", "healthy-mlp-spiral", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "This example is healthy: no warning or error is expected, and it does." in out


def test_doctor_list_shows_every_example(capsys):
    assert main(["doctor", "--list"]) == 0
    out = capsys.readouterr().out
    for name, example in EXAMPLES.items():
        line = next(line for line in out.splitlines() if line.strip().startswith(name + " "))
        assert ("healthy" if example.healthy else "broken") in line
        assert example.description in line
