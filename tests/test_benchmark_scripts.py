"""Every benchmark script runs end to end (tiny settings; no timing is asserted).

A benchmark that breaks silently gives no numbers the day they are needed;
this runs each one for a round or two and checks that it prints its table.
"""

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize("script, arguments, expected", [
    ("bench_models.py", ["--repeats", "1", "--steps", "1", "--threads", "1"], "LSTM"),
    ("bench_cnn_kernels.py", ["--repeats", "1", "--calls", "1"], "col2im"),
    ("bench_code_shapes.py", ["--repeats", "1", "--calls", "1"], "scatter-add"),
    ("bench_doctor.py", ["--repeats", "1", "--steps", "30"], "overhead"),
    ("mnist1d_table.py", ["--models", "logistic", "--steps", "40"], "| logistic |"),
])
def test_benchmark_script_runs(script, arguments, expected, tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), *arguments],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in result.stdout, result.stdout[-2000:]
