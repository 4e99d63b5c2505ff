"""Sliding-window geometry shared by convolution and pooling: arguments and output sizes.

A window of size ``kernel`` slides over an input of size ``size`` padded by
``padding`` on both sides, ``stride`` positions at a time. The number of
positions is PyTorch's floor formula::

    out = (size + 2 * padding - kernel) // stride + 1

which needs ``size + 2 * padding >= kernel``.
"""

import numbers

from minnet.errors import ConfigError, ShapeError
from minnet.validation import owner_name

AXES = {1: ("length",), 2: ("height", "width")}


def as_tuple(owner, name, value, dims, minimum):
    """``value`` (an int, or ``dims`` ints) as a tuple of ``dims`` ints, each >= minimum.

    Raises ConfigError naming the owner and the argument otherwise.
    """
    items = (value,) * dims if _is_int(value) else value
    if (not isinstance(items, (tuple, list)) or len(items) != dims
            or not all(_is_int(item) and item >= minimum for item in items)):
        form = "an int" if dims == 1 else f"an int or a tuple of {dims} ints"
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must be {form}, "
                          f"each >= {minimum}, got {value!r}")
    return tuple(int(item) for item in items)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def output_size(size, kernel, stride, padding):
    """Number of window positions along one axis (PyTorch's floor formula)."""
    return (size + 2 * padding - kernel) // stride + 1


def output_shape(owner, x_shape, kernel, stride, padding):
    """The spatial output shape for input ``x_shape`` (N, C, *spatial).

    Raises ShapeError, stating the sizes, when the kernel is larger than the
    padded input along some axis.
    """
    spatial = tuple(x_shape[2:])
    padded = tuple(size + 2 * pad for size, pad in zip(spatial, padding, strict=True))
    if any(size < k for size, k in zip(padded, kernel, strict=True)):
        axes = " and ".join(AXES[len(spatial)])
        raise ShapeError(
            f"{owner_name(owner)}: expected an input {axes} of at least the kernel size "
            f"{_show(kernel)} once padded by {_show(padding)} on each side, got {_show(spatial)} "
            f"(padded: {_show(padded)}) from input of shape {tuple(x_shape)}; use a smaller "
            f"kernel, more padding or a larger input"
        )
    return tuple(output_size(size, k, s, p)
                 for size, k, s, p in zip(spatial, kernel, stride, padding, strict=True))


def _show(sizes):
    return sizes[0] if len(sizes) == 1 else tuple(sizes)
