"""minnet.testing: hypothesis strategies, tolerances, and what the package exports and imports."""

import inspect
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minnet.testing
from minnet.errors import ConfigError
from minnet.gradcheck import gradcheck
from minnet.layers.linear import Linear
from minnet.testing import (
    batch_shapes,
    finite_floats,
    float_arrays,
    float_dtypes,
    layer_sizes,
    logits_and_labels,
    seeds,
)
from minnet.testing.tolerances import (
    GRADCHECK_ATOL,
    GRADCHECK_EPS,
    GRADCHECK_RTOL,
    gradcheck_tolerances,
    parity_tolerances,
)


@given(float_arrays((3, 4), np.float64, -2.0, 3.0))
def test_float_arrays_are_bounded_and_finite(x):
    assert x.shape == (3, 4) and x.dtype == np.float64
    assert np.all(np.isfinite(x)) and x.min() >= -2.0 and x.max() <= 3.0


@given(float_arrays((6,), np.float32, -0.1, 0.1))
def test_float32_arrays_respect_bounds_that_float32_cannot_represent(x):
    assert x.dtype == np.float32
    assert np.all(x >= -0.1) and np.all(x <= 0.1)


@given(float_arrays(batch_shapes(min_batch=2, max_batch=5, feature_dims=2, max_side=3)))
def test_float_arrays_take_a_strategy_of_shapes(x):
    assert x.ndim == 3 and 2 <= x.shape[0] <= 5 and max(x.shape[1:]) <= 3


@given(finite_floats(-1.0, 1.0))
def test_finite_floats_exclude_subnormals(value):
    assert value == 0.0 or abs(value) >= np.finfo(np.float64).tiny


@given(batch_shapes(min_batch=3, max_batch=4, feature_dims=0), layer_sizes(2, 5), seeds(),
       float_dtypes())
def test_shapes_sizes_seeds_and_dtypes(shape, size, seed, dtype):
    assert len(shape) == 1 and 3 <= shape[0] <= 4
    assert 2 <= size <= 5
    assert 0 <= seed < 2**32
    assert dtype in (np.dtype(np.float32), np.dtype(np.float64))


@given(logits_and_labels(min_batch=1, max_batch=6, min_classes=2, max_classes=5,
                         dtype=np.float32, max_abs=15.0))
def test_logits_and_labels_agree(pair):
    logits, labels = pair
    assert logits.ndim == 2 and labels.shape == (logits.shape[0],)
    assert logits.dtype == np.float32 and labels.dtype == np.int64
    assert 2 <= logits.shape[1] <= 5 and np.all(np.abs(logits) <= 15.0)
    assert np.all((labels >= 0) & (labels < logits.shape[1]))


@settings(max_examples=15)
@given(st.data(), layer_sizes(1, 4), layer_sizes(1, 4))
def test_strategies_drive_a_gradient_check(data, in_features, out_features):
    x = data.draw(float_arrays((data.draw(st.integers(1, 4)), in_features), min_value=-3.0,
                               max_value=3.0))
    assert gradcheck(Linear(in_features, out_features, rng=data.draw(seeds())), x)


@pytest.mark.parametrize("call", [
    lambda: float_arrays((2,), np.int64),
    lambda: float_arrays((2,), np.float16),
    lambda: finite_floats(1.0, -1.0),
])
def test_strategies_refuse_bad_arguments(call):
    with pytest.raises(ConfigError):
        call()


def test_package_exports_everything_it_lists():
    missing = [name for name in minnet.testing.__all__ if not hasattr(minnet.testing, name)]
    assert missing == []
    assert set(minnet.testing.STRATEGIES) <= set(dir(minnet.testing))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        minnet.testing.nonexistent  # noqa: B018


def test_import_minnet_testing_loads_neither_matplotlib_nor_hypothesis():
    code = ("import sys, minnet.testing; "
            "before = sorted(m for m in ('matplotlib', 'hypothesis') if m in sys.modules); "
            "minnet.testing.float_arrays; "
            "print(before, 'hypothesis' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[] True"


# --- tolerances -----------------------------------------------------------------


def test_gradcheck_defaults_are_the_float64_tolerances():
    defaults = inspect.signature(gradcheck).parameters
    float64 = np.dtype(np.float64)
    assert defaults["eps"].default == GRADCHECK_EPS[float64]
    assert defaults["atol"].default == GRADCHECK_ATOL[float64]
    assert defaults["rtol"].default == GRADCHECK_RTOL[float64]
    assert gradcheck_tolerances() == {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-4}


@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype(np.float32)])
def test_tolerances_accept_any_spelling_of_a_dtype(dtype):
    assert parity_tolerances(dtype) == parity_tolerances(np.float32)


def test_float32_tolerances_are_looser_than_float64():
    for lookup in (gradcheck_tolerances, parity_tolerances):
        low, high = lookup(np.float64), lookup(np.float32)
        assert all(low[key] < high[key] for key in low)


@pytest.mark.parametrize("dtype", [np.int64, np.float16, "nonsense", None])
def test_tolerances_refuse_other_dtypes(dtype):
    with pytest.raises(ConfigError, match="float32 or float64"):
        gradcheck_tolerances(dtype)


def test_parity_tolerance_separates_float32_from_float64_round_off(rng):
    a = rng.standard_normal((64, 64))
    b = rng.standard_normal((64, 64))
    exact = a @ b
    float32 = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float64)
    np.testing.assert_allclose(float32, exact, **parity_tolerances(np.float32))
    assert not np.allclose(float32, exact, **parity_tolerances(np.float64))
    np.testing.assert_allclose(a @ b.copy(order="F"), exact, **parity_tolerances(np.float64))
