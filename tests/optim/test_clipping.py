"""Gradient clipping by global norm and by value."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minnet.core import Parameter
from minnet.errors import ConfigError, DataError
from minnet.layers.linear import Linear
from minnet.optim import SGD
from minnet.optim.clipping import clip_grad_norm_, clip_grad_value_


def make_params(rng, scale=1.0, dtype=np.float64):
    params = [Parameter(np.zeros(shape, dtype=dtype)) for shape in [(3, 4), (4,), (2, 2, 2)]]
    for param in params:
        param.grad[...] = scale * rng.normal(size=param.shape)
    return params


def global_norm(params):
    return np.sqrt(sum(np.sum(param.grad.astype(np.float64) ** 2) for param in params))


def test_norm_above_max_is_scaled_down_and_pre_clip_norm_returned(rng):
    params = make_params(rng, scale=10.0)
    before = [param.grad.copy() for param in params]
    arrays = [param.grad for param in params]
    norm = global_norm(params)
    assert norm > 5.0
    returned = clip_grad_norm_(params, max_norm=5.0)
    assert isinstance(returned, float)
    assert returned == pytest.approx(norm, rel=1e-14)
    scale = 5.0 / (norm + 1e-6)
    for param, grad, array in zip(params, before, arrays, strict=True):
        assert param.grad is array
        np.testing.assert_allclose(param.grad, grad * scale, rtol=1e-14)
    assert global_norm(params) == pytest.approx(5.0, rel=1e-6)
    assert global_norm(params) < 5.0


def test_norm_below_max_leaves_grads_untouched(rng):
    params = make_params(rng, scale=0.1)
    before = [param.grad.copy() for param in params]
    norm = global_norm(params)
    returned = clip_grad_norm_(params, max_norm=100.0)
    assert returned == pytest.approx(norm, rel=1e-14)
    for param, grad in zip(params, before, strict=True):
        np.testing.assert_array_equal(param.grad, grad)


def test_accepts_generator_single_parameter_and_module_parameters(rng):
    params = make_params(rng, scale=10.0)
    norm = global_norm(params)
    assert clip_grad_norm_((p for p in params), 1.0) == pytest.approx(norm, rel=1e-14)
    single = make_params(rng, scale=10.0)[0]
    norm = global_norm([single])
    assert clip_grad_norm_(single, 1.0) == pytest.approx(norm, rel=1e-14)
    assert global_norm([single]) == pytest.approx(1.0, rel=1e-6)
    model = Linear(4, 3, rng=0)
    model.weight.grad[...] = 7.0
    clip_grad_norm_(model.parameters(), 1.0)
    assert global_norm(model.parameters()) == pytest.approx(1.0, rel=1e-6)


def test_float32_grads_stay_float32(rng):
    params = make_params(rng, scale=10.0, dtype=np.float32)
    clip_grad_norm_(params, 1.0)
    assert all(param.grad.dtype == np.float32 for param in params)
    assert global_norm(params) == pytest.approx(1.0, rel=1e-5)


def test_infinite_gradient_returns_inf_without_warnings():
    param = Parameter(np.zeros(3))
    param.grad[...] = [np.inf, 1.0, 2.0]
    assert clip_grad_norm_([param], 1.0) == np.inf
    # As PyTorch: the factor is 1 / inf = 0, and inf * 0 = NaN, for the doctor to see.
    np.testing.assert_array_equal(param.grad, [np.nan, 0.0, 0.0])


@given(arrays(np.float64, (5, 3), elements=st.floats(-1e3, 1e3, allow_nan=False,
                                                     allow_infinity=False,
                                                     allow_subnormal=False)),
       st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False))
def test_clipped_norm_never_exceeds_max_norm(grad, max_norm):
    param = Parameter(np.zeros_like(grad))
    param.grad[...] = grad
    norm_before = clip_grad_norm_([param], max_norm)
    assert global_norm([param]) <= max_norm * (1 + 1e-12)
    expected = norm_before * min(1.0, max_norm / (norm_before + 1e-6))
    assert global_norm([param]) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_clip_by_value(rng):
    params = make_params(rng, scale=3.0)
    before = [param.grad.copy() for param in params]
    arrays = [param.grad for param in params]
    assert clip_grad_value_(params, 1.5) is None
    for param, grad, array in zip(params, before, arrays, strict=True):
        assert param.grad is array
        np.testing.assert_array_equal(param.grad, np.minimum(np.maximum(grad, -1.5), 1.5))
        assert np.any(np.abs(grad) > 1.5)  # something was clipped
        inside = np.abs(grad) <= 1.5
        np.testing.assert_array_equal(param.grad[inside], grad[inside])


@pytest.mark.parametrize("norm_type, norm", [
    (1.0, lambda g: np.sum(np.abs(g))),
    (3, lambda g: np.sum(np.abs(g) ** 3) ** (1 / 3)),
    (float("inf"), lambda g: np.max(np.abs(g))),
    ("inf", lambda g: np.max(np.abs(g))),
])
def test_other_norm_types(norm_type, norm, rng):
    params = make_params(rng, scale=10.0)
    before = [param.grad.copy() for param in params]
    everything = np.concatenate([grad.ravel() for grad in before])
    expected = norm(everything)
    assert clip_grad_norm_(params, 2.0, norm_type=norm_type) == pytest.approx(expected,
                                                                               rel=1e-13)
    for param, grad in zip(params, before, strict=True):
        np.testing.assert_allclose(param.grad, grad * 2.0 / (expected + 1e-6), rtol=1e-14)
    after = np.concatenate([param.grad.ravel() for param in params])
    assert norm(after) == pytest.approx(2.0, rel=1e-6)


def test_parameters_without_a_gradient_are_skipped(rng):
    # Frozen with a stale gradient written into it, or not reached since zero_grad():
    # PyTorch skips a None grad; so do both clipping functions, and step() after them.
    reached = Parameter(np.ones(3))
    reached.add_grad(np.array([3.0, 0.0, 4.0]))
    frozen = Parameter(np.ones(2), requires_grad=False)
    frozen.grad[...] = 100.0
    unreached = Parameter(np.ones(2))
    params = [reached, frozen, unreached]
    assert clip_grad_norm_(params, 1.0) == 5.0
    np.testing.assert_allclose(reached.grad, np.array([3.0, 0.0, 4.0]) / (5.0 + 1e-6))
    np.testing.assert_array_equal(frozen.grad, [100.0, 100.0])
    clip_grad_value_(params, 0.1)
    np.testing.assert_array_equal(frozen.grad, [100.0, 100.0])
    assert not unreached.has_grad
    SGD(params, lr=0.1, weight_decay=0.5).step()
    np.testing.assert_array_equal(unreached.data, np.ones(2))
    assert clip_grad_norm_([frozen, unreached], 1.0) == 0.0


def test_a_gradient_scaled_to_zero_still_counts_as_reached():
    # An infinite norm elsewhere scales every finite gradient to 0; the parameter was
    # reached all the same (PyTorch: a zero grad, not None), so step() still decays it.
    param, other = Parameter(np.ones(2)), Parameter(np.ones(1))
    param.grad[...] = 1.0  # written by hand, as a custom layer may
    other.grad[...] = np.inf
    clip_grad_norm_([param, other], 1.0)
    np.testing.assert_array_equal(param.grad, [0.0, 0.0])
    assert param.has_grad
    SGD([param], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(param.data, [0.95, 0.95])


def test_error_if_nonfinite_raises_before_changing_anything():
    params = [Parameter(np.zeros(2)), Parameter(np.zeros(1))]
    params[0].grad[...] = [1.0, np.nan]
    params[1].grad[...] = 2.0
    with pytest.raises(DataError, match=r"clip_grad_norm_: the total norm of order 2.0 of the "
                                        r"gradients is nan, so they cannot be clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[1].grad, [2.0])
    assert np.isnan(clip_grad_norm_(params, 1.0, norm_type="inf"))


@pytest.mark.parametrize("norm_type", [0, -1.0, float("nan"), "two", True, None])
def test_bad_norm_type_raises(norm_type, rng):
    with pytest.raises(ConfigError, match=r"^clip_grad_norm_: the 'norm_type' parameter must "
                                          r"be a float > 0 or inf"):
        clip_grad_norm_(make_params(rng), 1.0, norm_type=norm_type)
    with pytest.raises(ConfigError, match="'error_if_nonfinite' parameter must be a bool"):
        clip_grad_norm_(make_params(rng), 1.0, error_if_nonfinite="yes")


@pytest.mark.parametrize("function, argument", [(clip_grad_norm_, "max_norm"),
                                                (clip_grad_value_, "clip_value")])
@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), "1"])
def test_bad_threshold_raises(function, argument, value, rng):
    with pytest.raises(ConfigError, match=rf"^{function.__name__}: the '{argument}' parameter"):
        function(make_params(rng), value)


@pytest.mark.parametrize("function", [clip_grad_norm_, clip_grad_value_])
def test_bad_params_raise(function):
    with pytest.raises(ConfigError, match=r"pass model\.parameters\(\)"):
        function(Linear(2, 2, rng=0), 1.0)
    with pytest.raises(ConfigError, match="empty parameter list"):
        function([], 1.0)
    with pytest.raises(ConfigError, match="element 0 of params must be a Parameter"):
        function([np.ones(3)], 1.0)
