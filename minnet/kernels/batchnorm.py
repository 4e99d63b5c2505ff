"""Batch-norm hot loops: per-channel statistics, the fused normalize, the fused backward.

Every kernel sees the input as ``(N, C, S)``: batch, channels, and the
flattened positions of a channel (``S = 1`` for ``(N, C)``, ``L`` for
``(N, C, L)``, ``H * W`` for ``(N, C, H, W)``); statistics are taken over N and
S for each channel. The NumPy references below are the specification, written
the obvious way (two passes for the variance, a temporary per operation); the
numba twins in ``batchnorm_numba.py`` read the input once per kernel.

Output arrays are returned in the input's dtype. The Python wrappers in
``minnet.functional.batchnorm`` validate shapes and dtypes before any kernel runs.
"""

from minnet.kernels.backend import Kernel

_AXES = (0, 2)  # batch and positions: everything but the channel axis


def channel_mean_var(x):
    """Per-channel mean and biased variance.

    Parameters
    ----------
    x : ndarray (N, C, S), float32 or float64, N * S >= 1

    Returns
    -------
    mean : ndarray (C,), x's dtype
    var : ndarray (C,), x's dtype, ``mean((x - mean)**2)`` (divides by N * S)
    """
    mean = x.mean(axis=_AXES)
    centered = x - mean[:, None]
    var = (centered * centered).mean(axis=_AXES)
    return mean, var


def batchnorm_normalize(x, mean, scale, shift):
    """``out[n, c, s] = (x[n, c, s] - mean[c]) * scale[c] + shift[c]``.

    With ``scale = gamma / sqrt(var + eps)`` and ``shift = beta`` this is the
    whole batch-norm forward, without ever storing x_hat.

    Parameters
    ----------
    x : ndarray (N, C, S)
    mean, scale, shift : ndarray (C,), x's dtype

    Returns
    -------
    out : new ndarray (N, C, S), x's dtype
    """
    out = x - mean[:, None]
    out *= scale[:, None]
    out += shift[:, None]
    return out


def channel_grad_sums(grad_out, x, mean):
    """The two reductions of the batch-norm backward, per channel.

    Parameters
    ----------
    grad_out, x : ndarray (N, C, S), same dtype
    mean : ndarray (C,)

    Returns
    -------
    sum_grad : ndarray (C,), ``sum(grad_out)`` (= dL/dbeta)
    sum_grad_centered : ndarray (C,), ``sum(grad_out * (x - mean))``
        (= dL/dgamma * sqrt(var + eps))
    """
    sum_grad = grad_out.sum(axis=_AXES)
    sum_grad_centered = (grad_out * (x - mean[:, None])).sum(axis=_AXES)
    return sum_grad, sum_grad_centered


def batchnorm_input_grad(grad_out, x, mean, grad_scale, centered_scale, shift):
    """``dx[n, c, s] = grad_scale[c] * g + centered_scale[c] * (x - mean[c]) + shift[c]``.

    The closed-form batch-norm input gradient is affine in ``grad_out`` and in
    ``x - mean`` with per-channel coefficients (``batchnorm_backward_alt``
    computes them); this kernel applies them in one pass.

    Parameters
    ----------
    grad_out, x : ndarray (N, C, S), same dtype
    mean, grad_scale, centered_scale, shift : ndarray (C,)

    Returns
    -------
    grad_x : new ndarray (N, C, S), x's dtype
    """
    grad_x = grad_out * grad_scale[:, None]
    centered = x - mean[:, None]
    centered *= centered_scale[:, None]
    grad_x += centered
    grad_x += shift[:, None]
    return grad_x


channel_mean_var = Kernel(channel_mean_var, "batchnorm_numba")
batchnorm_normalize = Kernel(batchnorm_normalize, "batchnorm_numba")
channel_grad_sums = Kernel(channel_grad_sums, "batchnorm_numba")
batchnorm_input_grad = Kernel(batchnorm_input_grad, "batchnorm_numba")
