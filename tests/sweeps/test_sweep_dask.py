"""mn.sweep on Dask: a LocalCluster of 2 worker processes gives the joblib backend's results,
and a worker killed mid-sweep loses no trial and duplicates none."""

import os
import signal
import threading
import time

import pytest
import sweep_trials
from distributed import Client, LocalCluster

import minnet as mn
from minnet.runs import RunStore

GRID = {"lr": [1e-3, 1e-2, 1e-1]}
SEEDS = (0, 1)


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes (with nannies, which restart a killed worker)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as local:
        yield local


def outcome(result):
    return [(trial.params, trial.seed, trial.status, trial.metrics) for trial in result.trials]


def test_a_local_cluster_gives_the_joblib_results(cluster, tmp_path):
    on_joblib = mn.sweep(sweep_trials.quadratic, GRID, seeds=SEEDS, n_jobs=2, backend="joblib",
                         store=tmp_path / "joblib.sqlite")
    on_dask = mn.sweep(sweep_trials.quadratic, GRID, seeds=SEEDS, backend="dask",
                       scheduler=cluster.scheduler_address, store=tmp_path / "dask.sqlite")
    assert outcome(on_dask) == outcome(on_joblib)
    with RunStore(on_dask.store) as store:
        runs = store.list_runs(sweep=on_dask.sweep)
    assert len(runs) == 6 and {run.status for run in runs} == {"finished"}
    with Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    assert {run.pid for run in runs} <= worker_pids  # the trials ran on the cluster's workers


def test_a_client_object_is_used_and_left_open(cluster, tmp_path):
    with Client(cluster) as client:
        result = mn.sweep(sweep_trials.one_number, {"x": [1, 2]}, backend="dask",
                          scheduler=client, store=tmp_path / "runs.sqlite")
        assert [t.metrics["metric"] for t in result.trials] == [10.0, 20.0]
        assert client.status == "running"


def kill_a_worker_mid_trial(path, killed, give_up_after=30.0):
    """SIGKILL the worker process of the first trial seen running in the store at ``path``."""
    deadline = time.monotonic() + give_up_after
    with RunStore(path) as store:
        while time.monotonic() < deadline:
            running = [run for run in store.list_runs() if run.status == "running"]
            if running and running[0].pid != os.getpid():
                os.kill(running[0].pid, signal.SIGKILL)
                killed.append(running[0])
                return
            time.sleep(0.02)


def test_a_worker_killed_mid_sweep_loses_no_trial_and_duplicates_none(cluster, tmp_path):
    path = str(tmp_path / "runs.sqlite")
    RunStore(path).close()
    killed = []
    killer = threading.Thread(target=kill_a_worker_mid_trial, args=(path, killed))
    killer.start()
    try:
        result = mn.sweep(sweep_trials.sleepy, {"i": list(range(6)), "sleep": [0.5]},
                          seeds=(0,), backend="dask", scheduler=cluster.scheduler_address,
                          store=path)
    finally:
        killer.join()
    assert len(killed) == 1, "no trial was seen running: the worker was not killed"
    victim = killed[0]
    # every trial came back, once, finished, with its own value
    assert [(t.params["i"], t.status, t.metrics) for t in result.trials] == \
        [(i, "finished", {"value": i * 100.0}) for i in range(6)]
    with RunStore(path) as store:
        runs = store.list_runs(sweep=result.sweep)
        assert len(runs) == 6 and {run.status for run in runs} == {"finished"}
        assert len({run.trial for run in runs}) == 6
        assert sorted(run.id for run in runs) == sorted(t.run_id for t in result.trials)
        # the killed trial was run again elsewhere, and its half-done row replaced
        assert victim.id not in {run.id for run in runs}
        (rerun,) = [run for run in runs if run.trial == victim.trial]
        assert rerun.pid != victim.pid
        assert [row.value for row in store.metrics(rerun.id, "started")] == [1.0]


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch, tmp_path):
    from minnet.errors import ConfigError
    from minnet.sweeps import backends

    monkeypatch.setattr(backends, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at "
                                          "'tcp://127.0.0.1:9'"):
        mn.sweep(sweep_trials.one_number, {"x": [1]}, backend="dask",
                 scheduler="tcp://127.0.0.1:9", store=tmp_path / "runs.sqlite")
