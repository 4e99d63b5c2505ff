"""Numba twins of ``minnet.kernels.activations`` (same names, same signatures, same bits).

Each loop reads one or two arrays and writes one, and stores a select, which
LLVM vectorizes.
"""

import numba

JIT = dict(cache=True, error_model="numpy", nogil=True)


@numba.njit(**JIT)
def relu_flat(x, out):
    for i in range(x.size):
        value = x[i]
        # NaN stays NaN and -0.0 becomes 0.0, as in np.maximum(x, 0)
        out[i] = value if value > 0 or value != value else 0


@numba.njit(**JIT)
def relu_grad_flat(grad_out, x, grad_x):
    for i in range(x.size):
        gradient = grad_out[i]
        # the reference multiplies by the mask: 0 * gradient is NaN for inf, -0.0 for < 0
        grad_x[i] = gradient if not x[i] <= 0 else gradient * 0
