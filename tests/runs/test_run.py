"""Run: the context manager's statuses, buffering, current_run, and a killed process."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import minnet as mn
from minnet.diagnostics.report.finding import Finding, Report
from minnet.runs import run as run_module
from minnet.runs.run import Run, current_run
from minnet.runs.store import RunStore


@pytest.fixture
def path(tmp_path):
    return tmp_path / "runs.sqlite"


def _record(path, run_id):
    with RunStore(path) as store:
        return store.get_run(run_id)


def test_run_is_exported_at_the_top_level():
    assert mn.Run is Run


def test_a_block_that_ends_finishes_the_run(path):
    with Run("ok", params={"lr": 0.1}, store=path) as run:
        assert current_run() is run and run.status == "running"
        run.log_params({"seed": 3})
        for step in range(3):
            run.log_metric("loss", 1.0 / (step + 1), step=step)
        run.log_metrics({"val_loss": 0.5, "val_acc": 0.8}, epoch=0)
    assert current_run() is None and run.status == "finished"
    with RunStore(path) as store:
        assert store.get_run(run.id).status == "finished"
        assert store.params(run.id) == {"lr": 0.1, "seed": 3}
        assert [(r.step, r.value) for r in store.metrics(run.id, "loss")] == [
            (0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
        assert store.final_metrics(run.id) == {"loss": pytest.approx(1 / 3), "val_acc": 0.8,
                                               "val_loss": 0.5}


def test_a_failing_block_is_failed_with_the_error_and_reraises(path):
    with pytest.raises(ValueError, match="bad batch"):
        with Run("broken", store=path) as run:
            run.log_metric("loss", 1.0, step=0)
            raise ValueError("bad batch")
    record = _record(path, run.id)
    assert (record.status, record.error) == ("failed", "ValueError: bad batch")
    with RunStore(path) as store:  # what was buffered before the error is kept
        assert [r.value for r in store.metrics(run.id)] == [1.0]


def test_ctrl_c_marks_the_run_interrupted(path):
    with pytest.raises(KeyboardInterrupt):
        with Run("stopped", store=path) as run:
            raise KeyboardInterrupt
    assert _record(path, run.id).status == "interrupted"
    assert current_run() is None


def test_metrics_are_buffered_until_a_second_has_passed(path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(run_module.time, "monotonic", lambda: clock[0])
    with Run("buffered", store=path) as run, RunStore(path) as reader:
        run.log_metric("loss", 1.0, step=0)
        assert reader.metrics(run.id) == []  # still in the buffer
        clock[0] += run_module.FLUSH_SECONDS
        run.log_metric("loss", 0.5, step=1)
        assert [r.value for r in reader.metrics(run.id)] == [1.0, 0.5]
        run.log_metric("loss", 0.25, step=2)
        run.flush()
        assert len(reader.metrics(run.id)) == 3


def test_findings_and_checkpoints(path, tmp_path):
    finding = Finding("lr-too-high", "error", "optimizer", {"lr": 10.0}, "too high", "lower it")
    with Run("doctor", store=path) as run:
        run.log_findings(Report([finding]))
        run.log_findings([finding])
        run.log_checkpoint(tmp_path / "best.npz")
    with RunStore(path) as store:
        assert [f["code"] for f in store.findings(run.id)] == ["lr-too-high"] * 2
        assert store.artifacts(run.id) == [("checkpoint", str(tmp_path / "best.npz"))]


def test_a_closed_or_unstarted_run_refuses_to_record(path):
    run = Run("late", store=path)
    with pytest.raises(RuntimeError, match=r"Run 'late'.log_metric: the run is not started"):
        run.log_metric("loss", 1.0)
    with run:
        pass
    with pytest.raises(RuntimeError, match="the run is already finished"):
        run.log_params({"lr": 1})
    with pytest.raises(RuntimeError, match="was already started"):
        run.start()
    run.finish("failed")  # closing twice does nothing
    assert _record(path, run.id).status == "finished"


def test_a_store_given_by_the_caller_stays_open(path):
    with RunStore(path) as store:
        with Run("shared", store=store) as run:
            pass
        assert store.get_run(run.id).status == "finished"  # still usable


def test_runs_nest_and_the_innermost_is_current(path):
    with Run("outer", store=path) as outer:
        with Run("inner", store=path) as inner:
            assert current_run() is inner
        assert current_run() is outer


_KILLED = textwrap.dedent("""
    import sys, time
    from minnet.runs.run import Run

    run = Run("doomed", store=sys.argv[1]).start()
    for step in range(500):
        run.log_metric("loss", float(step), step=step)
    run.flush()
    print(run.id, flush=True)
    time.sleep(60)
""")


def test_a_killed_process_leaves_a_readable_unfinished_run(path):
    process = subprocess.Popen([sys.executable, "-c", _KILLED, str(path)],
                               stdout=subprocess.PIPE, text=True)
    try:
        run_id = int(process.stdout.readline())
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    with RunStore(path) as store:
        record = store.get_run(run_id)
        assert (record.status, record.state, record.seconds) == ("running", "unfinished", None)
        assert [row.step for row in store.metrics(run_id)] == list(range(500))
