"""``minnet runs export --mlflow DIR``, read back through MLflow's own client.

MLflow is an optional extra (``pip install "minnet[mlflow]"``): these tests
skip without it; CI installs it and runs ``pytest -m mlflow``.
"""

import json
import os

import numpy as np
import pytest

import minnet as mn
from minnet.cli import main
from minnet.runs.store import RunStore

pytestmark = pytest.mark.mlflow
mlflow = pytest.importorskip("mlflow")


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """Two fits recorded in the default store of tmp_path; the store's path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    for lr in (0.01, 0.1):
        mn.seed(0)
        model = mn.Sequential(mn.Linear(3, 6), mn.Tanh(), mn.Linear(6, 2))
        optimizer = mn.optim.Adam(model.parameters(), lr=lr)
        mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, X_val=X[:10], y_val=y[:10],
               epochs=2, batch_size=8, progress=False, rng=0, run=f"lr-{lr}")
    return tmp_path / "minnet-runs.sqlite"


def _client(folder, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3's local file store
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri="file://" + str(folder))


def test_exported_runs_read_back_with_the_same_params_and_histories(recorded, tmp_path,
                                                                   capsys, monkeypatch):
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    assert main(["runs", "export", "1", "2", "--mlflow", "mlruns"]) == 0
    out = capsys.readouterr().out
    assert "Exported 2 run(s) to mlruns (experiment 'minnet')" in out
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ  # the export set it for itself only
    client = _client(tmp_path / "mlruns", monkeypatch)
    experiment = client.get_experiment_by_name("minnet")
    exported = {run.data.tags["minnet_run_id"]: run
                for run in client.search_runs([experiment.experiment_id])}
    assert sorted(exported) == ["1", "2"]
    with RunStore(recorded) as store:
        for record in store.list_runs():
            run = exported[str(record.id)]
            assert run.info.run_name == record.name and run.info.status == "FINISHED"
            assert run.info.start_time == round(record.started * 1000)
            expected = {key: value if isinstance(value, str) else json.dumps(value, sort_keys=True)
                        for key, value in store.params(record.id).items()}
            assert run.data.params == expected
            for key in store.metric_keys(record.id):
                rows = store.metrics(record.id, key)
                history = sorted(client.get_metric_history(run.info.run_id, key),
                                 key=lambda metric: (metric.timestamp, metric.step))
                assert [(m.step, m.value) for m in history] == [
                    (row.step if row.step is not None else
                     row.epoch if row.epoch is not None else 0, row.value) for row in rows], key
    assert json.loads(exported["2"].data.params["optimizer.betas"]) == [0.9, 0.999]


def test_a_failed_run_its_findings_and_checkpoints(tmp_path, capsys, monkeypatch):
    from minnet.diagnostics.report.finding import Finding

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run_id = store.create_run("broken", {"lr": 10.0})
        store.log_metrics(run_id, [("loss", float("nan"), 0, None, 1.0)])
        store.log_findings(run_id, [Finding("lr-too-high", "error", "optimizer", {}, "e", "f")])
        store.log_artifact(run_id, tmp_path / "best.npz")
        store.finish_run(run_id, "failed", "ValueError: boom")
    assert main(["runs", "export", "1", "--mlflow", "out", "--store", str(path)]) == 0
    client = _client(tmp_path / "out", monkeypatch)
    (run,) = client.search_runs([client.get_experiment_by_name("minnet").experiment_id])
    assert run.info.status == "FAILED"
    assert run.data.tags["minnet_error"] == "ValueError: boom"
    assert [f["code"] for f in json.loads(run.data.tags["minnet_findings"])] == ["lr-too-high"]
    assert run.data.tags["minnet_checkpoints"] == str(tmp_path / "best.npz")
    (loss,) = client.get_metric_history(run.info.run_id, "loss")
    assert np.isnan(loss.value)


def test_exporting_twice_adds_to_the_same_experiment(recorded, tmp_path, capsys, monkeypatch):
    assert main(["runs", "export", "1", "--mlflow", "mlruns"]) == 0
    assert main(["runs", "export", "2", "--mlflow", "mlruns"]) == 0
    client = _client(tmp_path / "mlruns", monkeypatch)
    runs = client.search_runs([client.get_experiment_by_name("minnet").experiment_id])
    assert sorted(run.info.run_name for run in runs) == ["lr-0.01", "lr-0.1"]
