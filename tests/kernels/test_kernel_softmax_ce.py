"""Fused softmax cross-entropy: the numba twin against the NumPy reference, and both
against the definition (label smoothing, extreme logits, NaN, gradients)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.errors import DataError
from minnet.functional import losses as F
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import use_backend
from minnet.kernels.softmax_ce import softmax_cross_entropy

TWINS = {"reference": softmax_cross_entropy.reference, "compiled": softmax_cross_entropy.compiled}


def definition(logits, target, smoothing):
    """Loss and per-sample gradient from the definition, one row at a time, with math."""
    total = 0.0
    delta = np.zeros_like(logits, dtype=np.float64)
    for n, (row, label) in enumerate(zip(logits.tolist(), target.tolist(), strict=True)):
        top = max(row)
        log_norm = top + math.log(sum(math.exp(value - top) for value in row))
        for c, value in enumerate(row):
            q = (1 - smoothing) * (c == label) + smoothing / len(row)
            total -= q * (value - log_norm)
            delta[n, c] = math.exp(value - log_norm) - q
    return total / len(logits), delta


def run(twin, logits, target, smoothing):
    delta = np.full(logits.shape, np.nan, dtype=logits.dtype)  # every entry must be written
    loss = TWINS[twin](logits, target, smoothing, delta)
    return loss, delta


@given(rows=st.integers(1, 12), classes=st.integers(1, 9), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]), strided=st.booleans(),
       scale=st.sampled_from([0.1, 3.0, 40.0]),
       smoothing=st.sampled_from([0.0, 0.1, 0.37, 1.0]))
def test_compiled_matches_reference(rows, classes, seed, dtype, strided, scale, smoothing):
    rng = np.random.default_rng(seed)
    wide = (scale * rng.standard_normal((rows, 2 * classes))).astype(dtype)
    logits = wide[:, ::2] if strided else wide[:, :classes]  # non-contiguous when strided
    target = rng.integers(0, classes, size=rows)
    expected_loss, expected_delta = run("reference", logits, target, smoothing)
    loss, delta = run("compiled", logits, target, smoothing)
    assert delta.dtype == dtype
    tolerance = 2e-5 if dtype == np.float32 else 1e-12
    assert loss == pytest.approx(expected_loss, rel=tolerance, abs=tolerance)
    np.testing.assert_allclose(delta, expected_delta, rtol=tolerance, atol=tolerance)


@given(logits=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                         elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False,
                                            allow_subnormal=False)),
       smoothing=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_both_twins_equal_the_definition(logits, smoothing, seed):
    target = np.random.default_rng(seed).integers(0, logits.shape[1], size=len(logits))
    expected_loss, expected_delta = definition(logits, target, smoothing)
    for twin in TWINS:
        loss, delta = run(twin, logits, target, smoothing)
        assert loss == pytest.approx(expected_loss, rel=1e-10, abs=1e-10), twin
        np.testing.assert_allclose(delta, expected_delta, rtol=1e-10, atol=1e-12, err_msg=twin)


@pytest.mark.parametrize("twin", list(TWINS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite_and_exact(twin, dtype):
    logits = np.array([[1e4, -1e4], [1e4, -1e4], [-1e4, -1e4]], dtype=dtype)
    loss, delta = run(twin, logits, np.array([0, 1, 0]), 0.0)
    # rows: certain and right (0), certain and wrong (2e4), a tie (log 2)
    assert loss == pytest.approx((0 + 2e4 + math.log(2)) / 3, rel=1e-6)
    np.testing.assert_allclose(delta, [[0, 0], [1, -1], [-0.5, 0.5]], atol=1e-6)
    loss, delta = run(twin, logits, np.array([0, 1, 0]), 0.2)
    assert np.isfinite(loss) and np.all(np.isfinite(delta))


@pytest.mark.parametrize("twin", list(TWINS))
def test_nan_logits_give_a_nan_loss(twin):
    logits = np.array([[0.0, np.nan, 1.0], [0.0, 1.0, 2.0]])
    loss, delta = run(twin, logits, np.array([0, 2]), 0.1)
    assert math.isnan(loss)
    assert np.all(np.isnan(delta[0])) and np.all(np.isfinite(delta[1]))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_functional_pair_gradient_on_both_backends(backend, smoothing, rng):
    logits = rng.standard_normal((5, 4)) * 2
    target = rng.integers(0, 4, size=5)
    grad_out = float(rng.standard_normal())
    with use_backend(backend):
        before = logits.copy()
        loss, cache = F.cross_entropy_forward(logits, target, smoothing)
        np.testing.assert_array_equal(logits, before)  # pure: the input is untouched
        analytic = F.cross_entropy_backward(grad_out, cache)
        numeric = numerical_gradient(
            lambda z: F.cross_entropy_forward(z, target, smoothing)[0], logits.copy())
    assert rel_error(analytic, grad_out * numeric) < 1e-6
    assert loss == pytest.approx(definition(logits, target, smoothing)[0], rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backends_agree_through_the_functional_pair(dtype, rng):
    logits = (rng.standard_normal((7, 10)) * 5).astype(dtype)
    target = rng.integers(0, 10, size=7)
    results = {}
    for backend in ("numba", "numpy"):
        with use_backend(backend):
            loss, cache = F.cross_entropy_forward(logits[:, ::-1], target, 0.1)
            results[backend] = loss, F.cross_entropy_backward(0.5, cache)
    assert results["numba"][1].dtype == dtype
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    assert results["numba"][0] == pytest.approx(results["numpy"][0], rel=tolerance)
    np.testing.assert_allclose(results["numba"][1], results["numpy"][1], atol=tolerance)


def test_wide_rows_run_the_reference_on_both_backends(rng):
    logits = rng.standard_normal((3, F.WIDE_ROWS + 1)).astype(np.float32)
    target = np.array([0, F.WIDE_ROWS, 5])
    results = []
    for backend in ("numba", "numpy"):
        with use_backend(backend):
            loss, cache = F.cross_entropy_forward(logits, target, 0.1)
            results.append((loss, F.cross_entropy_backward(1.0, cache)))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("bad", [[0, 3], [-1, 0]])
def test_functional_refuses_labels_out_of_range_before_the_kernel(backend, bad):
    with use_backend(backend), pytest.raises(DataError, match=r"labels in \[0, 3\)"):
        F.cross_entropy_forward(np.zeros((2, 3)), np.array(bad))


# --- which path the functional takes -------------------------------------------------

COMMON = {"label_smoothing": 0.1}
GENERAL = [{"weight": np.ones(4)}, {"reduction": "none"}, {"ignore_index": 2},
           {"target": "probabilities"}, {"logits_shape": (3, 4, 2)}]


class Spy:
    """Counts the calls of the fused kernel that the functional looks up."""

    def __init__(self, kernel):
        self.kernel, self.calls = kernel, 0

    def __call__(self, *args):
        self.calls += 1
        return self.kernel(*args)

    @property
    def reference(self):
        return self.kernel.reference


def run_functional(options, rng):
    options = dict(options)
    shape = options.pop("logits_shape", (3, 4))
    logits = rng.standard_normal(shape)
    if options.pop("target", None):
        target = np.full(shape, 0.25)
    else:
        target = np.array([0, 2, 3]).reshape(shape[:1] + (1,) * (len(shape) - 2))
        target = np.broadcast_to(target, shape[:1] + shape[2:]).copy()
    loss, cache = F.cross_entropy_forward(logits, target, **options)
    return loss, F.cross_entropy_backward(np.ones(np.shape(loss)) if np.ndim(loss) else 1.0,
                                          cache)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_the_common_case_runs_the_fused_kernel_and_the_rest_does_not(backend, rng, monkeypatch):
    from minnet.functional.losses import cross_entropy as module
    spy = Spy(module.softmax_cross_entropy)
    monkeypatch.setattr(module, "softmax_cross_entropy", spy)
    with use_backend(backend):
        for reduction in ("mean", "sum"):
            run_functional({**COMMON, "reduction": reduction}, rng)
        assert spy.calls == 2
        for options in GENERAL:
            run_functional(options, rng)
        assert spy.calls == 2


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_the_fused_kernel_equals_the_general_numpy_path(backend, dtype, reduction, rng):
    logits = (rng.standard_normal((9, 6)) * 4).astype(dtype)
    target = rng.integers(0, 6, size=9)
    with use_backend(backend):
        fused, fused_cache = F.cross_entropy_forward(logits, target, 0.2, reduction=reduction)
        # A weight of ones changes nothing but the path (the general NumPy one).
        general, general_cache = F.cross_entropy_forward(logits, target, 0.2,
                                                         weight=np.ones(6), reduction=reduction)
    tolerance = 1e-5 if dtype == np.float32 else 1e-13
    assert fused == pytest.approx(general, rel=tolerance)
    np.testing.assert_allclose(F.cross_entropy_backward(0.7, fused_cache),
                               F.cross_entropy_backward(0.7, general_cache), rtol=tolerance,
                               atol=tolerance)


@pytest.mark.parametrize("twin", list(TWINS))
def test_infinite_logits_give_nan_without_numpy_warnings(twin):
    # pyproject turns RuntimeWarnings from minnet into errors: none may leak.
    logits = np.array([[np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [0.0, -np.inf, 1.0]])
    loss, delta = run(twin, logits, np.array([0, 1, 2]), 0.0)
    assert math.isnan(loss)
    assert np.all(np.isnan(delta[:2])) and np.all(np.isfinite(delta[2]))


def test_log_softmax_is_stable_along_any_axis(rng):
    from minnet.kernels.softmax_ce import log_softmax
    x = rng.standard_normal((2, 3, 4)) * 1e3
    for axis in range(3):
        out = log_softmax(x, axis=axis)
        np.testing.assert_allclose(np.exp(out).sum(axis=axis), 1.0, rtol=1e-12)
        np.testing.assert_allclose(log_softmax(x + 5e3, axis=axis), out, atol=1e-9)
    assert np.all(log_softmax(x) <= 0)
