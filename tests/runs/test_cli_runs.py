"""``minnet runs ...`` through ``minnet.cli.main``: output, files and exit codes."""

import sqlite3
import sys

import pytest

from minnet.cli import main
from minnet.diagnostics.report.finding import Finding
from minnet.runs.schema import SCHEMA_VERSION
from minnet.runs.store import RunStore
from minnet.runs.tables import cell, seconds, table


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    """A store of two finished runs (lr 0.01 and 0.1) and a failed one, in the default place."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    path = tmp_path / "minnet-runs.sqlite"
    with RunStore(path) as store:
        for lr, losses in ((0.01, [2.0, 1.5, 1.2]), (0.1, [2.0, 0.9, 0.4])):
            run_id = store.create_run(f"lr-{lr}", {"optimizer": "SGD", "optimizer.lr": lr,
                                                   "epochs": 3, "model.layers": ["Linear"]})
            store.log_metrics(run_id, [("loss", loss, step, 0, 10.0 + step)
                                       for step, loss in enumerate(losses)])
            store.log_metrics(run_id, [("val_loss", losses[-1] + 0.1, None, 0, 20.0),
                                       ("fit_time", 0.5, None, None, 20.0)])
            store.finish_run(run_id)
        failed = store.create_run("broken", {"optimizer": "Adam", "optimizer.lr": 0.1})
        store.log_findings(failed, [Finding("lr-too-high", "error", "optimizer", {"lr": 0.1},
                                            "The loss grows.", "Divide lr by 10.")])
        store.log_artifact(failed, tmp_path / "best.npz")
        store.finish_run(failed, "failed", "ValueError: boom")
    return path


def _run(capsys, *argv):
    status = main(["runs", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_run_with_its_state_and_final_metrics(store_path, capsys):
    status, out, _ = _run(capsys, "list")
    assert status == 0
    header, *rows = out.splitlines()
    assert header.split() == ["id", "name", "state", "started", "duration", "val_loss", "loss"]
    assert [row.split()[:3] for row in rows] == [["1", "lr-0.01", "finished"],
                                                 ["2", "lr-0.1", "finished"],
                                                 ["3", "broken", "failed"]]
    assert rows[1].split()[-2:] == ["0.5", "0.4"] and rows[2].split()[-2:] == ["-", "-"]


def test_show_gives_parameters_metrics_findings_and_checkpoints(store_path, capsys, tmp_path):
    status, out, _ = _run(capsys, "show", "3")
    assert status == 0
    assert out.startswith("Run 3: broken  (failed, ")
    assert "error: ValueError: boom" in out
    assert "  optimizer     Adam" in out and "  optimizer.lr  0.1" in out
    assert "[error] lr-too-high at optimizer: The loss grows. Fix: Divide lr by 10." in out
    assert f"Checkpoints:\n  {tmp_path / 'best.npz'}" in out
    assert "Final metrics:\n  (none)" in out


def test_compare_lists_only_the_parameters_that_differ(store_path, capsys):
    status, out, _ = _run(capsys, "compare", "1", "2")
    assert status == 0
    params, metrics = out.split("\n\n")
    assert params.splitlines() == ["Parameters that differ:",
                                   "  parameter     1 lr-0.01  2 lr-0.1",
                                   "  optimizer.lr       0.01       0.1"]
    assert [line.split() for line in metrics.splitlines()[:4]] == [
        ["Final", "metrics:"], ["metric", "1", "lr-0.01", "2", "lr-0.1"],
        ["loss", "1.2", "0.4"], ["val_loss", "1.3", "0.5"]]
    assert metrics.splitlines()[-1].split()[:2] == ["wall", "time"]
    assert "fit_time" not in metrics  # timing is the wall time row


def test_compare_shows_a_parameter_absent_from_one_run(store_path, capsys):
    _, out, _ = _run(capsys, "compare", "1", "3")
    rows = [line.split() for line in out.split("\n\n")[0].splitlines()]
    assert ["epochs", "3", "-"] in rows and ["optimizer", "SGD", "Adam"] in rows
    assert ["optimizer.lr", "0.01", "0.1"] in rows and len(rows) == 6  # title, header, 4 rows


def test_compare_of_identical_setups_says_so(store_path, capsys):
    with RunStore(store_path) as store:
        store.log_params(2, {"optimizer.lr": 0.01})
    _, out, _ = _run(capsys, "compare", "1", "2")
    assert "(none: the 2 runs have the same 4 parameters)" in out


def test_plot_writes_a_png_and_prints_its_path(store_path, capsys, tmp_path):
    status, out, _ = _run(capsys, "plot", "1", "2")
    assert status == 0
    png = tmp_path / "minnet-runs-loss.png"
    assert out.strip() == f"Plot of loss for run(s) 1, 2 written to {png}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status, out, _ = _run(capsys, "plot", "1", "2", "--metric", "val_loss", "--out", "v.png")
    assert status == 0 and (tmp_path / "v.png").stat().st_size > 0


def test_plot_of_a_missing_metric_names_the_ones_there(store_path, capsys, tmp_path):
    status, _, err = _run(capsys, "plot", "1", "3")
    assert status == 2
    assert "run 3 (broken) has no metric 'loss'; its metrics are: none" in err
    assert not (tmp_path / "minnet-runs-loss.png").exists()


def test_delete_asks_first(store_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Answer("n\n"))
    assert _run(capsys, "delete", "2")[1].endswith("Nothing deleted.\n")
    monkeypatch.setattr(sys, "stdin", _Answer("y\n"))
    status, out, _ = _run(capsys, "delete", "2")
    assert status == 0 and "Deleted run 2 (lr-0.1, finished, 5 metric rows)." in out
    status, out, _ = _run(capsys, "delete", "1", "--yes")
    assert status == 0
    with RunStore(store_path) as store:
        assert [r.id for r in store.list_runs()] == [3]


class _Answer:
    def __init__(self, text):
        self.text = text

    def readline(self):
        return self.text


@pytest.mark.parametrize("argv", [["show", "9"], ["compare", "1", "9"], ["plot", "9"],
                                  ["delete", "9", "--yes"], ["export", "9", "--mlflow", "out"]])
def test_an_unknown_id_exits_2_naming_the_known_ones(store_path, capsys, argv):
    status, out, err = _run(capsys, *argv)
    assert status == 2 and out == ""
    assert "no run 9 in" in err and "(runs: 1, 2, 3)" in err


def test_compare_needs_two_runs(store_path, capsys):
    assert _run(capsys, "compare", "1")[2].strip().endswith(
        "compare needs two run ids or more, got 1")


def test_no_store_exits_2_and_creates_none(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    status, _, err = _run(capsys, "list")
    assert status == 2 and "no run store at" in err and 'fit(..., run="name")' in err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_store_exits_2(tmp_path, capsys):
    path = tmp_path / "empty.sqlite"
    RunStore(path).close()
    for argv in (["list"], ["show", "1"]):
        status, _, err = _run(capsys, *argv, "--store", str(path))
        assert status == 2 and "holds no run yet" in err


def test_a_newer_schema_exits_2(store_path, capsys):
    connection = sqlite3.connect(store_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    status, _, err = _run(capsys, "list")
    assert status == 2 and "written by a newer minnet" in err


def test_store_option_and_environment_variable(store_path, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    assert _run(capsys, "list")[0] == 2  # not in this folder
    assert _run(capsys, "list", "--store", str(store_path))[0] == 0
    monkeypatch.setenv("MINNET_RUNS", str(store_path))
    assert _run(capsys, "list")[0] == 0


def test_export_without_mlflow_says_how_to_install_it(store_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    status, _, err = _run(capsys, "export", "1", "--mlflow", "out")
    assert status == 2 and 'pip install "minnet[mlflow]"' in err


def test_table_helpers():
    assert table(["a", "n"], [["x", "1.5"], ["long", "-"]]).splitlines() == [
        "a       n", "x     1.5", "long    -"]
    assert [seconds(v) for v in (None, 0.0421, 12.34, 185, 7625)] == [
        "-", "0.042 s", "12.3 s", "3m05s", "2h07m"]
    assert cell("Sequential(\n  (0): Linear()\n)") == "Sequential( (0): Linear() )"
    assert cell("x" * 50) == "x" * 37 + "..." and cell([1, 2]) == "[1, 2]"
