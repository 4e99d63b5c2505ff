"""The affine map ``out = x @ w.T + b`` with PyTorch's weight layout (out, in)."""



def linear_forward(x, w, b=None):
    """Affine forward pass.

    Parameters
    ----------
    x : ndarray of shape (N, D_in)
    w : ndarray of shape (D_out, D_in)
    b : ndarray of shape (D_out,) or None

    Returns
    -------
    out : ndarray of shape (N, D_out)
    cache : (x, w, has_bias)
    """
    out = x @ w.T
    if b is not None:
        out += b
    return out, (x, w, b is not None)


def linear_backward(grad_out, cache, input_grad=True):
    """Affine backward pass.

    out[n, j] = sum_i x[n, i] w[j, i] + b[j], so
    dx = grad_out @ w, dw = grad_out.T @ x, db = sum over the batch of grad_out.

    Parameters
    ----------
    grad_out : ndarray of shape (N, D_out)
    cache : from ``linear_forward``
    input_grad : bool
        False skips dx (returned as None): one matrix product as large as dw's.

    Returns
    -------
    dx : (N, D_in) or None; dw : (D_out, D_in); db : (D_out,) or None without bias
    """
    x, w, has_bias = cache
    dx = grad_out @ w if input_grad else None
    dw = grad_out.T @ x
    db = grad_out.sum(axis=0) if has_bias else None
    return dx, dw, db
