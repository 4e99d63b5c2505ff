"""The activation pairs: values against independent references, gradient checks, stability."""

import math
import warnings

import numpy as np
import pytest

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional import activations as F
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend

# (forward, backward, keyword arguments): every pair in the module, softmax on two axes.
ARGUMENTS = {"leaky_relu": {"negative_slope": 0.1}, "elu": {"alpha": 1.3},
             "softplus": {"beta": 1.5, "threshold": 4.0}}
PAIRS = [(forward, backward, ARGUMENTS.get(name, {}))
         for name, (forward, backward) in F.PAIRS.items()]
PAIRS.append((F.softmax_forward, F.softmax_backward, {"axis": 0}))
PAIRS.append((F.log_softmax_forward, F.log_softmax_backward, {"axis": 0}))
PAIRS.append((F.softplus_forward, F.softplus_backward, {}))
IDS = [f"{forward.__name__}{kwargs or ''}" for forward, _, kwargs in PAIRS]


def away_from_kinks(x):
    """Push entries with |x| < 1e-3 away from 0, where ReLU-like functions have a kink."""
    return np.where(np.abs(x) < 1e-3, np.sign(x + 1e-12) * 1e-2, x)


@pytest.mark.parametrize("forward, backward, kwargs", PAIRS, ids=IDS)
def test_backward_matches_numerical_gradient(forward, backward, kwargs, rng):
    x = away_from_kinks(rng.standard_normal((4, 3, 5)) * 2)
    grad_out = rng.standard_normal(x.shape)
    _, cache = forward(x, **kwargs)
    analytic = backward(grad_out, cache)
    numeric = numerical_gradient(lambda v: forward(v, **kwargs)[0], x.copy(), grad_out)
    assert analytic.shape == x.shape
    assert rel_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("forward, backward, kwargs", PAIRS, ids=IDS)
def test_pairs_modify_nothing_and_keep_float32(forward, backward, kwargs, rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    grad_out = rng.standard_normal((3, 4)).astype(np.float32)
    x_before, grad_before = x.copy(), grad_out.copy()
    out, cache = forward(x, **kwargs)
    dx = backward(grad_out, cache)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(grad_out, grad_before)
    assert out.dtype == np.float32 and dx.dtype == np.float32


@pytest.mark.parametrize("forward, backward, kwargs", PAIRS, ids=IDS)
def test_extreme_inputs_give_finite_values_without_warnings(forward, backward, kwargs):
    x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4], [1e4, 1e4, -1e4, 3.0, -3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = forward(x, **kwargs)
        dx = backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize("forward, backward, kwargs", PAIRS, ids=IDS)
def test_nan_flows_through(forward, backward, kwargs):
    x = np.array([[0.5, np.nan, -0.5]])
    out, _ = forward(x, **kwargs)
    assert np.isnan(out[0, 1])


def test_values_against_scalar_formulas():
    xs = [-7.0, -1.5, -0.2, 0.3, 2.0, 9.0]
    x = np.array(xs)
    expected = {
        "relu": [max(v, 0.0) for v in xs],
        "leaky_relu": [v if v > 0 else 0.2 * v for v in xs],
        "sigmoid": [1 / (1 + math.exp(-v)) for v in xs],
        "tanh": [math.tanh(v) for v in xs],
        "elu": [v if v > 0 else 0.5 * (math.exp(v) - 1) for v in xs],
        "gelu": [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in xs],
        "silu": [v / (1 + math.exp(-v)) for v in xs],
        "softplus": [math.log1p(math.exp(2 * v)) / 2 if 2 * v <= 5 else v for v in xs],
        "log_softmax": [v - math.log(sum(math.exp(u) for u in xs)) for v in xs],
    }
    got = {
        "relu": F.relu_forward(x)[0],
        "leaky_relu": F.leaky_relu_forward(x, negative_slope=0.2)[0],
        "sigmoid": F.sigmoid_forward(x)[0],
        "tanh": F.tanh_forward(x)[0],
        "elu": F.elu_forward(x, alpha=0.5)[0],
        "gelu": F.gelu_forward(x)[0],
        "silu": F.silu_forward(x)[0],
        "softplus": F.softplus_forward(x, beta=2.0, threshold=5.0)[0],
        "log_softmax": F.log_softmax_forward(x)[0],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(got[name], values, rtol=1e-13, atol=1e-15, err_msg=name)


def test_relu_gradient_is_zero_at_the_kink_and_below():
    dx = F.relu_backward(np.array([2.0, 3.0, 4.0]), F.relu_forward(np.array([-1.0, 0.0, 1.0]))[1])
    np.testing.assert_array_equal(dx, [0.0, 0.0, 4.0])


def test_sigmoid_limits_are_exact():
    out, _ = F.sigmoid_forward(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_gelu_is_accurate_far_in_the_negative_tail():
    # (1 + erf(x / sqrt 2)) / 2 cancels to 0 here; the erfc form keeps ~15 digits.
    for value in [-8.0, -20.0, -35.0]:
        reference = value * 0.5 * math.erfc(-value / math.sqrt(2))
        got = F.gelu_forward(np.array([value]))[0][0]
        assert got != 0.0
        assert abs(got - reference) <= 1e-12 * abs(reference)


def test_erf_and_erfc_match_math_module():
    xs = np.concatenate([np.linspace(-30, 30, 6001), [0.0, -0.0, 0.999999, 1.0, 7.99, 8.0]])
    erf_reference = np.array([math.erf(v) for v in xs])
    erfc_reference = np.array([math.erfc(v) for v in xs])
    np.testing.assert_allclose(F.erf(xs), erf_reference, rtol=0, atol=5e-16)
    tiny = np.array([1e-300, -1e-12, 3e-8, 0.01])  # relative accuracy near 0, not just absolute
    np.testing.assert_allclose(F.erf(tiny), [math.erf(v) for v in tiny], rtol=1e-15)
    relative = np.abs(F.erfc(xs) - erfc_reference) / np.maximum(erfc_reference, 1e-300)
    assert relative.max() < 1e-13


def test_erfc_edge_values_and_shapes():
    out = F.erfc(np.array([np.inf, -np.inf, np.nan, 1e300]))
    np.testing.assert_array_equal(out[[0, 1, 3]], [0.0, 2.0, 0.0])
    assert np.isnan(out[2])
    assert F.erfc(np.float64(0.5)).shape == ()
    assert abs(float(F.erfc(0.5)) - math.erfc(0.5)) < 1e-16
    assert F.erfc(np.zeros((2, 0, 3))).shape == (2, 0, 3)


def test_softmax_rows_and_gradient_along_the_chosen_axis(rng):
    x = rng.standard_normal((3, 4))
    out, _ = F.softmax_forward(x, axis=0)
    np.testing.assert_allclose(out.sum(axis=0), np.ones(4))
    reference = np.exp(x) / np.exp(x).sum(axis=0)
    np.testing.assert_allclose(out, reference, rtol=1e-14)


@pytest.mark.torch
def test_gelu_matches_torch_in_float64(rng):
    torch = pytest.importorskip("torch")
    x = np.concatenate([rng.standard_normal(50) * 4, [-40.0, -10.0, 0.0, 10.0, 1e4, -1e4]])
    grad_out = rng.standard_normal(x.shape)
    tensor = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.gelu(tensor)
    expected.backward(torch.tensor(grad_out))
    out, cache = F.gelu_forward(x)
    # atol: PyTorch evaluates x (1 + erf(x / sqrt 2)) / 2, which cancels to ~1e-16 absolute
    # error for x < -5 (see test_gelu_is_accurate_far_in_the_negative_tail).
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(F.gelu_backward(grad_out, cache), tensor.grad.numpy(),
                               rtol=1e-12, atol=1e-15)


def test_int_and_bool_inputs_become_float64_as_in_the_layers():
    for forward, _ in F.PAIRS.values():
        out, _ = forward(np.array([[1, 0, 2]]))
        assert out.dtype == np.float64
    assert F.relu_forward(np.array([True, False]))[0].dtype == np.float64


# --- every entry point checks its arguments before computing -----------------------------

X = np.ones((2, 3))
ENTRY_POINT_ERRORS = [
    (lambda: F.relu_forward(np.array(["a"])), DTypeError, r"^relu_forward: expected a float "
                                                          r"input, got an array of dtype <U1"),
    (lambda: F.sigmoid_forward(np.ones(2, complex)), DTypeError, r"^sigmoid_forward: .*complex"),
    (lambda: F.gelu_forward(np.array([None])), DTypeError, r"^gelu_forward: .*object"),
    (lambda: F.leaky_relu_forward(X, negative_slope="0.1"), ConfigError,
     r"^leaky_relu_forward: the 'negative_slope' parameter must be a finite float"),
    (lambda: F.elu_forward(X, alpha=0), ConfigError, r"^elu_forward: the 'alpha' parameter"),
    (lambda: F.softplus_forward(X, beta=0), ConfigError, r"^softplus_forward: the 'beta'"),
    (lambda: F.softplus_forward(X, threshold=np.inf), ConfigError, r"'threshold'"),
    (lambda: F.softmax_forward(X, axis=2), ShapeError,
     r"^softmax_forward: expected an input with an axis 2 \(at least 3 dimensions\), got "
     r"shape \(2, 3\)"),
    (lambda: F.log_softmax_forward(np.float64(1.0)), ShapeError,
     r"^log_softmax_forward: expected an input with an axis -1"),
    (lambda: F.softmax_forward(X, axis=1.0), ConfigError, r"the 'axis' parameter must be an int"),
]
for name, (forward, backward) in F.PAIRS.items():
    ENTRY_POINT_ERRORS += [
        (lambda forward=forward, backward=backward: backward(np.ones((3, 2)), forward(X)[1]),
         ShapeError, rf"^{name}_backward: expected grad_out of shape \(2, 3\) \(the forward "
                     rf"output's\), got \(3, 2\)"),
        (lambda forward=forward, backward=backward: backward(np.full((2, 3), "g"), forward(X)[1]),
         DTypeError, rf"^{name}_backward: expected a float grad_out"),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, message", ENTRY_POINT_ERRORS)
def test_entry_points_refuse_bad_arguments_on_both_backends(backend, call, error, message):
    with use_backend(backend), pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("forward, backward", [(F.softmax_forward, F.softmax_backward),
                                               (F.log_softmax_forward, F.log_softmax_backward)])
@pytest.mark.parametrize("shape, axis", [((0, 4), -1), ((4, 0), -1), ((0, 4), 0), ((2, 0, 3), 1)])
def test_softmax_pairs_on_empty_input_give_empty_results(forward, backward, shape, axis):
    out, cache = forward(np.zeros(shape), axis=axis)
    assert out.shape == shape and backward(np.zeros(shape), cache).shape == shape


def test_non_finite_inputs_raise_no_runtime_warning():
    x = np.array([[-np.inf, np.inf, np.nan, 0.0], [-np.inf, -np.inf, 1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for forward, backward in F.PAIRS.values():
            out, cache = forward(x)
            backward(np.ones_like(out), cache)


# PyTorch's twin of every pair, with the keyword arguments minnet's takes.
TORCH_TWINS = {
    "relu": lambda torch, t: torch.relu(t),
    "leaky_relu": lambda torch, t, negative_slope=0.01: torch.nn.functional.leaky_relu(
        t, negative_slope),
    "sigmoid": lambda torch, t: torch.sigmoid(t),
    "tanh": lambda torch, t: torch.tanh(t),
    "elu": lambda torch, t, alpha=1.0: torch.nn.functional.elu(t, alpha),
    "gelu": lambda torch, t: torch.nn.functional.gelu(t),
    "silu": lambda torch, t: torch.nn.functional.silu(t),
    "softplus": lambda torch, t, beta=1.0, threshold=20.0: torch.nn.functional.softplus(
        t, beta, threshold),
    "softmax": lambda torch, t: torch.softmax(t, -1),
    "log_softmax": lambda torch, t: torch.log_softmax(t, -1),
}
EXTREMES = [-np.inf, -1e308, -50.0, -1.0, 0.0, 1.0, 50.0, 1e308, np.inf, np.nan]


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", [(name, {}) for name in F.PAIRS] + [
    ("leaky_relu", {"negative_slope": 0.0}), ("softplus", {"beta": 5.0}),
    ("elu", {"alpha": 2.0})])
def test_non_finite_gradients_and_extreme_inputs_match_pytorch_without_warnings(name, kwargs):
    """Every pair of extreme inputs (a row spanning the float range: x - max(x) overflows)
    against every upstream gradient, infinite and NaN ones too: PyTorch's values, no NumPy
    warning (before: 'invalid value encountered in multiply' from inf * 0 where tanh or
    sigmoid saturate, 'overflow encountered in subtract' in softmax...). The one exception,
    named in the module's docstring: ReLU gives NaN where PyTorch gives 0, for a non-finite
    gradient where x <= 0."""
    torch = pytest.importorskip("torch")
    forward, backward = F.PAIRS[name]
    rows = [(a, b, g, h) for a in EXTREMES for b in EXTREMES
            for g in (-np.inf, 0.0, 2.0, np.inf, np.nan) for h in (1.0, np.nan)]
    x, grad_out = np.array(rows)[:, :2], np.array(rows)[:, 2:]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = forward(x, **kwargs)
        grad_x = backward(grad_out, cache)
    tx = torch.from_numpy(x).requires_grad_(True)
    t_out = TORCH_TWINS[name](torch, tx, **kwargs)
    t_out.backward(torch.from_numpy(grad_out))
    expected = tx.grad.numpy().copy()
    if name == "relu":
        expected[(x <= 0) & ~np.isfinite(grad_out)] = np.nan
    if name == "elu":  # PyTorch: NaN from its vectorized kernel, the gradient from the other
        expected[np.isnan(x)] = np.nan
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(grad_x, expected, rtol=1e-12, atol=1e-300)


def test_elu_gradient_keeps_its_accuracy_far_below_zero():
    """d ELU/dx = alpha exp(x) for x <= 0; computed as out + alpha it cancelled to a few
    digits (x = -30: a relative error of 1e-3) and to 0 below -37 (inf * 0 = NaN for an
    infinite gradient where PyTorch gives inf)."""
    x = np.array([-1.0, -20.0, -30.0, -40.0, -700.0])
    out, cache = F.elu_forward(x, alpha=1.5)
    grad = F.elu_backward(np.ones_like(x), cache)
    np.testing.assert_allclose(grad, 1.5 * np.exp(x), rtol=1e-15, atol=0)
    assert F.elu_backward(np.full_like(x, np.inf), cache).tolist() == [np.inf] * 5
