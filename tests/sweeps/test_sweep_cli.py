"""``minnet sweep FILE.py --grid ... --seeds ...``: the table, the summary, the plot, the store;
exit 1 when a trial failed, 2 with a clear message on a usage error."""

import textwrap

import pytest

from minnet.cli import main
from minnet.runs import RunStore

TRAIN = textwrap.dedent("""
    from minnet.runs import current_run

    def train(params, seed):
        current_run().log_metric("loss", 1.0, step=0)
        if params["optimizer"] == "broken":
            raise ValueError("no such optimizer")
        return {"loss": params["lr"] * 10 + seed, "width": float(len(params["optimizer"]))}
""")


@pytest.fixture
def train_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    return path


def sweep(*argv):
    return main(["sweep", *map(str, argv)])


def test_a_sweep_prints_the_table_and_summary_writes_the_plot_and_fills_the_store(
        train_file, tmp_path, capsys):
    status = sweep(train_file, "--grid", "lr=1e-2,1e-1", "--grid", "optimizer=sgd,adam",
                   "--seeds", "0-2", "--jobs", "1", "--metric", "loss", "--plot", "out.png",
                   "--store", "runs.sqlite", "--name", "cli-test")
    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Sweep cli-test-") and "12 trials (4 settings x 3 seeds)" in lines[0]
    assert lines[2].split() == ["lr", "optimizer", "seed", "run", "status", "loss", "width"]
    assert lines[3].split()[:3] == ["0.01", "sgd", "0"] and lines[3].split()[-2:] == ["0.1", "3"]
    assert "loss over 3 seeds:" in out
    summary = out.split("loss over 3 seeds:\n")[1].splitlines()
    assert summary[0].split() == ["lr", "optimizer", "seeds", "mean", "loss", "std", "min", "max"]
    assert summary[1].split()[:4] == ["0.01", "sgd", "3/3", "1.1"]  # mean of 0.1 + 0, 1, 2
    assert (tmp_path / "out.png").stat().st_size > 1000
    with RunStore(tmp_path / "runs.sqlite") as store:
        runs = store.list_runs()
        assert len(runs) == 12 and {r.name for r in runs} == {"cli-test"}
        assert store.params(runs[0].id) == {"lr": 0.01, "optimizer": "sgd", "seed": 0}


def test_a_failed_trial_exits_1_and_names_its_error(train_file, capsys):
    status = sweep(train_file, "--grid", "lr=0.1", "--grid", "optimizer=sgd,broken",
                   "--jobs", "1")
    captured = capsys.readouterr()
    assert status == 1
    assert "failed: ValueError: no such optimizer" in captured.out
    assert "1 of 2 trials failed" in captured.err


@pytest.mark.parametrize("argv, message", [
    (["--grid", "lr"], "--grid: expected NAME=V1,V2,... (e.g. lr=1e-4,1e-3,1e-2), got 'lr'"),
    (["--grid", "lr=0.1", "--seeds", "5-1"], "the range is empty: 5 > 1"),
    (["--grid", "lr=0.1", "--grid", "lr=0.2"], "lr is given twice"),
    (["--grid", "lr=0.1", "--grid", "optimizer=sgd", "--metric", "acc"],
     "--metric acc: train() returned no such metric; it returned loss, width"),
    (["--grid", "lr=0.1", "--jobs", "0"], "--jobs must be >= 1, got 0"),
])
def test_usage_errors_exit_2_with_a_clear_message(train_file, argv, message, capsys):
    assert sweep(train_file, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("minnet sweep: error: ") and message in err


def test_a_file_without_train_or_that_fails_to_import_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "no_train.py").write_text("def fit(params, seed):\n    return 1.0\n")
    assert sweep("no_train.py", "--grid", "lr=0.1") == 2
    assert "no_train.py defines no train() function; it must define train(params, seed)" \
        in capsys.readouterr().err
    (tmp_path / "broken.py").write_text("import no_such_module_here\n")
    assert sweep("broken.py", "--grid", "lr=0.1") == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "importing broken.py raised ModuleNotFoundError" in err
    assert sweep("missing.py", "--grid", "lr=0.1") == 2
    assert "no such file: missing.py" in capsys.readouterr().err
    assert not (tmp_path / "minnet-runs.sqlite").exists()  # nothing ran


def test_grid_is_required(train_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        sweep(train_file)
    assert exit_info.value.code == 2
    assert "--grid" in capsys.readouterr().err
