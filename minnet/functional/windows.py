"""Sliding-window geometry shared by convolution and pooling: arguments and output sizes.

A window of ``kernel`` taps, ``dilation`` apart, slides over an input of
size ``size`` padded by ``left`` and ``right`` zeros, ``stride`` positions
at a time. It spans ``dilation * (kernel - 1) + 1`` positions (the dilated
kernel size), and the number of positions is PyTorch's formula::

    out = floor((size + left + right - dilation * (kernel - 1) - 1) / stride) + 1

Pooling may round up instead (``ceil_mode``), keeping PyTorch's rule that
the last window must start inside the input or the left padding (so with
``ceil_mode`` a kernel may even exceed a short input: one partial window). Every
check raises before a kernel runs: an empty input, a window larger than the
padded input, a pooling window that covers only padding.
"""

import numbers

import numpy as np

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.validation import QUIET, as_array, owner_name

AXES = {1: ("length",), 2: ("height", "width")}
PADDING_STRINGS = ("same", "valid")


def as_tuple(owner, name, value, dims, minimum):
    """``value`` (an int, or ``dims`` ints) as a tuple of ``dims`` ints, each >= minimum.

    Raises ConfigError naming the owner and the argument otherwise.
    """
    if type(value) is tuple and len(value) == dims and all(  # the layers' checked tuples
            type(item) is int and item >= minimum for item in value):
        return value
    items = (value,) * dims if _is_int(value) else value
    if (not isinstance(items, (tuple, list)) or len(items) != dims
            or not all(_is_int(item) and item >= minimum for item in items)):
        form = "an int" if dims == 1 else f"an int or a tuple of {dims} ints"
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must be {form}, "
                          f"each >= {minimum}, got {value!r}")
    return tuple(int(item) for item in items)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def conv_padding(owner, padding, kernel, stride, dilation):
    """A convolution's padding as one ``(left, right)`` pair per spatial axis.

    ``padding`` is an int, a tuple of ints (the same on both sides), ``"valid"``
    (none) or ``"same"`` (the output keeps the input's size; only with stride 1,
    as in PyTorch). "same" pads ``dilation * (kernel - 1)`` in all, and when
    that total is odd the extra zero goes on the right (bottom), as PyTorch does.
    """
    dims = len(kernel)
    if isinstance(padding, str):
        if padding not in PADDING_STRINGS:
            raise ConfigError(f"{owner_name(owner)}: the 'padding' parameter must be an int, a "
                              f"tuple of {dims} ints, 'valid' or 'same', got {padding!r}")
        if padding == "valid":
            return ((0, 0),) * dims
        if any(step != 1 for step in stride):
            raise ConfigError(f"{owner_name(owner)}: padding='same' is not supported for "
                              f"strided convolutions (stride={_show(stride)}), as in PyTorch; "
                              f"give the padding as ints, or use stride=1")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((total // 2, total - total // 2) for total in totals)
    return tuple((pad, pad) for pad in as_tuple(owner, "padding", padding, dims, minimum=0))


def output_size(size, kernel, stride, left, right, dilation=1, ceil_mode=False):
    """Number of window positions along one axis (PyTorch's formula); <= 0 when none fits."""
    span = size + left + right - dilation * (kernel - 1) - 1
    count = (span + (stride - 1 if ceil_mode else 0)) // stride + 1  # floor, or ceil
    if ceil_mode and (count - 1) * stride >= size + left:
        count -= 1  # the last window would start in the right padding
    return count


def output_shape(owner, x_shape, kernel, stride, padding, dilation=None, ceil_mode=False):
    """The spatial output shape for input ``x_shape`` (N, C, *spatial).

    ``padding`` holds one int (both sides) or one ``(left, right)`` pair per
    axis; ``dilation`` defaults to 1. Raises ShapeError, stating the sizes,
    when an input axis is empty or the dilated kernel is larger than the
    padded input along some axis.
    """
    spatial = tuple(x_shape[2:])
    dims = len(spatial)
    pairs = tuple(pad if isinstance(pad, tuple) else (pad, pad) for pad in padding)
    dilation = (1,) * dims if dilation is None else dilation
    axes = " and ".join(AXES[dims])
    check_not_empty(owner, x_shape)
    sizes = tuple(output_size(size, k, s, left, right, d, ceil_mode)
                  for size, k, s, (left, right), d
                  in zip(spatial, kernel, stride, pairs, dilation, strict=True))
    if min(sizes) <= 0:
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        what = f"the kernel size {_show(kernel)}"
        if any(d != 1 for d in dilation):
            what = (f"the dilated kernel size {_show(span)} (kernel_size {_show(kernel)}, "
                    f"dilation {_show(dilation)})")
        padded = tuple(size + left + right for size, (left, right) in zip(spatial, pairs))
        raise ShapeError(
            f"{owner_name(owner)}: expected an input {axes} of at least {what} once padded by "
            f"{_show_padding(pairs)}, got {_show(spatial)} (padded: {_show(padded)}) from input "
            f"of shape {tuple(x_shape)}; use a smaller kernel, more padding or a larger input")
    return sizes


def check_not_empty(owner, x_shape):
    """Raise ShapeError when a spatial axis of ``x_shape`` (N, C, *spatial) is empty."""
    spatial = tuple(x_shape[2:])
    if 0 in spatial:
        axes = " and ".join(AXES[len(spatial)])
        raise ShapeError(f"{owner_name(owner)}: expected a non-empty input {axes}, got "
                         f"{_show(spatial)} from input of shape {tuple(x_shape)}; there is "
                         f"nothing to slide a window over")


def check_windows_hold_input(owner, x_shape, kernel, stride, padding, dilation, out_shape):
    """Raise ShapeError when some pooling window covers only padding (dilated windows can).

    Without dilation PyTorch's rules (padding at most half the kernel, the
    last window starting inside the input or the left padding) already
    ensure every window holds an input; with dilation the taps can step over
    a short input entirely, and the maximum of nothing is undefined.
    """
    for axis, (size, k, s, pad, d, count) in enumerate(zip(
            x_shape[2:], kernel, stride, padding, dilation, out_shape, strict=True)):
        taps = np.arange(count)[:, None] * s - pad + d * np.arange(k)[None, :]
        empty = ~((taps >= 0) & (taps < size)).any(axis=1)
        if empty.any():
            name = AXES[len(kernel)][axis]
            raise ShapeError(
                f"{owner_name(owner)}: window {int(np.argmax(empty))} along the {name} covers "
                f"only padding (kernel_size {k}, dilation {d}, padding {pad}, stride {s}, input "
                f"{name} {size}) in input of shape {tuple(x_shape)}; use less dilation or "
                f"padding, or a larger input")


def check_grad_out(owner, grad_out, shape, dtype):
    """``grad_out`` as a C-contiguous array of ``dtype``; ShapeError unless its shape is ``shape``.

    DTypeError for a non-numeric (string, object, complex) gradient.
    """
    grad_out = as_array(owner, grad_out, what="grad_out")
    if grad_out.dtype.kind not in "fiub":
        raise DTypeError(f"{owner_name(owner)}: expected a float grad_out, got an array of dtype "
                         f"{grad_out.dtype}")
    if grad_out.shape != tuple(shape):
        raise ShapeError(f"{owner_name(owner)}: expected grad_out of shape {tuple(shape)} (the "
                         f"forward output's), got {grad_out.shape}")
    with np.errstate(**QUIET):  # a float64 beyond float32's range becomes inf, as in PyTorch
        return np.ascontiguousarray(grad_out, dtype=dtype)


def _show(sizes):
    return sizes[0] if len(sizes) == 1 else tuple(sizes)


def _show_padding(pairs):
    if all(left == right for left, right in pairs):
        return f"{_show(tuple(left for left, _ in pairs))} on each side"
    return (f"{_show(tuple(left for left, _ in pairs))} before and "
            f"{_show(tuple(right for _, right in pairs))} after")
