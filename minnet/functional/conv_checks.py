"""The argument checks of a convolution, shared by the fast pair and the naive loops.

Everything is checked and converted in Python before any kernel runs, so a
wrong argument is the same clear error on both backends.
"""

import numpy as np

from minnet.errors import DTypeError, ShapeError
from minnet.functional.windows import as_tuple, conv_padding, output_shape
from minnet.validation import check_int, owner_name


def prepare_conv(owner, x, w, b, stride, padding, dilation, groups, dims):
    """Check and convert the arguments of a convolution with ``dims`` spatial axes.

    Returns (x, w, b, stride, padding, dilation, groups, output spatial shape):
    x and w C-contiguous in their common float dtype, b in it too (or None),
    stride and dilation as tuples, padding as one (left, right) pair per axis.
    Raises ShapeError / ConfigError / DTypeError naming ``owner`` before any
    kernel runs.
    """
    stride = as_tuple(owner, "stride", stride, dims, minimum=1)
    dilation = as_tuple(owner, "dilation", dilation, dims, minimum=1)
    groups = check_int(owner, "groups", groups, minimum=1)
    x, w = np.asarray(x), np.asarray(w)
    arrays = [x, w] if b is None else [x, w, np.asarray(b)]
    if any(a.dtype.kind not in "fiub" for a in arrays):
        raise DTypeError(f"{owner_name(owner)}: expected float arrays, got dtypes "
                         f"{[str(a.dtype) for a in arrays]}")
    dtype = np.result_type(np.float32, *arrays)  # float32 only when every array allows it
    dtype = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
    w_layout = "(F, C / groups, k)" if dims == 1 else "(F, C / groups, kh, kw)"
    problem = None
    if x.ndim != dims + 2 or w.ndim != dims + 2 or 0 in w.shape:
        problem = (f"expected x of shape {layout} and w of shape {w_layout}, each axis of w "
                   f">= 1, got x {x.shape} and w {w.shape}")
    elif w.shape[0] % groups:
        problem = (f"expected w with a number of filters (w.shape[0]) divisible by "
                   f"groups={groups}, got w of shape {w.shape}")
    elif x.shape[1] != w.shape[1] * groups:
        problem = (f"expected x with {w.shape[1] * groups} channels (w is {w.shape}, "
                   f"groups={groups}), got x of shape {x.shape}")
    elif b is not None and np.shape(b) != (w.shape[0],):
        problem = f"expected b of shape ({w.shape[0]},), got {np.shape(b)}"
    if problem:  # the owner's name only now: a layer's repr takes time to build
        raise ShapeError(f"{owner_name(owner)}: {problem}")
    padding = conv_padding(owner, padding, w.shape[2:], stride, dilation)
    spatial = output_shape(owner, x.shape, w.shape[2:], stride, padding, dilation)
    x = np.ascontiguousarray(x, dtype=dtype)
    w = np.ascontiguousarray(w, dtype=dtype)
    b = None if b is None else np.ascontiguousarray(b, dtype=dtype)
    return x, w, b, stride, padding, dilation, groups, spatial
