"""mn.sweep on the serial and joblib backends: every trial a run in the store, the same
results in processes as in this process, failed trials recorded, and the result's views."""

import os

import pytest
import sweep_trials

import minnet as mn
from minnet.errors import ConfigError
from minnet.runs import RunStore
from minnet.sweeps import SweepResult, trial_key

GRID = {"lr": [1e-3, 1e-2, 1e-1]}
SEEDS = (0, 1)


def summary_of(result):
    """Each trial's (params, seed, status, metrics): what must not depend on the backend."""
    return [(trial.params, trial.seed, trial.status, trial.metrics) for trial in result.trials]


@pytest.fixture
def store_path(tmp_path):
    return str(tmp_path / "runs.sqlite")


@pytest.fixture(scope="module")
def serial_result(tmp_path_factory):
    path = tmp_path_factory.mktemp("serial") / "runs.sqlite"
    return mn.sweep(sweep_trials.quadratic, GRID, seeds=SEEDS, backend="serial", store=path)


def test_every_trial_is_a_run_in_the_store_with_its_params_and_metrics(serial_result):
    assert isinstance(serial_result, SweepResult) and len(serial_result.trials) == 6
    with RunStore(serial_result.store) as store:
        runs = store.list_runs(sweep=serial_result.sweep)
        assert len(runs) == 6 and {run.status for run in runs} == {"finished"}
        assert {run.trial for run in runs} == {trial_key({"lr": lr}, seed)
                                               for lr in GRID["lr"] for seed in SEEDS}
        for trial in serial_result.trials:
            assert store.get_run(trial.run_id).sweep == serial_result.sweep
            assert store.get_run(trial.run_id).name == "quadratic"
            assert store.params(trial.run_id) == {**trial.params, "seed": trial.seed}
            final = store.final_metrics(trial.run_id)
            assert final["loss"] == trial.metrics["loss"]
            assert final["accuracy"] == trial.metrics["accuracy"]
            # what the trial logged into current_run() while it ran is there too
            assert [row.step for row in store.metrics(trial.run_id, "step_loss")] == [0, 1, 2]


def test_a_setting_is_the_same_for_the_same_seed_and_differs_between_seeds(serial_result):
    loss = {(t.params["lr"], t.seed): t.metrics["loss"] for t in serial_result.trials}
    assert loss[(1e-3, 0)] != loss[(1e-3, 1)]
    again = mn.sweep(sweep_trials.quadratic, {"lr": [1e-3]}, seeds=(1,), backend="serial",
                     store=serial_result.store)
    assert again.trials[0].metrics["loss"] == loss[(1e-3, 1)]
    assert again.sweep != serial_result.sweep  # a new sweep id per sweep


def test_joblib_processes_give_the_serial_results(serial_result, store_path):
    result = mn.sweep(sweep_trials.quadratic, GRID, seeds=SEEDS, n_jobs=2, backend="joblib",
                      store=store_path)
    assert summary_of(result) == summary_of(serial_result)
    with RunStore(store_path) as store:
        runs = store.list_runs(sweep=result.sweep)
        assert len(runs) == 6 and {run.status for run in runs} == {"finished"}
        assert os.getpid() not in {run.pid for run in runs}  # they ran in worker processes


def test_a_joblib_worker_killed_mid_sweep_loses_no_trial_and_duplicates_none(tmp_path,
                                                                            store_path):
    marker = str(tmp_path / "died")
    result = mn.sweep(sweep_trials.dies_once, {"x": [1, 2, 3], "marker": [marker]},
                      seeds=(0, 1), n_jobs=2, backend="joblib", store=store_path)
    assert os.path.exists(marker)  # a worker did die
    assert [(t.params["x"], t.seed, t.status, t.metrics["metric"]) for t in result.trials] == [
        (x, seed, "finished", x * 10.0 + seed) for x in (1, 2, 3) for seed in (0, 1)]
    with RunStore(store_path) as store:
        runs = store.list_runs(sweep=result.sweep)
        assert len(runs) == 6 and {run.status for run in runs} == {"finished"}
        assert len({run.trial for run in runs}) == 6  # one run per trial, none twice


def test_a_task_that_kills_every_worker_fails_the_joblib_run_after_the_retries(tmp_path):
    from minnet.sweeps.backends import RETRIES, run_tasks

    # tasks 0 and 2 may be lost with the pool that task 1 broke, even on the last attempt
    with pytest.raises(ConfigError,
                       match=f"died {RETRIES + 1} times; tasks \\[(0, )?1(, 2)?\\] never"):
        run_tasks(sweep_trials.kills_its_process, [False, True, False], backend="joblib",
                  n_jobs=2)


def test_a_failing_trial_is_a_failed_run_and_the_sweep_goes_on(store_path):
    result = mn.sweep(sweep_trials.fails_for_large_lr, GRID, seeds=SEEDS, n_jobs=2,
                      store=store_path)
    statuses = {(t.params["lr"], t.seed): t.status for t in result.trials}
    assert statuses == {(1e-3, 0): "finished", (1e-3, 1): "finished", (1e-2, 0): "finished",
                        (1e-2, 1): "finished", (1e-1, 0): "failed", (1e-1, 1): "failed"}
    assert [t.params["lr"] for t in result.failed] == [0.1, 0.1]
    failed = result.failed[0]
    assert failed.error == "FloatingPointError: loss diverged at lr=0.1" and failed.metrics == {}
    with RunStore(store_path) as store:
        record = store.get_run(failed.run_id)
        assert record.status == "failed" and "loss diverged at lr=0.1" in record.error
    assert "failed: FloatingPointError: loss diverged at lr=0.1" in result.table()
    summary = result.summary("loss")
    assert [(s.params["lr"], s.n, s.trials) for s in summary] == [(1e-3, 2, 2), (1e-2, 2, 2),
                                                                   (1e-1, 0, 2)]
    assert str(summary).splitlines()[-1].split() == ["0.1", "0/2", "-", "-", "-", "-"]


def test_a_plain_number_is_the_metric_named_metric(store_path):
    result = mn.sweep(sweep_trials.one_number, {"x": [1, 2]}, seeds=(0, 3), backend="serial",
                      store=store_path)
    assert [t.metrics for t in result.trials] == [{"metric": 10.0}, {"metric": 13.0},
                                                  {"metric": 20.0}, {"metric": 23.0}]


def test_a_return_value_that_is_no_metrics_fails_the_trial_with_a_clear_error(store_path):
    result = mn.sweep(sweep_trials.bad_return, {"x": [1]}, backend="serial", store=store_path)
    (trial,) = result.trials
    assert trial.status == "failed"
    assert "must return its final metrics as a dict {name: number} or a number, got 'done'" \
        in trial.error


def test_a_run_store_object_and_a_name_are_taken(store_path):
    with RunStore(store_path) as store:
        result = mn.sweep(sweep_trials.one_number, {"x": [1]}, backend="serial", store=store,
                          name="tiny")
        assert result.store == os.path.abspath(store_path)
        assert result.sweep.startswith("tiny-")
        assert store.get_run(result.trials[0].run_id).name == "tiny"


@pytest.mark.parametrize("kwargs, message", [
    ({"backend": "threads"}, "backend must be one of serial, joblib, dask, got 'threads'"),
    ({"backend": "dask"}, "backend='dask' needs scheduler="),
    ({"scheduler": "local"}, "scheduler='local' is for backend='dask'"),
])
def test_a_bad_backend_is_named_before_anything_runs(kwargs, message, store_path):
    with pytest.raises(ConfigError, match=message):
        mn.sweep(sweep_trials.one_number, {"x": [1]}, store=store_path, **kwargs)
    assert not os.path.exists(store_path)


def test_train_fn_must_be_callable(store_path):
    with pytest.raises(ConfigError, match="train_fn must be a function"):
        mn.sweep("train.py", {"x": [1]}, store=store_path)


def test_the_table_has_a_row_per_trial_and_the_summary_mean_and_spread(serial_result):
    lines = serial_result.table().splitlines()
    assert lines[0].split() == ["lr", "seed", "run", "status", "loss", "accuracy"]
    assert len(lines) == 7 and all("finished" in line for line in lines[1:])
    summary = serial_result.summary("loss")
    by_lr = {s.params["lr"]: s for s in summary}
    losses = [t.metrics["loss"] for t in serial_result.trials if t.params["lr"] == 1e-2]
    assert by_lr[1e-2].mean == pytest.approx(sum(losses) / 2)
    assert by_lr[1e-2].std == pytest.approx(abs(losses[0] - losses[1]) / 2)
    assert (by_lr[1e-2].low, by_lr[1e-2].high) == (min(losses), max(losses))
    assert str(summary).splitlines()[0].split() == ["lr", "seeds", "mean", "loss", "std", "min",
                                                    "max"]
    with pytest.raises(ConfigError, match="no trial returned a metric 'los'; the metrics are "
                                          "loss, accuracy"):
        serial_result.summary("los")


def test_a_function_from_a_file_travels_as_its_path_to_worker_processes(tmp_path, store_path):
    import pickle

    from minnet.sweeps import FileFunction

    (tmp_path / "helper_value.py").write_text("OFFSET = 0.5\n")
    (tmp_path / "my_train.py").write_text(
        "from helper_value import OFFSET\n\n"
        "def train(params, seed):\n    return params['x'] + seed + OFFSET\n")
    train = FileFunction(tmp_path / "my_train.py", "train")
    assert pickle.loads(pickle.dumps(train)).__getstate__() == {
        "path": str(tmp_path / "my_train.py"), "name": "train"}
    result = mn.sweep(train, {"x": [1, 2]}, seeds=(0, 1), n_jobs=2, store=store_path)
    assert [t.metrics["metric"] for t in result.trials] == [1.5, 2.5, 2.5, 3.5]
    with pytest.raises(ConfigError, match="my_train.py defines no fit\\(\\) function"):
        FileFunction(tmp_path / "my_train.py", "fit").load()
