"""RunStore: every method, the schema checks, and two processes writing at once."""

import math
import os
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from minnet.diagnostics.report.finding import Finding
from minnet.runs.schema import SCHEMA_VERSION
from minnet.runs.store import RunStore, StoreError, default_store_path


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        yield store


def test_a_new_file_gets_the_schema_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "runs.sqlite"
    RunStore(path).close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"runs", "params", "metrics", "findings", "artifacts"} <= tables
    connection.close()
    RunStore(path).close()  # opening it again keeps it as it is


def test_default_path_is_minnet_runs_or_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_store_path() == str(tmp_path / "minnet-runs.sqlite")
    monkeypatch.setenv("MINNET_RUNS", str(tmp_path / "elsewhere.sqlite"))
    assert default_store_path() == str(tmp_path / "elsewhere.sqlite")
    with RunStore() as store:
        assert store.path == str(tmp_path / "elsewhere.sqlite")


def test_a_newer_schema_is_refused_and_the_file_left_unchanged(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"newer minnet \(store schema 2; this minnet reads "
                                         r"schema 1.*left as it is"):
        RunStore(path)
    assert path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (name TEXT)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"tables that are not a minnet run store \(customers\)"):
        RunStore(path)
    assert path.read_bytes() == before  # not even switched to WAL mode


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="is not a SQLite file"):
        RunStore(path)


def test_create_run_and_read_it_back(store):
    run_id = store.create_run("first", {"lr": 0.1, "layers": ["Linear", "ReLU"]})
    record = store.get_run(run_id)
    assert (record.id, record.name, record.status, record.state) == (
        run_id, "first", "running", "running")
    assert record.pid == os.getpid() and record.ended is None and record.error is None
    assert record.seconds >= 0
    assert store.params(run_id) == {"layers": ["Linear", "ReLU"], "lr": 0.1}
    store.log_params(run_id, {"lr": 0.2, "seed": np.int64(3), "shape": np.zeros((2, 3)).shape,
                              "obj": object})
    params = store.params(run_id)
    assert params["lr"] == 0.2 and params["seed"] == 3 and params["shape"] == [2, 3]
    assert params["obj"] == repr(object)
    store.finish_run(run_id, "finished")
    record = store.get_run(run_id)
    assert record.status == record.state == "finished"
    assert record.seconds == pytest.approx(record.ended - record.started)


def test_metrics_in_order_by_key_and_final_values(store):
    run_id = store.create_run("m")
    store.log_metrics(run_id, [("loss", 2.0, 0, None, 1.0), ("loss", np.float32(1.5), 1, None, 2.0),
                               ("val_loss", 1.7, None, 0, 3.0),
                               ("loss", float("nan"), 2, None, 4.0)])
    rows = store.metrics(run_id)
    assert [(row.key, row.step, row.epoch) for row in rows] == [
        ("loss", 0, None), ("loss", 1, None), ("val_loss", None, 0), ("loss", 2, None)]
    assert [row.value for row in store.metrics(run_id, "loss")][:2] == [2.0, 1.5]
    assert math.isnan(store.metrics(run_id, "loss")[2].value)  # SQLite's NULL read as NaN
    store.log_metrics(run_id, [("big", float("inf"), 0, None, 5.0)])
    assert store.metrics(run_id, "big")[0].value == float("inf")
    assert store.metric_keys(run_id) == ["big", "loss", "val_loss"]
    final = store.final_metrics(run_id)
    assert math.isnan(final["loss"]) and final["val_loss"] == 1.7
    other = store.create_run("other")
    assert store.metrics(other) == [] and store.final_metrics(other) == {}


def test_findings_and_artifacts(store, tmp_path):
    run_id = store.create_run("f")
    finding = Finding("dead-relu", "warning", "layer 2", {"fraction": 0.9}, "many are dead",
                      "lower the lr", step=12)
    store.log_findings(run_id, [finding])
    assert store.findings(run_id) == [{
        "code": "dead-relu", "severity": "warning", "where": "layer 2",
        "evidence": {"fraction": 0.9}, "explanation": "many are dead", "fix": "lower the lr",
        "step": 12}]
    store.log_artifact(run_id, "ckpt.npz")
    assert store.artifacts(run_id) == [("checkpoint", os.path.abspath("ckpt.npz"))]


def test_finish_run_rejects_an_unknown_status(store):
    run_id = store.create_run("s")
    with pytest.raises(StoreError, match=r"status must be one of .*got 'done'"):
        store.finish_run(run_id, "done")
    assert store.get_run(run_id).status == "running"


def test_list_runs_and_sweeps_one_row_per_trial(store):
    a = store.create_run("a")
    b = store.create_run("trial", {"lr": 1}, sweep="s1", trial="lr=1")
    c = store.create_run("trial", {"lr": 2}, sweep="s1", trial="lr=2")
    again = store.create_run("trial", {"lr": 1}, sweep="s1", trial="lr=1")  # b's retry
    assert [r.id for r in store.list_runs()] == [a, c, again]
    assert [r.trial for r in store.list_runs(sweep="s1")] == ["lr=2", "lr=1"]
    with pytest.raises(StoreError):
        store.get_run(b)


def test_delete_run_removes_everything_it_recorded(store):
    run_id = store.create_run("d", {"lr": 1})
    store.log_metrics(run_id, [("loss", 1.0, 0, None, 0.0)])
    store.log_artifact(run_id, "x.npz")
    kept = store.create_run("kept")
    store.delete_run(run_id)
    assert [r.id for r in store.list_runs()] == [kept]
    assert store.params(run_id) == {} and store.metrics(run_id) == []
    assert store.artifacts(run_id) == []
    with pytest.raises(StoreError, match=rf"no run {run_id} in .* \(runs: {kept}\)"):
        store.delete_run(run_id)


def test_get_run_names_the_known_ids(store):
    with pytest.raises(StoreError, match=r"no run 7 in .*\(runs: none\)"):
        store.get_run(7)


# --- two processes at once ---------------------------------------------------------

_WRITER = textwrap.dedent("""
    import sys
    from minnet.runs.store import RunStore

    path, label = sys.argv[1], sys.argv[2]
    store = RunStore(path)
    for chunk in range(20):
        run_id = store.create_run(f"{label}-{chunk}")
        store.log_metrics(run_id, [("loss", float(i), chunk * 100 + i, None, 0.0)
                                   for i in range(100)])
        store.finish_run(run_id)
    store.close()
""")


def test_two_processes_logging_at_once_lose_no_row(tmp_path):
    path = tmp_path / "runs.sqlite"  # neither process finds it: both create the schema
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), label])
               for label in ("a", "b")]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    with RunStore(path) as store:
        runs = store.list_runs()
        assert sorted(r.name for r in runs) == sorted(f"{label}-{chunk}" for label in "ab"
                                                      for chunk in range(20))
        assert {r.state for r in runs} == {"finished"}
        for label in "ab":
            steps = sorted(row.step for r in runs if r.name.startswith(label)
                           for row in store.metrics(r.id, "loss"))
            assert steps == list(range(2000))  # 2,000 rows per process, none lost or doubled
