"""Properties that must hold for any input: hypothesis searches for a counterexample."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from minnet.functional import activations as F
from minnet.functional.losses import (
    bce_with_logits_backward,
    bce_with_logits_forward,
    cross_entropy_backward,
    cross_entropy_forward,
)
from minnet.gradcheck import numerical_gradient
from minnet.layers.linear import Linear


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def float_arrays(low=-10.0, high=10.0, shape=None):
    shape = shape if shape is not None else array_shapes(min_dims=1, max_dims=3, max_side=5)
    return arrays(np.float64, shape, elements=floats(low, high))


# Every activation pair, with non-default arguments where it takes any.
ARGUMENTS = {"leaky_relu": {"negative_slope": 0.05}, "elu": {"alpha": 0.7}}
PAIRS = {name: (forward, backward, ARGUMENTS.get(name, {}))
         for name, (forward, backward) in F.PAIRS.items()}

# Inputs at least 0.01 from 0, the kink of ReLU, leaky ReLU and ELU (alpha != 1): a central
# difference across a kink averages the two one-sided slopes.
away_from_kinks = st.one_of(floats(-10, -0.01), floats(0.01, 10))

# The shape is drawn first, then x and two upstream gradients of that shape.
same_shape_triples = array_shapes(min_dims=1, max_dims=3, max_side=5).flatmap(
    lambda shape: st.tuples(arrays(np.float64, shape, elements=away_from_kinks),
                            *(float_arrays(shape=shape) for _ in range(2))))


def assert_backward_is_the_derivative(forward, backward, kwargs, x, g1, g2, a, b):
    """backward(g) is g times the Jacobian of forward at x, and linear in g."""
    _, cache = forward(x, **kwargs)
    # The central difference of sum(g1 * forward(x)), made from the forward alone (h = 1e-6:
    # truncation ~ h^2 |f'''| ~ 1e-12, rounding ~ eps |f| |g| / h ~ 1e-8 here).
    numeric = numerical_gradient(lambda v: forward(v, **kwargs)[0], x.copy(), g1)
    np.testing.assert_allclose(backward(g1, cache), numeric, rtol=1e-6, atol=1e-6)
    combined = backward(a * g1 + b * g2, cache)
    separate = a * backward(g1, cache) + b * backward(g2, cache)
    np.testing.assert_allclose(combined, separate, rtol=1e-10, atol=1e-10)


# One test per pair: drawn from all ten, a pair could miss every one of hypothesis' examples.
@pytest.mark.parametrize("name", PAIRS)
@given(same_shape_triples, floats(-3, 3), floats(-3, 3))
def test_activation_backward_is_the_derivative_and_linear_in_the_upstream_gradient(
        name, arrays3, a, b):
    forward, backward, kwargs = PAIRS[name]
    assert_backward_is_the_derivative(forward, backward, kwargs, *arrays3, a, b)


# Derivatives one slip away from the right one: each must fail the property above.
WRONG_BACKWARDS = {
    "tanh 1 - y": (F.tanh_forward, lambda g, out: g * (1 - out), {}),
    "sigmoid s": (F.sigmoid_forward, lambda g, out: g * out, {}),
    "gelu Phi only": (F.gelu_forward, lambda g, cache: g * cache[1], {}),
    "silu s only": (F.silu_forward, lambda g, cache: g * cache[1], {}),
    "elu no alpha": (F.elu_forward,
                     lambda g, cache: g * np.where(cache[0] > 0, 1, np.exp(cache[0])),
                     {"alpha": 0.7}),
    "softmax diagonal only": (F.softmax_forward,
                              lambda g, cache: g * cache[0] * (1 - cache[0]), {}),
    "log_softmax identity": (F.log_softmax_forward, lambda g, cache: g, {}),
}


@pytest.mark.parametrize("name", WRONG_BACKWARDS)
def test_a_wrong_activation_derivative_fails_the_property(name):
    forward, backward, kwargs = WRONG_BACKWARDS[name]
    x = np.linspace(-3, 3, 12).reshape(3, 4) + 0.05  # no entry at a kink
    g1 = np.cos(np.arange(12.0)).reshape(3, 4)
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        assert_backward_is_the_derivative(forward, backward, kwargs, x, g1, g1, 1.0, 0.0)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1),
       floats(-3, 3), floats(-3, 3))
def test_linear_backward_is_linear_in_the_upstream_gradient(n, d_in, d_out, seed, a, b):
    rng = np.random.default_rng(seed)
    layer = Linear(d_in, d_out, rng=rng)
    x = rng.standard_normal((n, d_in))
    g1, g2 = rng.standard_normal((2, n, d_out))
    grads = []
    for grad_out in (a * g1 + b * g2, g1, g2):
        layer.zero_grad()
        layer(x)
        grads.append((layer.backward(grad_out), layer.weight.grad.copy(), layer.bias.grad.copy()))
    for combined, first, second in zip(*grads, strict=True):
        np.testing.assert_allclose(combined, a * first + b * second, rtol=1e-10, atol=1e-10)


@given(float_arrays(-1e3, 1e3, shape=array_shapes(min_dims=2, max_dims=2, max_side=6)),
       floats(-1e3, 1e3))
def test_softmax_rows_sum_to_one_and_are_shift_invariant(x, shift):
    out, _ = F.softmax_forward(x)
    assert np.all((out >= 0) & (out <= 1))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)
    row_shifts = shift * np.arange(1, x.shape[0] + 1)[:, None] / x.shape[0]
    shifted, _ = F.softmax_forward(x + row_shifts)
    np.testing.assert_allclose(shifted, out, rtol=1e-9, atol=1e-12)


@given(float_arrays(-50, 50, shape=array_shapes(min_dims=2, max_dims=2, max_side=6)),
       st.data())
def test_cross_entropy_is_minus_log_softmax_at_the_target(logits, data):
    n, c = logits.shape
    target = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    loss, _ = cross_entropy_forward(logits, target, 0.0)
    probs, _ = F.softmax_forward(logits)
    expected = np.mean(-np.log(probs[np.arange(n), target]))
    np.testing.assert_allclose(loss, expected, rtol=1e-10, atol=1e-12)


extreme_elements = st.one_of(floats(-1e4, 1e4), st.sampled_from([-1e4, 1e4]))


@given(arrays(np.float64, array_shapes(min_dims=2, max_dims=2, max_side=6),
              elements=extreme_elements), st.data())
def test_losses_and_gradients_are_finite_at_huge_logits(logits, data):
    n, c = logits.shape
    target = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    probabilities = data.draw(arrays(np.float64, logits.shape, elements=floats(0, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for smoothing in (0.0, 0.1):
            loss, cache = cross_entropy_forward(logits, target, smoothing)
            assert np.isfinite(loss)
            assert np.all(np.isfinite(cross_entropy_backward(1.0, cache)))
        loss, cache = bce_with_logits_forward(logits, probabilities)
        assert np.isfinite(loss) and loss >= 0
        assert np.all(np.isfinite(bce_with_logits_backward(1.0, cache)))


@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=8),
              elements=extreme_elements))
def test_sigmoid_is_stable_and_symmetric_without_warnings(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = F.sigmoid_forward(x)
        mirrored, _ = F.sigmoid_forward(-x)
        grad = F.sigmoid_backward(np.ones_like(x), cache)
    assert np.all((out >= 0) & (out <= 1)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(out + mirrored, 1.0, rtol=0, atol=1e-15)


@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.integers(1, 6),
       st.integers(0, 2**32 - 1))
def test_two_stacked_linears_equal_one_linear(n, d_in, d_hidden, d_out, seed):
    rng = np.random.default_rng(seed)
    first, second = Linear(d_in, d_hidden, rng=rng), Linear(d_hidden, d_out, rng=rng)
    first.bias.data[:] = rng.standard_normal(d_hidden)
    second.bias.data[:] = rng.standard_normal(d_out)
    # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): without a nonlinearity depth adds nothing.
    merged = Linear(d_in, d_out, rng=0)
    merged.load_state_dict({
        "weight": second.weight.data @ first.weight.data,
        "bias": second.weight.data @ first.bias.data + second.bias.data,
    })
    x = rng.standard_normal((n, d_in))
    np.testing.assert_allclose(second(first(x)), merged(x), rtol=1e-10, atol=1e-12)
