"""`minnet doctor`: FILE.py with experiment(), --example, --list, exit codes, the report on disk.

The doctor, watch and the examples are replaced by small stand-ins (installed in
sys.modules) so that these tests check the command itself; the last test runs the
real doctor when it exists.
"""

import sys
import textwrap
import types
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from minnet.cli import build_parser, main
from minnet.diagnostics.report.finding import Report, make_finding

LOSS_RECORDS = {"loss": {"step": [0, 1, 2], "train": [2.3, 2.0, 1.5]}}


def fake_doctor(calls):
    """A doctor that flags NaN inputs (error) and large inputs (warning)."""

    def doctor(model, loss_fn, X, y, *, X_val=None, y_val=None, optimizer=None, steps=None,
               batch_size=None, rng=None, checks=("lint", "data", "sanity", "monitor")):
        calls.append(dict(model=model, loss_fn=loss_fn, X=X, y=y, X_val=X_val, y_val=y_val,
                          optimizer=optimizer, steps=steps, rng=rng))
        findings = []
        if np.isnan(X).any():
            findings.append(make_finding("non-finite", "X", {"count": int(np.isnan(X).sum())}))
        elif np.abs(X).max() > 10:
            findings.append(make_finding("inputs-not-scaled", "X", {"max_abs": 99.0}))
        records = {**LOSS_RECORDS, "lr_range": {"lr": [1e-3, 1e-2], "loss": [2.3, 2.1]}}
        return Report(findings, records)

    return doctor


class FakeWatcher:
    """Counts optimizer steps taken inside the `with` block; unzeroed if any were taken."""

    def __init__(self, log, model, optimizer=None, loss_fn=None):
        self.log, self.optimizer, self.steps = log, optimizer, 0

    def __enter__(self):
        self.log.append("enter")
        original = self.optimizer.step

        def counted_step():
            self.steps += 1
            return original()

        self.optimizer.step = counted_step
        return self

    def __exit__(self, *exc_info):
        del self.optimizer.step
        self.log.append("exit")
        return False

    def report(self):
        findings = [make_finding("grads-not-zeroed", "training", {"steps": self.steps}, step=1)]
        return Report(findings if self.steps else [],
                      {"loss": {"step": [0, 1], "train": [9.0, 8.0]}})


@dataclass
class FakeExample:
    name: str
    description: str
    build: object
    expected: tuple
    healthy: bool


def example_experiment(seed, scale=1.0):
    from minnet.core import Sequential
    from minnet.layers.linear import Linear
    from minnet.losses import CrossEntropyLoss
    from minnet.optim.sgd import SGD

    rng = np.random.default_rng(seed)
    model = Sequential(Linear(3, 2, rng=seed))
    X = rng.normal(size=(8, 3)) * scale
    return SimpleNamespace(model=model, loss_fn=CrossEntropyLoss(),
                           optimizer=SGD(model.parameters(), lr=0.1), X=X,
                           y=np.arange(8) % 2, X_val=None, y_val=None, train=None)


@pytest.fixture
def stand_ins(monkeypatch):
    """Install stand-in doctor, watch and examples modules; return their call logs."""
    log = SimpleNamespace(doctor=[], watch=[], built=[])
    doctor_module = types.ModuleType("minnet.diagnostics.doctor")
    doctor_module.doctor = fake_doctor(log.doctor)
    watch_module = types.ModuleType("minnet.diagnostics.watch")
    watch_module.watch = lambda model, optimizer=None, loss_fn=None: FakeWatcher(
        log.watch, model, optimizer, loss_fn)

    def builder(scale):
        def build(seed):
            log.built.append(seed)
            return example_experiment(seed, scale)
        return build

    examples_module = types.ModuleType("minnet.zoo")
    examples_module.EXAMPLES = {
        "inputs-x255": FakeExample("inputs-x255", "Pixel values left in [0, 255].",
                                   builder(255.0), ("inputs-not-scaled",), False),
        "healthy-mlp": FakeExample("healthy-mlp", "A small MLP that trains well.",
                                   builder(1.0), (), True),
    }
    for name, module in [("minnet.diagnostics.doctor", doctor_module),
                         ("minnet.diagnostics.watch", watch_module),
                         ("minnet.zoo", examples_module)]:
        monkeypatch.setitem(sys.modules, name, module)
    return log


EXPERIMENT = """
import numpy as np
from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim.sgd import SGD


def experiment():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 4)) * {scale}
    X[0, 0] = {first}
    y = (rng.normal(size=32) > 0).astype(int)
    model = Sequential(Linear(4, 8, rng=0), ReLU(), Linear(8, 2, rng=1))
    return {{"model": model, "loss_fn": CrossEntropyLoss(),
            "optimizer": SGD(model.parameters(), lr=0.1), "X": X, "y": y,
            "X_val": X[:4], "y_val": y[:4]}}
"""


def write_experiment(tmp_path, scale=1.0, first=0.5, source=EXPERIMENT):
    path = tmp_path / "my_experiment.py"
    path.write_text(textwrap.dedent(source.format(scale=scale, first=first)))
    return str(path)


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_healthy_file_exits_0_and_writes_the_report(tmp_path, capsys, stand_ins):
    out = tmp_path / "out"
    code, stdout, _ = run(["doctor", write_experiment(tmp_path), "--out", str(out)], capsys)
    assert code == 0
    assert "no findings" in stdout
    assert f"Report and plots written to {out / 'report.md'}" in stdout
    assert (out / "report.md").exists() and (out / "loss.png").exists()
    (call,) = stand_ins.doctor
    assert type(call["model"]).__name__ == "Sequential" and call["X"].shape == (32, 4)
    assert type(call["optimizer"]).__name__ == "SGD"
    assert call["X_val"].shape == (4, 4) and call["steps"] is None and call["rng"] == 0
    assert stand_ins.watch == []  # no train() in the file: nothing to watch


def test_steps_and_seed_reach_the_doctor(tmp_path, capsys, stand_ins):
    run(["doctor", write_experiment(tmp_path), "--out", str(tmp_path / "o"), "--steps", "7",
         "--seed", "3"], capsys)
    assert stand_ins.doctor[0]["steps"] == 7 and stand_ins.doctor[0]["rng"] == 3


def test_error_finding_exits_1(tmp_path, capsys, stand_ins):
    path = write_experiment(tmp_path, first="float('nan')")
    code, stdout, _ = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    assert "[ERROR] non-finite at X" in stdout
    assert "non-finite" in (tmp_path / "o" / "report.md").read_text()


def test_warning_only_exits_0(tmp_path, capsys, stand_ins):
    code, stdout, _ = run(["doctor", write_experiment(tmp_path, scale=255.0),
                           "--out", str(tmp_path / "o")], capsys)
    assert code == 0 and "[WARNING] inputs-not-scaled" in stdout


TRAIN_EXPERIMENT = """
from dataclasses import dataclass

import numpy as np
from minnet.core import Sequential
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim.sgd import SGD

SEEN = {{}}


@dataclass
class Experiment:
    model: object
    loss_fn: object
    optimizer: object
    X: object
    y: object
    train: object = None


def train(model, loss_fn, optimizer, X, y):
    SEEN["model"] = model
    for _ in range(3):  # the classic mistake: no optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()


def experiment():
    rng = np.random.default_rng({scale})
    model = Sequential(Linear(4, 2, rng=0))
    X = rng.normal(size=(16, 4)) + {first}
    return Experiment(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X,
                      np.arange(16) % 2, train=train)
"""


def test_train_runs_under_watch_and_reports_merge(tmp_path, capsys, stand_ins):
    out = tmp_path / "o"
    path = write_experiment(tmp_path, scale=0, first=0.0, source=TRAIN_EXPERIMENT)
    code, stdout, _ = run(["doctor", path, "--out", str(out)], capsys)
    assert stand_ins.watch == ["enter", "exit"]
    assert "[ERROR] grads-not-zeroed at training (step 1)" in stdout and "steps=3" in stdout
    assert code == 1
    user_module = sys.modules["minnet_doctor_my_experiment"]
    assert user_module.SEEN["model"] is stand_ins.doctor[0]["model"]  # the user's own model
    # Records merge: the watched run's loss replaces the doctor's, the rest is kept.
    assert (out / "loss.png").exists() and (out / "lr_range.png").exists()


def test_merged_report_keeps_findings_of_both(tmp_path, capsys, stand_ins):
    path = write_experiment(tmp_path, scale=0, first=500.0, source=TRAIN_EXPERIMENT)
    code, stdout, _ = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert "grads-not-zeroed" in stdout and "inputs-not-scaled" in stdout
    assert stdout.index("grads-not-zeroed") < stdout.index("inputs-not-scaled")  # ranked


@pytest.mark.parametrize("source, message", [
    ("x = 1\n", "defines no experiment() function"),
    ("def experiment():\n    return {{'model': 1, 'loss_fn': 2, 'X': 3, 'y': 4}}\n",
     "gave no optimizer"),
    ("def experiment():\n    return {{'model': 1, 'loss_fn': 2, 'optimizer': 0, 'X': 3, "
     "'y': 4, 'train': 5}}\n", "train must be a callable"),
])
def test_bad_experiment_files_exit_2(tmp_path, capsys, stand_ins, source, message):
    path = write_experiment(tmp_path, source=source)
    code, stdout, stderr = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and message in stderr and "minnet doctor: error:" in stderr
    assert not (tmp_path / "o").exists() and stand_ins.doctor == []


def test_missing_file_exits_2(tmp_path, capsys, stand_ins):
    code, _, stderr = run(["doctor", str(tmp_path / "nope.py")], capsys)
    assert code == 2 and "no such file" in stderr


def test_experiment_that_raises_exits_3_naming_the_file_and_the_error(tmp_path, capsys,
                                                                      stand_ins):
    source = "def helper():\n    raise KeyError('mine')\n\n\ndef experiment():\n    helper()\n"
    path = write_experiment(tmp_path, source=source)
    code, stdout, stderr = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 3 and stdout == ""
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"minnet doctor: error: experiment() in {path} raised KeyError: "
                           f"'mine'")
    # the user's traceback, from their own frames on: the line that raised is shown
    assert f'File "{path}", line 2, in helper' in stderr and "minnet/cli.py" not in stderr
    assert not (tmp_path / "o").exists() and stand_ins.doctor == []


@pytest.mark.parametrize("source, error", [
    ("def experiment(:\n    pass\n", "SyntaxError"),
    ("import a_module_that_does_not_exist\n", "ModuleNotFoundError"),
    ("raise RuntimeError('at import')\n", "RuntimeError: at import"),
])
def test_file_that_fails_to_import_exits_3(tmp_path, capsys, stand_ins, source, error):
    path = write_experiment(tmp_path, source=source)
    code, _, stderr = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 3
    assert f"minnet doctor: error: importing {path} raised {error}" in stderr
    assert "importlib" not in stderr


def test_train_that_raises_exits_3(tmp_path, capsys, stand_ins):
    source = TRAIN_EXPERIMENT.replace("    SEEN[\"model\"] = model\n",
                                      "    raise ValueError('diverged')\n")
    path = write_experiment(tmp_path, scale=0, first=0.0, source=source)
    code, _, stderr = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 3 and stand_ins.watch == ["enter", "exit"]
    assert f"train() from experiment() in {path} raised ValueError: diverged" in stderr


def test_a_model_that_fails_in_the_doctor_run_exits_3(tmp_path, capsys, stand_ins, monkeypatch):
    from minnet.errors import ShapeError

    def failing_doctor(*args, **kwargs):
        raise ShapeError("Linear(in_features=4, ...): expected input of shape (N, 4), got (8, 3)")

    monkeypatch.setattr(sys.modules["minnet.diagnostics.doctor"], "doctor", failing_doctor)
    path = write_experiment(tmp_path)
    code, _, stderr = run(["doctor", path, "--out", str(tmp_path / "o")], capsys)
    assert code == 3
    assert (f"the doctor could not run the experiment() in {path}: ShapeError: "
            f"Linear(in_features=4") in stderr


def test_exit_status_3_reaches_the_shell(tmp_path):
    import subprocess

    path = write_experiment(tmp_path, source="def experiment():\n    1 / 0\n")
    result = subprocess.run([sys.executable, "-m", "minnet", "doctor", path, "--out",
                             str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "raised ZeroDivisionError: division by zero" in result.stderr


@pytest.mark.parametrize("argv", [["doctor"], ["doctor", "x.py", "--example", "healthy-mlp"],
                                  ["doctor", "--list", "--example", "healthy-mlp"],
                                  ["doctor", "x.py", "--steps", "0"]])
def test_usage_errors_exit_2(argv, capsys, stand_ins):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_list_shows_examples_with_descriptions(capsys, stand_ins):
    code, stdout, _ = run(["doctor", "--list"], capsys)
    assert code == 0
    assert "inputs-x255  broken   Pixel values left in [0, 255]." in stdout
    assert "healthy-mlp  healthy  A small MLP that trains well." in stdout


def test_example_runs_and_says_what_it_shows(tmp_path, capsys, stand_ins):
    out = tmp_path / "o"
    code, stdout, _ = run(["doctor", "--example", "inputs-x255", "--seed", "5",
                           "--out", str(out)], capsys)
    assert stand_ins.built == [5] and code == 0
    assert stdout.startswith("Example inputs-x255: Pixel values left in [0, 255].")
    assert "This example is meant to show: inputs-not-scaled (found)" in stdout
    assert (out / "report.md").exists()


def test_healthy_example(tmp_path, capsys, stand_ins):
    code, stdout, _ = run(["doctor", "--example", "healthy-mlp", "--out", str(tmp_path)], capsys)
    assert code == 0 and "This example is healthy" in stdout and "and it does" in stdout


def test_unknown_example_suggests_close_names(capsys, stand_ins):
    code, _, stderr = run(["doctor", "--example", "healthy-mpl"], capsys)
    assert code == 2 and "unknown example 'healthy-mpl'" in stderr
    assert "did you mean healthy-mlp" in stderr


def test_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["doctor", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "exit status" in help_text and "1  at least one finding is an error" in help_text
    assert "3  the experiment failed" in help_text
    assert "experiment()" in help_text and "--example" in help_text


def test_demo_and_version_still_work(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and "minnet" in capsys.readouterr().out
    args = build_parser().parse_args(["demo", "--steps", "5"])
    assert args.command == "demo" and args.steps == 5


REAL_EXPERIMENT = """
import numpy as np
from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim.adam import Adam


def experiment():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 2)) * 3
    y = np.arange(240) % 3
    X = centers[y] + rng.normal(size=(240, 2))
    X = (X - X.mean(0)) / X.std(0)
    model = Sequential(Linear(2, 32, rng=1), ReLU(), Linear(32, 3, rng=2))
    return {{"model": model, "loss_fn": CrossEntropyLoss(),
            "optimizer": Adam(model.parameters(), lr=1e-2), "X": X[:200], "y": y[:200],
            "X_val": X[200:], "y_val": y[200:]}}
"""


def test_real_doctor_on_a_healthy_file(tmp_path, capsys):
    out = tmp_path / "real"
    code, stdout, _ = run(["doctor", write_experiment(tmp_path, source=REAL_EXPERIMENT),
                           "--out", str(out)], capsys)
    assert code == 0, stdout
    assert (out / "report.md").exists()
