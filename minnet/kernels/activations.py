"""ReLU's forward and backward over flat arrays: NumPy references and their dispatch.

ReLU runs on the largest activations of a CNN (the first convolution's
output), where NumPy's forward allocates once but its backward makes two
boolean temporaries and a cast before the product; the numba twins are one
pass each, 2-4x faster (measured: benchmarks/README.md). Both keep NumPy's
semantics exactly: a NaN input stays NaN, and the backward multiplies by the
mask, so a NaN or infinite gradient where x <= 0 gives NaN (and a negative
gradient there -0.0), bit for bit.

``relu`` and ``relu_grad`` take arrays of any shape and make them C-contiguous
(a copy only when they are not); the kernels see flat views.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def relu_flat(x, out):
    """``out = max(x, 0)``, NaN kept. x, out: (size,), one float dtype; out overwritten."""
    np.maximum(x, 0, out=out)


def relu_grad_flat(grad_out, x, grad_x):
    """``grad_x = grad_out * (not x <= 0)``. All (size,); grad_x has grad_out's dtype."""
    np.multiply(grad_out, ~(x <= 0), out=grad_x)


relu_flat = Kernel(relu_flat, "activations_numba")
relu_grad_flat = Kernel(relu_grad_flat, "activations_numba")


def _contiguous(array):
    # not np.ascontiguousarray: it turns a 0-d array into a 1-d one
    return array if array.flags.c_contiguous else array.copy()


def relu(x):
    """``max(x, 0)`` of a float array of any shape; a new array of x's shape and dtype."""
    x = _contiguous(x)
    out = np.empty_like(x)
    relu_flat(x.reshape(-1), out.reshape(-1))
    return out


def relu_grad(grad_out, x):
    """dL/dx of ReLU: ``grad_out`` where x > 0 (or NaN), ``grad_out * 0`` elsewhere.

    grad_out, x : float arrays of one shape; returns an array of grad_out's dtype.
    """
    grad_out, x = _contiguous(grad_out), _contiguous(x)
    grad_x = np.empty_like(grad_out)
    relu_grad_flat(grad_out.reshape(-1), x.reshape(-1), grad_x.reshape(-1))
    return grad_x
