"""Activation functions as pure forward/backward pairs.

Every pair works on an array ``x`` of any shape and returns ``out`` of the
same shape and float dtype: ``op_forward(x, ...) -> (out, cache)``,
``op_backward(grad_out, cache) -> dx``. Nothing is modified in place, and
NaN in the input flows through to the output (the doctor must see it).

NumPy has no ``erf``, and SciPy is not a dependency, so the exact GELU uses
``erf``/``erfc`` from Cephes' rational approximations below: accurate to a few
units in the last place against ``math.erf`` and fully vectorized.
"""

import math

import numpy as np

# --- erf and erfc (Cephes ndtr.c, W. J. Cody's rational approximations) ------

_ERF_T = [9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4]
_ERF_U = [1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4]
_ERFC_P = [2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2]
_ERFC_Q = [1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2]
_ERFC_R = [5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0]
_ERFC_S = [1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0]


def _horner(coefficients, z):
    """Evaluate a polynomial (highest power first) at z, in place on one new array."""
    result = np.full_like(z, coefficients[0])
    for coefficient in coefficients[1:]:
        result *= z
        result += coefficient
    return result


def _erf_inner(x):
    """erf(x) for |x| < 1, to full relative precision even for tiny x."""
    square = x * x
    return x * _horner(_ERF_T, square) / _horner(_ERF_U, square)


def _erfc_outer(x):
    """erfc(x) for |x| >= 1 (and NaN), clipped at |x| = 30, long after it underflows to 0."""
    a = np.minimum(np.abs(x), 30.0)
    ratio = _horner(_ERFC_P, a) / _horner(_ERFC_Q, a)
    far = a >= 8.0
    if far.any():
        ratio[far] = _horner(_ERFC_R, a[far]) / _horner(_ERFC_S, a[far])
    tail = np.exp(-a * a) * ratio
    return np.where(x >= 0, tail, 2.0 - tail)  # erfc(-a) = 2 - erfc(a); NaN stays NaN


def _piecewise(x, inner, outer):
    """Evaluate ``inner`` where |x| < 1 and ``outer`` elsewhere: each element only once."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    is_inner = np.abs(x) < 1.0
    out[is_inner] = inner(x[is_inner])
    out[~is_inner] = outer(x[~is_inner])
    return out


def erf(x):
    """The error function. x: array of any shape -> float64 array of the same shape."""
    return _piecewise(x, _erf_inner, lambda v: 1.0 - _erfc_outer(v))


def erfc(x):
    """The complementary error function 1 - erf(x), accurate also where it is tiny.

    x: array of any shape -> float64 array of the same shape.
    """
    return _piecewise(x, lambda v: 1.0 - _erf_inner(v), _erfc_outer)


# --- the pairs ---------------------------------------------------------------

def relu_forward(x):
    """ReLU: ``out = max(x, 0)``. x: any shape. Returns (out, cache)."""
    return np.maximum(x, 0), x


def relu_backward(grad_out, cache):
    """Gradient of ReLU. grad_out: out's shape. Returns dx: x's shape."""
    # d max(x, 0)/dx is 1 where x > 0 and 0 elsewhere (0 at the kink, as in PyTorch).
    x = cache
    return grad_out * (x > 0)


def leaky_relu_forward(x, negative_slope=0.01):
    """Leaky ReLU: ``out = x`` where x > 0, else ``negative_slope * x``. Returns (out, cache)."""
    return np.where(x > 0, x, negative_slope * x), (x, negative_slope)


def leaky_relu_backward(grad_out, cache):
    """Gradient of leaky ReLU. grad_out: out's shape. Returns dx: x's shape."""
    # Piecewise linear: slope 1 where x > 0 and negative_slope elsewhere.
    x, negative_slope = cache
    return np.where(x > 0, grad_out, negative_slope * grad_out)


def sigmoid_forward(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, without overflow for any x. Returns (out, cache).

    exp(-|x|) lies in (0, 1], so it never overflows: for x >= 0 the usual
    form is used, for x < 0 the equal form exp(x) / (1 + exp(x)).
    """
    small = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + small), small / (1 + small))
    return out, out


def sigmoid_backward(grad_out, cache):
    """Gradient of the sigmoid. grad_out: out's shape. Returns dx: x's shape."""
    # s = 1 / (1 + exp(-x)) gives ds/dx = exp(-x) / (1 + exp(-x))^2 = s (1 - s).
    out = cache
    return grad_out * out * (1 - out)


def tanh_forward(x):
    """Hyperbolic tangent. x: any shape. Returns (out, cache)."""
    out = np.tanh(x)
    return out, out


def tanh_backward(grad_out, cache):
    """Gradient of tanh. grad_out: out's shape. Returns dx: x's shape."""
    # d tanh(x)/dx = 1 - tanh(x)^2, so the output alone is enough.
    out = cache
    return grad_out * (1 - out * out)


def elu_forward(x, alpha=1.0):
    """ELU: ``out = x`` where x > 0, else ``alpha * (exp(x) - 1)``. Returns (out, cache)."""
    # expm1 only sees x <= 0, so it cannot overflow, and it is exact near 0.
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, out, alpha)


def elu_backward(grad_out, cache):
    """Gradient of ELU. grad_out: out's shape. Returns dx: x's shape."""
    # For x <= 0, d/dx alpha (exp(x) - 1) = alpha exp(x) = out + alpha; 1 for x > 0.
    x, out, alpha = cache
    return grad_out * np.where(x > 0, 1, out + alpha)


# Python floats, not NumPy scalars: a np.float64 would promote float32 arrays.
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu_forward(x):
    """Exact GELU: ``out = x * Phi(x)``, Phi the standard normal CDF. Returns (out, cache).

    Phi(x) = erfc(-x / sqrt(2)) / 2, which stays accurate for large negative x,
    where the textbook (1 + erf(x / sqrt(2))) / 2 cancels to 0. This is
    PyTorch's ``GELU(approximate='none')``, not the tanh approximation.
    """
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    cdf = (0.5 * erfc(-x * _SQRT_HALF)).astype(dtype, copy=False)
    return x * cdf, (x, cdf)


def gelu_backward(grad_out, cache):
    """Gradient of exact GELU. grad_out: out's shape. Returns dx: x's shape."""
    # d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
    # |x| is capped before squaring: phi has underflowed to 0 long before 40.
    x, cdf = cache
    capped = np.minimum(np.abs(x), 40)
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * capped * capped)
    return grad_out * (cdf + x * pdf)


def softmax_forward(x, axis=-1):
    """Softmax along ``axis``: ``out = exp(x) / sum(exp(x))``. Returns (out, cache).

    x: any shape with at least one dimension, e.g. logits (N, C) with axis=-1.
    The row maximum is subtracted first (softmax is shift-invariant), so
    exp never overflows and the largest term is exactly 1.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    out = exps / np.sum(exps, axis=axis, keepdims=True)
    return out, (out, axis)


def softmax_backward(grad_out, cache):
    """Gradient of softmax. grad_out: out's shape. Returns dx: x's shape."""
    # The Jacobian is diag(s) - s s^T along the axis, so
    # dx = s * grad_out - s * sum(s * grad_out): one pass, no C x C matrix.
    out, axis = cache
    weighted = np.sum(grad_out * out, axis=axis, keepdims=True)
    return out * (grad_out - weighted)


# Every pair by name, so that tests and exercise checkers can cover them all.
PAIRS = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "elu": (elu_forward, elu_backward),
    "gelu": (gelu_forward, gelu_backward),
    "softmax": (softmax_forward, softmax_backward),
}
