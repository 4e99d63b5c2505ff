"""Every benchmark script runs end to end (tiny settings; no timing is asserted).

A benchmark that breaks silently gives no numbers the day they are needed;
this runs each one for a round or two and checks that it prints its table.

The scripts start at the end of collection (``start_in_background``, called by
conftest.py), each in its own process: they mostly pause between timed rounds or
compile on a core the single-threaded test process leaves idle, so they run beside
the other tests instead of adding half a minute at the end. Each test waits for its
script's result.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
# The scripts run from a temporary directory: PYTHONPATH points them at this checkout's
# minnet, the one the other tests import, not whichever copy is installed (another
# worktree's, with its own numba cache to fill).
ENVIRONMENT = {**os.environ, "PYTHONPATH": os.pathsep.join(
    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

RUNNING = {}  # script name -> (its process, its working directory), until its test reads it


def start(script, arguments):
    directory = tempfile.mkdtemp(prefix="minnet-bench-")
    process = subprocess.Popen([sys.executable, str(BENCHMARKS / script), *arguments],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=directory, env=ENVIRONMENT)
    RUNNING[script] = process, directory


def start_in_background(item):
    """Start the script of one selected test item (conftest.py, after collection)."""
    start(item.callspec.params["script"], item.callspec.params["arguments"])


def stop_background():
    """Kill the scripts whose tests did not run (an interrupted session)."""
    for process, directory in RUNNING.values():
        process.kill()
        process.wait()
        shutil.rmtree(directory, ignore_errors=True)
    RUNNING.clear()


@pytest.mark.slow
@pytest.mark.parametrize("script, arguments, expected", [
    ("bench_models.py", ["--repeats", "1", "--steps", "1", "--threads", "1"], "LSTM"),
    ("bench_cnn_kernels.py", ["--repeats", "1", "--calls", "1"], "col2im"),
    ("bench_doctor.py", ["--repeats", "1", "--steps", "30"], "overhead"),
    ("mnist1d_table.py", ["--models", "logistic", "--steps", "40"], "| logistic |"),
])
def test_benchmark_script_runs(script, arguments, expected):
    if script not in RUNNING:  # not started at collection (a plugin-less run): start it now
        start(script, arguments)
    process, directory = RUNNING.pop(script)
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:
        process.kill()
        shutil.rmtree(directory, ignore_errors=True)
    assert process.returncode == 0, stderr[-2000:]
    assert expected in stdout, stdout[-2000:]
