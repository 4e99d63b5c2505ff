"""The affine map ``out = x @ w.T + b`` with PyTorch's weight layout (out, in).

As in PyTorch, the map applies to the last axis: x of shape (N, *, D_in)
gives (N, *, D_out), every leading position transformed by the same w and b.
Non-finite values propagate as in PyTorch (inf * 0 is NaN), without NumPy's
RuntimeWarnings.
"""

import numpy as np

from minnet.errors import ShapeError
from minnet.validation import QUIET, as_float_array


def _check_arguments(x, w, b):
    owner = "linear_forward"
    x = as_float_array(owner, x)
    w = as_float_array(owner, w, what="weight w")
    if w.ndim != 2:
        raise ShapeError(f"{owner}: expected w of shape (D_out, D_in), got {w.shape}")
    if x.ndim < 2 or x.shape[-1] != w.shape[1]:
        raise ShapeError(f"{owner}: expected x of shape (N, *, {w.shape[1]}) (its last axis "
                         f"w's D_in; w is {w.shape}), got {x.shape}")
    if b is not None:
        b = as_float_array(owner, b, what="bias b")
        if b.shape != (w.shape[0],):
            raise ShapeError(f"{owner}: expected b of shape ({w.shape[0]},) (w is {w.shape}), "
                             f"got {b.shape}")
    return x, w, b


def linear_forward(x, w, b=None):
    """Affine forward pass on the last axis.

    Parameters
    ----------
    x : ndarray of shape (N, D_in) or (N, *, D_in)
    w : ndarray of shape (D_out, D_in)
    b : ndarray of shape (D_out,) or None

    Returns
    -------
    out : ndarray of shape (N, D_out) or (N, *, D_out)
    cache : (x, w, has_bias)
    """
    x, w, b = _check_arguments(x, w, b)
    with np.errstate(**QUIET):
        out = x.reshape(-1, w.shape[1]) @ w.T  # every leading position is one row
        if b is not None:
            out += b
    return out.reshape(x.shape[:-1] + (w.shape[0],)), (x, w, b is not None)


def linear_backward(grad_out, cache, input_grad=True):
    """Affine backward pass.

    With the leading axes flattened into M rows, out[m, j] = sum_i x[m, i] w[j, i] + b[j], so
    dx = grad_out @ w, dw = grad_out.T @ x, db = sum over the rows of grad_out
    (a weight used at every position collects every position's gradient).

    Parameters
    ----------
    grad_out : ndarray of shape (N, D_out) or (N, *, D_out), the forward output's
    cache : from ``linear_forward``
    input_grad : bool
        False skips dx (returned as None): one matrix product as large as dw's.

    Returns
    -------
    dx : x's shape, or None; dw : (D_out, D_in); db : (D_out,) or None without bias
    """
    return linear_backward_into(grad_out, cache, input_grad, None)


def linear_backward_into(grad_out, cache, input_grad, grad_w_out):
    """``linear_backward`` writing dw into ``grad_w_out`` (D_out, D_in), or a new array for None.

    The Linear layer passes its weight's zeroed ``.grad`` (``Parameter.fresh_grad``):
    the product lands there, with no temporary and no pass adding it to the zeros.
    """
    x, w, has_bias = cache
    grad_out = as_float_array("linear_backward", grad_out, what="grad_out")
    expected = x.shape[:-1] + (w.shape[0],)
    if grad_out.shape != expected:
        raise ShapeError(f"linear_backward: expected grad_out of shape {expected} (the "
                         f"forward output's), got {grad_out.shape}")
    rows = grad_out.reshape(-1, w.shape[0])
    with np.errstate(**QUIET):
        dx = (rows @ w).reshape(x.shape) if input_grad else None
        dw = np.matmul(rows.T, x.reshape(-1, w.shape[1]), out=grad_w_out)
        db = rows.sum(axis=0) if has_bias else None
    return dx, dw, db

