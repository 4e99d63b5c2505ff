"""fit(..., run=...): which run it records into, and what it records."""

import subprocess

import numpy as np
import pytest

import minnet as mn
from minnet.errors import ConfigError
from minnet.runs.store import RunStore


def _setup(lr=0.1):
    mn.seed(0)  # the weights
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(48, 4)), rng.integers(0, 3, 48)
    model = mn.Sequential(mn.Linear(4, 8), mn.ReLU(), mn.Linear(8, 3))
    optimizer = mn.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    return model, optimizer, X, y


def _fit(run, lr=0.1, **options):
    model, optimizer, X, y = _setup(lr)
    options = {"epochs": 2, "batch_size": 16, "progress": False, "rng": 0, **options}
    return mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, run=run, **options)


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    """The default store, in a folder that is not a git repository."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    return tmp_path / "minnet-runs.sqlite"


def _only_run(path):
    with RunStore(path) as store:
        (record,) = store.list_runs()
        return record, store.params(record.id), store.metrics(record.id), \
            store.artifacts(record.id), store.findings(record.id)


def test_a_name_records_a_finished_run_with_the_setup(store_path, tmp_path):
    model, optimizer, X, y = _setup()
    scheduler = mn.optim.StepLR(optimizer, step_size=1, gamma=0.5)
    history = mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, X_val=X[:8], y_val=y[:8],
                     epochs=2, batch_size=16, progress=False, rng=7, scheduler=scheduler,
                     run="lr-0.1")
    record, params, _, _, _ = _only_run(store_path)
    assert (record.name, record.status) == ("lr-0.1", "finished")
    assert params["model"] == repr(model)
    assert params["model.parameters"] == 4 * 8 + 8 + 8 * 3 + 3
    assert params["model.layers"] == ["Linear", "ReLU", "Linear"]
    assert (params["optimizer"], params["optimizer.lr"], params["optimizer.momentum"],
            params["optimizer.weight_decay"]) == ("SGD", 0.1, 0.9, 1e-4)
    assert (params["scheduler"], params["scheduler.step_size"], params["scheduler.gamma"]) == (
        "StepLR", 1, 0.5)
    assert (params["data.X"], params["data.y"], params["data.X_val"]) == ([48, 4], [48], [8, 4])
    assert (params["epochs"], params["batch_size"], params["shuffle"], params["seed"]) == (
        2, 16, True, 7)
    assert params["version.minnet"] == mn.__version__ and params["version.numpy"] == np.__version__
    assert params["backend"] == mn.get_backend() and "version.python" in params
    assert "git.commit" not in params  # tmp_path is not a repository
    assert len(history) == 2


def test_metrics_per_step_and_per_epoch_match_the_history(store_path):
    model, optimizer, X, y = _setup()
    history = mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, X_val=X[:8], y_val=y[:8],
                     epochs=3, batch_size=16, progress=False, rng=0, run="m",
                     scheduler=mn.optim.StepLR(optimizer, step_size=1, gamma=0.5))
    with RunStore(store_path) as store:
        (record,) = store.list_runs()

        def values(key):
            return [row.value for row in store.metrics(record.id, key)]

        losses = store.metrics(record.id, "loss")
        assert [row.step for row in losses] == list(range(9))
        assert [row.epoch for row in losses] == [0] * 3 + [1] * 3 + [2] * 3
        assert values("loss") == history.step_loss
        for key in ("train_loss", "train_acc", "val_loss", "val_acc", "epoch_time"):
            assert values(key) == history.history[key], key
        lr_rows = store.metrics(record.id, "lr")
        assert [(row.step, row.epoch, row.value) for row in lr_rows] == [
            (0, 0, 0.1), (3, 1, 0.05), (6, 2, 0.025)]
        assert [row.epoch for row in store.metrics(record.id, "val_loss")] == [0, 1, 2]
        (fit_time,) = values("fit_time")
        assert 0 < fit_time <= record.seconds


def test_same_seed_same_recorded_losses(store_path):
    _fit("a")
    _fit("b")
    with RunStore(store_path) as store:
        a, b = store.list_runs()
        assert [r.value for r in store.metrics(a.id, "loss")] == \
            [r.value for r in store.metrics(b.id, "loss")]


def test_checkpoints_and_doctor_findings_are_recorded(store_path, tmp_path):
    checkpoint = mn.ModelCheckpoint(str(tmp_path / "ckpt-{epoch}.npz"), monitor="train_loss",
                                    save_best_only=False)
    doctor = mn.DoctorCallback()
    _fit("high-lr", lr=50.0, callbacks=[checkpoint, doctor], epochs=2)
    _, _, _, artifacts, findings = _only_run(store_path)
    assert artifacts == [("checkpoint", str(tmp_path / f"ckpt-{epoch}.npz")) for epoch in (1, 2)]
    codes = [finding.code for finding in doctor.report().findings]
    assert codes and [finding["code"] for finding in findings] == codes


def test_a_checkpoint_written_once_is_recorded_once(store_path, tmp_path):
    checkpoint = mn.ModelCheckpoint(str(tmp_path / "best.npz"), monitor="train_loss",
                                    save_best_only=False)
    _fit("one-file", callbacks=[checkpoint], epochs=3)
    assert _only_run(store_path)[3] == [("checkpoint", str(tmp_path / "best.npz"))]


class _Explode(mn.Callback):
    def __init__(self, error):
        self.error = error

    def on_epoch_end(self, epoch, logs):
        raise self.error


def test_a_fit_that_raises_marks_its_run_failed(store_path):
    with pytest.raises(ValueError, match="boom"):
        _fit("bad", callbacks=[_Explode(ValueError("boom"))])
    record, _, metrics, _, _ = _only_run(store_path)
    assert (record.status, record.error) == ("failed", "ValueError: boom")
    assert len([row for row in metrics if row.key == "loss"]) == 3  # the steps before it


def test_ctrl_c_in_fit_marks_its_run_interrupted(store_path):
    with pytest.raises(KeyboardInterrupt):
        _fit("stopped", callbacks=[_Explode(KeyboardInterrupt())])
    assert _only_run(store_path)[0].status == "interrupted"


def test_a_run_object_is_started_and_finished_by_fit(store_path):
    run = mn.Run("object", params={"note": "mine"})
    _fit(run)
    record, params, _, _, _ = _only_run(store_path)
    assert run.status == record.status == "finished"
    assert params["note"] == "mine" and params["optimizer"] == "SGD"


def test_an_open_run_is_left_open_and_holds_several_fits(store_path):
    with mn.Run("two-fits") as run:
        _fit(run)
        assert run.status == "running"
        _fit(None)  # records into the current run
    record, _, metrics, _, _ = _only_run(store_path)
    assert record.status == "finished"
    assert len([row for row in metrics if row.key == "fit_time"]) == 2


def test_no_run_records_nothing(store_path):
    _fit(None)
    assert not store_path.exists()


def test_a_bad_run_argument_is_refused_before_training(store_path):
    with pytest.raises(ConfigError, match="run must be a run name .*got int"):
        _fit(3)
    run = mn.Run("done")
    with run:
        pass
    with pytest.raises(ConfigError, match=r"Run\('done'.*is already finished"):
        _fit(run)


def test_the_git_commit_of_the_working_folder_is_recorded(store_path, tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "train.py").write_text("# training\n")
    git("add", "train.py")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout.strip()
    _fit("in-repo")
    assert _only_run(store_path)[1]["git.commit"] == head
