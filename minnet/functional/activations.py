"""Activation functions as pure forward/backward pairs.

Every pair works on an array ``x`` of any shape and returns ``out`` of the
same shape and float dtype: ``op_forward(x, ...) -> (out, cache)``,
``op_backward(grad_out, cache) -> dx``. Nothing is modified in place.

Every entry point checks its arguments in Python first (a string or complex
``x``, a ``grad_out`` of the wrong shape, a softmax axis the input lacks, a
non-finite slope) and raises a MinnetError naming the function. Integer and
bool inputs become float64, as in the layers.

Non-finite inputs and gradients give what PyTorch gives, without NumPy
RuntimeWarnings (``@quiet_overflow``): NaN flows through; ``inf * 0`` cases
(GELU and SiLU at -inf, softmax over a row holding +inf or only -inf, an
infinite gradient where tanh or sigmoid saturate) are NaN, as in PyTorch, and
the doctor sees them. One difference: ReLU's backward multiplies by the mask
instead of copying through it, so it gives NaN, not PyTorch's 0, for a NaN or
infinite gradient where x <= 0 (measured: benchmarks/README.md).

The exact GELU needs ``erf``, which NumPy lacks: see ``minnet.functional.erf``.
"""

import math

import numpy as np

from minnet.errors import ShapeError
from minnet.functional.erf import erf, erfc  # noqa: F401  (re-exported)
from minnet.kernels.activations import relu, relu_grad
from minnet.validation import (
    QUIET,
    as_float_array,
    check_float,
    check_int,
    owner_name,
    quiet_overflow,
)


def _grad(owner, grad_out, shape):
    """``grad_out`` as a float array of ``shape`` (the forward output's), else raise."""
    grad_out = as_float_array(owner, grad_out, what="grad_out")
    if grad_out.shape != shape:
        raise ShapeError(f"{owner}: expected grad_out of shape {shape} (the forward output's), "
                         f"got {grad_out.shape}")
    return grad_out


def check_axis(owner, x, axis):
    """Raise ShapeError unless ``x`` has an axis ``axis`` (softmax, log-softmax)."""
    if not -x.ndim <= axis < x.ndim:
        raise ShapeError(
            f"{owner_name(owner)}: expected an input with an axis {axis} (at least "
            f"{axis + 1 if axis >= 0 else -axis} dimensions), got shape {x.shape}")


def relu_forward(x):
    """ReLU: ``out = max(x, 0)``. x: any shape. Returns (out, cache)."""
    x = as_float_array("relu_forward", x)
    out = relu(x)  # np.maximum(x, 0), one compiled pass (minnet.kernels.activations)
    # The cache is out: out > 0 exactly where x > 0 (NaN where x is), so the backward
    # needs only out and the layer before may free its own output, as in PyTorch
    return out, out


@quiet_overflow
def relu_backward(grad_out, cache):
    """Gradient of ReLU. grad_out: out's shape. Returns dx: x's shape."""
    # d max(x, 0)/dx is 1 where x > 0 and 0 where x <= 0 (0 at the kink, as in PyTorch;
    # a NaN input passes its gradient on, as in PyTorch).
    out = cache
    return relu_grad(_grad("relu_backward", grad_out, out.shape), out)  # grad_out * ~(out <= 0)


@quiet_overflow
def leaky_relu_forward(x, negative_slope=0.01):
    """Leaky ReLU: ``out = x`` where x > 0, else ``negative_slope * x``. Returns (out, cache)."""
    x = as_float_array("leaky_relu_forward", x)
    negative_slope = check_float("leaky_relu_forward", "negative_slope", negative_slope)
    return np.where(x > 0, x, negative_slope * x), (x, negative_slope)


@quiet_overflow
def leaky_relu_backward(grad_out, cache):
    """Gradient of leaky ReLU. grad_out: out's shape. Returns dx: x's shape."""
    # Piecewise linear: slope 1 where x > 0 and negative_slope elsewhere.
    x, negative_slope = cache
    grad_out = _grad("leaky_relu_backward", grad_out, x.shape)
    return np.where(x > 0, grad_out, negative_slope * grad_out)


def sigmoid_forward(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, without overflow for any x. Returns (out, cache).

    exp(-|x|) lies in (0, 1], so it never overflows: for x >= 0 the usual
    form is used, for x < 0 the equal form exp(x) / (1 + exp(x)).
    """
    x = as_float_array("sigmoid_forward", x)
    small = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + small), small / (1 + small))
    return out, out


@quiet_overflow
def sigmoid_backward(grad_out, cache):
    """Gradient of the sigmoid. grad_out: out's shape. Returns dx: x's shape."""
    # s = 1 / (1 + exp(-x)) gives ds/dx = exp(-x) / (1 + exp(-x))^2 = s (1 - s).
    out = cache
    return _grad("sigmoid_backward", grad_out, out.shape) * out * (1 - out)


def tanh_forward(x):
    """Hyperbolic tangent. x: any shape. Returns (out, cache)."""
    out = np.tanh(as_float_array("tanh_forward", x))
    return out, out


@quiet_overflow
def tanh_backward(grad_out, cache):
    """Gradient of tanh. grad_out: out's shape. Returns dx: x's shape."""
    # d tanh(x)/dx = 1 - tanh(x)^2, so the output alone is enough.
    out = cache
    return _grad("tanh_backward", grad_out, out.shape) * (1 - out * out)


def elu_forward(x, alpha=1.0):
    """ELU: ``out = x`` where x > 0, else ``alpha * (exp(x) - 1)``. Returns (out, cache)."""
    x = as_float_array("elu_forward", x)
    alpha = check_float("elu_forward", "alpha", alpha, low=0.0, low_open=True)
    # expm1 only sees x <= 0, so it cannot overflow, and it is exact near 0.
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, out, alpha)


@quiet_overflow
def elu_backward(grad_out, cache):
    """Gradient of ELU. grad_out: out's shape. Returns dx: x's shape."""
    # For x <= 0, d/dx alpha (exp(x) - 1) = alpha exp(x), computed as such (as PyTorch
    # does): out + alpha would cancel to 0 for x << 0; 1 for x > 0 (NaN for a NaN input,
    # as PyTorch's vectorized kernel gives).
    x, _, alpha = cache
    grad_out = _grad("elu_backward", grad_out, x.shape)
    return grad_out * np.where(x > 0, 1, alpha * np.exp(np.minimum(x, 0)))


# Python floats, not NumPy scalars: a np.float64 would promote float32 arrays.
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu_forward(x):
    """Exact GELU: ``out = x * Phi(x)``, Phi the standard normal CDF. Returns (out, cache).

    Phi(x) = erfc(-x / sqrt(2)) / 2, which stays accurate for large negative x,
    where the textbook (1 + erf(x / sqrt(2))) / 2 cancels to 0. This is
    PyTorch's ``GELU(approximate='none')``, not the tanh approximation.
    GELU(-inf) = -inf * 0 is NaN, as in PyTorch.
    """
    x = as_float_array("gelu_forward", x)
    cdf = (0.5 * erfc(-x * _SQRT_HALF)).astype(x.dtype, copy=False)
    with np.errstate(invalid="ignore"):  # -inf * 0
        return x * cdf, (x, cdf)


def gelu_backward(grad_out, cache):
    """Gradient of exact GELU. grad_out: out's shape. Returns dx: x's shape."""
    # d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
    # |x| is capped before squaring: phi has underflowed to 0 long before 40.
    x, cdf = cache
    grad_out = _grad("gelu_backward", grad_out, x.shape)
    capped = np.minimum(np.abs(x), 40)
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * capped * capped)
    with np.errstate(invalid="ignore"):  # +-inf * 0: NaN, as in PyTorch
        return grad_out * (cdf + x * pdf)


def silu_forward(x):
    """SiLU (swish): ``out = x * sigmoid(x)``. x: any shape. Returns (out, cache).

    The sigmoid is the overflow-free one above; SiLU(-inf) = -inf * 0 is NaN, as
    in PyTorch.
    """
    x = as_float_array("silu_forward", x)
    sig, _ = sigmoid_forward(x)
    with np.errstate(invalid="ignore"):
        return x * sig, (x, sig)


def silu_backward(grad_out, cache):
    """Gradient of SiLU. grad_out: out's shape. Returns dx: x's shape."""
    # d/dx x s(x) = s + x s (1 - s) = s (1 + x (1 - s)), with s = sigmoid(x).
    x, sig = cache
    grad_out = _grad("silu_backward", grad_out, x.shape)
    with np.errstate(invalid="ignore"):  # +-inf * 0: NaN, as in PyTorch
        return grad_out * (sig * (1 + x * (1 - sig)))


@quiet_overflow
def softplus_forward(x, beta=1.0, threshold=20.0):
    """Softplus: ``out = log(1 + exp(beta * x)) / beta``, and ``x`` where beta * x > threshold.

    x: any shape. beta > 0; threshold: PyTorch's linear region, where
    softplus equals x to within exp(-threshold). Returns (out, cache).

    Computed as ``(max(z, 0) + log1p(exp(-|z|))) / beta`` with z = beta * x,
    which never overflows: where PyTorch's ``log1p(exp(z))`` overflows to inf
    (a threshold above ~709), this gives the finite value.
    """
    x = as_float_array("softplus_forward", x)
    beta = check_float("softplus_forward", "beta", beta, low=0.0, low_open=True)
    threshold = check_float("softplus_forward", "threshold", threshold)
    z = x * beta
    small = np.exp(-np.abs(z))
    linear = z > threshold
    out = np.where(linear, x, (np.maximum(z, 0) + np.log1p(small)) / beta)
    sig = np.where(z >= 0, 1 / (1 + small), small / (1 + small))  # sigmoid(z), kept for backward
    return out, (sig, linear)


@quiet_overflow
def softplus_backward(grad_out, cache):
    """Gradient of softplus. grad_out: out's shape. Returns dx: x's shape."""
    # d/dx log(1 + exp(beta x)) / beta = exp(beta x) / (1 + exp(beta x)) = sigmoid(beta x),
    # and 1 in the linear region (beta x > threshold), as in PyTorch.
    sig, linear = cache
    grad_out = _grad("softplus_backward", grad_out, sig.shape)
    return np.where(linear, grad_out, grad_out * sig)


def _axis_input(owner, x, axis):
    x = as_float_array(owner, x)
    check_axis(owner, x, check_int(owner, "axis", axis))
    return x


def softmax_forward(x, axis=-1):
    """Softmax along ``axis``: ``out = exp(x) / sum(exp(x))``. Returns (out, cache).

    x: any shape with that axis, e.g. logits (N, C) with axis=-1.
    The row maximum is subtracted first (softmax is shift-invariant), so
    exp never overflows and the largest term is exactly 1. An empty input
    gives an empty output (PyTorch's result); a row holding +inf or only
    -inf gives NaN, as in PyTorch.
    """
    x = _axis_input("softmax_forward", x, axis)
    if x.size == 0:
        return x.copy(), (x.copy(), axis)
    with np.errstate(**QUIET):  # inf - inf; a huge positive minus a huge negative
        exps = np.exp(x - np.max(x, axis=axis, keepdims=True))
        out = exps / np.sum(exps, axis=axis, keepdims=True)
    return out, (out, axis)


@quiet_overflow
def softmax_backward(grad_out, cache):
    """Gradient of softmax. grad_out: out's shape. Returns dx: x's shape."""
    # The Jacobian is diag(s) - s s^T along the axis, so
    # dx = s * grad_out - s * sum(s * grad_out): one pass, no C x C matrix.
    out, axis = cache
    grad_out = _grad("softmax_backward", grad_out, out.shape)
    weighted = np.sum(grad_out * out, axis=axis, keepdims=True)
    return out * (grad_out - weighted)


def log_softmax_forward(x, axis=-1):
    """Log-softmax along ``axis``: ``out = x - log(sum(exp(x)))``. Returns (out, cache).

    x: any shape with that axis, e.g. logits (N, C) with axis=-1. With
    m = max(x), out = (x - m) - log(sum(exp(x - m))): the sum is at least 1, so
    neither exp overflows nor log meets 0, and very negative log-probabilities
    stay exact where log(softmax(x)) would give -inf. Empty input and
    non-finite rows behave as in ``softmax_forward``.
    """
    x = _axis_input("log_softmax_forward", x, axis)
    if x.size == 0:
        return x.copy(), (x.copy(), axis)
    with np.errstate(**QUIET):  # inf - inf; a huge positive minus a huge negative
        shifted = x - np.max(x, axis=axis, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return out, (out, axis)


@quiet_overflow
def log_softmax_backward(grad_out, cache):
    """Gradient of log-softmax. grad_out: out's shape. Returns dx: x's shape."""
    # d out_i / d x_j = [i == j] - softmax_j, so dx = grad_out - softmax * sum(grad_out),
    # with softmax = exp(out).
    out, axis = cache
    grad_out = _grad("log_softmax_backward", grad_out, out.shape)
    return grad_out - np.exp(out) * np.sum(grad_out, axis=axis, keepdims=True)


# Every pair by name, so that tests and exercise checkers can cover them all.
PAIRS = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "elu": (elu_forward, elu_backward),
    "gelu": (gelu_forward, gelu_backward),
    "silu": (silu_forward, silu_backward),
    "softplus": (softplus_forward, softplus_backward),
    "softmax": (softmax_forward, softmax_backward),
    "log_softmax": (log_softmax_forward, log_softmax_backward),
}
