"""Every benchmark script runs end to end (tiny settings; no timing is asserted).

A benchmark that breaks silently gives no numbers the day they are needed;
this runs each one for a round or two and checks that it prints its table.

The scripts are queued at the end of collection (``start_in_background``, called by
conftest.py) and run one at a time in a background thread, each in its own process:
they mostly pause between timed rounds or compile, on the core the single-threaded
test process leaves idle, so they run beside the other tests instead of adding half a
minute at the end. Each test waits for its script's result.
"""

import importlib
import os
import pathlib
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
# The scripts run from a temporary directory: PYTHONPATH points them at this checkout's
# minnet, the one the other tests import, not whichever copy is installed (another
# worktree's, with its own numba cache to fill).
ENVIRONMENT = {**os.environ, "PYTHONPATH": os.pathsep.join(
    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

QUEUE = ThreadPoolExecutor(max_workers=1)  # one script at a time: one spare core
RUNS = {}  # script name -> the future of its CompletedProcess


def run(script, arguments):
    with tempfile.TemporaryDirectory(prefix="minnet-bench-") as directory:
        return subprocess.run([sys.executable, str(BENCHMARKS / script), *arguments],
                              capture_output=True, text=True, cwd=directory, timeout=600,
                              env=ENVIRONMENT)


def start_in_background(item):
    """Queue the script of one selected test item (conftest.py, after collection)."""
    if "script" not in getattr(getattr(item, "callspec", None), "params", {}):
        return  # a test that runs no queued script
    script, arguments = item.callspec.params["script"], item.callspec.params["arguments"]
    RUNS[script] = QUEUE.submit(run, script, arguments)


def stop_background():
    """Drop the queued scripts whose tests did not run (an interrupted session)."""
    QUEUE.shutdown(wait=False, cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize("script, arguments, expected", [
    ("bench_models.py", ["--repeats", "1", "--steps", "1", "--threads", "1"], "LSTM"),
    ("bench_cnn_kernels.py", ["--repeats", "1", "--calls", "1"], "col2im"),
    ("bench_code_shapes.py", ["--repeats", "1", "--calls", "1"], "scatter-add"),
    ("bench_doctor.py", ["--repeats", "1", "--steps", "30"], "overhead"),
    ("bench_startup.py", ["--runs", "1", "--models", "mlp", "--top", "3"], "largest self times"),
    ("bench_gemm_ceiling.py", ["--batches", "8", "--rounds", "1", "--threads", "1"], "| 8 |"),
    ("bench_heap.py", ["--rounds", "1", "--steps", "1", "--threads", "1"],
     "| MINNET_KEEP_FREED_MEMORY=0 |"),
    ("mnist1d_table.py", ["--models", "logistic", "--steps", "40"], "| logistic |"),
])
def test_benchmark_script_runs(script, arguments, expected):
    queued = RUNS.pop(script, None)  # None when conftest.py's hook did not run
    result = queued.result() if queued is not None else run(script, arguments)
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in result.stdout, result.stdout[-2000:]


def import_benchmark(name):
    """A module of benchmarks/ (not a package: its folder joins sys.path for the import)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_mnist1d_table_knows_every_minnet_model():
    from minnet.mnist1d_models import BUILDERS

    assert import_benchmark("mnist1d_table").MODELS == tuple(BUILDERS)


@pytest.mark.parametrize("name", ["logistic", "mlp", "cnn", "gru"])
def test_the_pytorch_twins_compute_the_minnet_models(name):
    """With minnet's initial weights copied in, each PyTorch twin gives minnet's logits."""
    torch = pytest.importorskip("torch")  # the optional oracle; minnet itself is imported above
    from minnet import no_grad
    from minnet.mnist1d_models import BUILDERS

    twins = import_benchmark("mnist1d_torch")
    source = BUILDERS[name](rng=np.random.default_rng(0))
    model = twins.build(name, torch).double()
    twins.copy_parameters(source, model, torch)
    x = np.random.default_rng(1).standard_normal((5, 40))
    with no_grad():
        expected = source(x)
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-10, atol=1e-12)


def test_copying_into_a_different_architecture_is_an_error():
    torch = pytest.importorskip("torch")
    from minnet.mnist1d_models import BUILDERS

    twins = import_benchmark("mnist1d_torch")
    with pytest.raises(ValueError, match="parameters differ"):
        twins.copy_parameters(BUILDERS["mlp"](rng=0), twins.build("cnn", torch), torch)


@pytest.mark.parametrize("family, workspace", [("mlp", False), ("lstm", True)])
def test_minnet_memory_counts_gradients_and_workspaces(family, workspace):
    """bench_models' minnet memory adds the buffers kept between steps, as PyTorch's counts them."""
    bench = import_benchmark("bench_models")
    step = bench.minnet_step_fn(family, 4, "SGD", "numba")
    step()
    gradients = sum(parameter.grad.nbytes for parameter in step.model.parameters())
    kept = bench.kept_bytes(step.model)
    assert (kept > gradients) if workspace else (kept == gradients)
    assert bench.minnet_step_peak(step) > kept  # a step's activations come on top


@pytest.mark.slow
def test_the_mnist1d_table_adds_pytorch_when_installed():
    pytest.importorskip("torch")  # the optional oracle; minnet itself is imported above
    result = run("mnist1d_table.py", ["--models", "gru", "--steps", "20", "--threads", "1"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "torch time / minnet time" in result.stdout, result.stdout[-2000:]
    row = next(line for line in result.stdout.splitlines() if line.startswith("| gru |"))
    assert row.count("|") == 10 and row.rstrip(" |").endswith("x")  # accuracy, time, ratio
