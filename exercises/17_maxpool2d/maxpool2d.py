"""Exercise 17, maxpool2d: max pooling, forward and backward (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling forward pass (PyTorch's ``F.max_pool2d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel_size, stride, padding, dilation : int or (int, int); stride None means kernel_size
    ceil_mode : bool, round the number of windows up

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype,
        H_out = floor-or-ceil((H + 2 * pad_h - dilation_h * (kh - 1) - 1) / stride_h) + 1
    cache : MaxPoolCache (``argmax``: flat indices in each (H, W) plane)
    """
    # TODO: the maximum of each window; remember where it was (the first one on a tie).
    raise NotImplementedError


def max_pool2d_backward(grad_out, cache):
    """Max pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    # TODO: send each output's gradient to the input it copied, adding on overlaps.
    raise NotImplementedError
