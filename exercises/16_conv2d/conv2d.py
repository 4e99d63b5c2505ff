"""Exercise 16, conv2d: convolution (cross-correlation) with stride and padding (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2d convolution forward pass (PyTorch's ``F.conv2d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    w : ndarray (F, C / groups, kh, kw)
    b : ndarray (F,) or None
    stride, dilation : int or (int, int), each >= 1
    padding : int or (int, int) (zeros on both sides), "valid" (0) or "same" (stride 1)
    groups : int >= 1 dividing C and F

    Returns
    -------
    out : ndarray (N, F, H_out, W_out),
        H_out = (H + pad_top + pad_bottom - dilation_h * (kh - 1) - 1) // stride_h + 1
    cache : ConvCache, what ``conv2d_backward`` needs (x, not its columns)
    """
    # TODO: pad x, then one dot product per sample, filter and output position.
    raise NotImplementedError


def conv2d_backward(grad_out, cache, input_grad=True):
    """2d convolution backward pass.

    Parameters
    ----------
    grad_out : ndarray (N, F, H_out, W_out)
    cache : from ``conv2d_forward``
    input_grad : bool
        False skips dx (returned as None), for a first layer whose input is data.

    Returns
    -------
    dx : (N, C, H, W) or None; dw : (F, C / groups, kh, kw); db : (F,) or None without bias
    """
    # TODO: return (dx, dw, db): each output's gradient flows back to its window.
    raise NotImplementedError
