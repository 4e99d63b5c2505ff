"""Backend choice, lazy compilation, and the scatter-add kernel as the parity-test pattern."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.errors import ConfigError
from minnet.kernels import Kernel, get_backend, set_backend, use_backend
from minnet.kernels.embedding import scatter_add_rows


def run_python(code, **env):
    import os

    environment = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environment)


def test_numba_is_the_default_backend():
    result = run_python("import minnet.kernels as k; print(k.get_backend())",
                        MINNET_BACKEND="")
    assert result.stdout.strip() == "numba"


def test_environment_variable_chooses_the_backend():
    result = run_python("import minnet.kernels as k; print(k.get_backend())",
                        MINNET_BACKEND="numpy")
    assert result.stdout.strip() == "numpy"


def test_bad_environment_variable_is_a_clear_error_at_first_use():
    result = run_python("import minnet.kernels as k; k.get_backend()", MINNET_BACKEND="cuda")
    assert "ConfigError: MINNET_BACKEND: expected one of ['numba', 'numpy'], got 'cuda'" \
        in result.stderr


def test_set_backend_validates_and_use_backend_restores():
    before = get_backend()
    with pytest.raises(ConfigError, match="set_backend: expected one of"):
        set_backend("jax")
    with use_backend("numpy"):
        assert get_backend() == "numpy"
    assert get_backend() == before


def test_a_kernel_does_not_compile_until_called_on_the_numba_backend():
    result = run_python(
        "import sys, numpy as np, minnet\n"
        "from minnet.kernels.embedding import scatter_add_rows\n"
        "minnet.set_backend('numpy')\n"
        "scatter_add_rows(np.zeros((3, 2)), np.array([0, 0]), np.ones((2, 2)))\n"
        "print('numba' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_kernel_dispatches_on_the_backend():
    calls = []
    kernel = Kernel(lambda: calls.append("numpy"), "embedding_numba", "scatter_add_rows")
    with use_backend("numpy"):
        kernel()
    assert calls == ["numpy"]
    assert "scatter_add_rows" in repr(kernel)


@given(vocabulary=st.integers(1, 12), rows=st.integers(0, 40), width=st.integers(1, 6),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16),
       strided=st.booleans())
def test_scatter_add_matches_reference(vocabulary, rows, width, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, vocabulary, size=rows)
    values = rng.standard_normal((rows, 2 * width)).astype(dtype)
    values = values[:, ::2] if strided else values[:, :width]  # non-contiguous when strided
    expected = rng.standard_normal((vocabulary, width)).astype(dtype)
    actual = expected.copy()
    scatter_add_rows.reference(expected, indices, values)
    scatter_add_rows.compiled(actual, indices, values)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def test_scatter_add_sums_repeated_indices():
    target = np.zeros((3, 2))
    scatter_add_rows.compiled(target, np.array([2, 2, 0]), np.array([[1.0, 2], [3, 4], [5, 6]]))
    np.testing.assert_array_equal(target, [[5, 6], [0, 0], [4, 6]])
