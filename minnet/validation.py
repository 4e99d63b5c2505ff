"""Argument and input checks shared by every layer, loss and optimizer.

Each check raises a MinnetError subclass whose message names the owner (a
layer's one-line repr, or a function name), what was expected and what was
given. Layers validate their arguments at construction (fail fast) and their
inputs at every forward, in Python, before any compiled kernel runs.
"""

import functools
import math
import numbers

import numpy as np

from minnet.errors import ConfigError, DataError, DTypeError, MinnetError, ShapeError

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# NaN and inf propagate as in PyTorch, without NumPy's RuntimeWarning text (inf * 0 and
# inf - inf are NaN, a huge value overflows to inf): ``with np.errstate(**QUIET):``
# around the maths.
QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


def quiet_overflow(function):
    """Run ``function`` under ``np.errstate(**QUIET)``: a huge value overflows to inf and
    NaN flows, as in PyTorch, without NumPy's RuntimeWarning text."""
    @functools.wraps(function)
    def quiet(*args, **kwargs):
        with np.errstate(**QUIET):
            return function(*args, **kwargs)
    return quiet


def owner_name(owner):
    """A short name for messages: a string as is, else the object's one-line repr."""
    if isinstance(owner, str):
        return owner
    return " ".join(repr(owner).split())  # a multi-line repr on one line


# --- constructor arguments -------------------------------------------------

def check_int(owner, name, value, minimum=None):
    """Return ``value`` as an int; raise ConfigError unless it is an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(
            f"{owner_name(owner)}: the '{name}' parameter must be an int, "
            f"got {value!r} of type {type(value).__name__}"
        )
    if minimum is not None and value < minimum:
        raise ConfigError(
            f"{owner_name(owner)}: the '{name}' parameter must be an int >= {minimum}, "
            f"got {value!r}"
        )
    return int(value)


def check_float(owner, name, value, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float; raise ConfigError unless it lies in the interval.

    ``low_open=True`` excludes ``low`` (``lr`` must be > 0); ``high_open=True``
    excludes ``high`` (dropout ``p`` in [0, 1)).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not _finite(value):
        raise ConfigError(
            f"{owner_name(owner)}: the '{name}' parameter must be a finite float, "
            f"got {value!r}"
        )
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        low_text = "-inf" if low is None else repr(float(low))
        high_text = "inf" if high is None else repr(float(high))
        raise ConfigError(
            f"{owner_name(owner)}: the '{name}' parameter must be a float in the range "
            f"{left}{low_text}, {high_text}{right}, got {value!r} instead"
        )
    return float(value)


def _finite(value):
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond float range, 10**400
        return False


def check_bool(owner, name, value):
    """Return ``value`` as a bool; raise ConfigError unless it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must be a bool, "
                          f"got {value!r}")
    return bool(value)


def check_choice(owner, name, value, choices):
    """Raise ConfigError unless ``value`` is one of ``choices``."""
    try:
        known = value in choices
    except (TypeError, ValueError):  # an array compares elementwise, a list is unhashable
        known = False
    if not known:
        raise ConfigError(
            f"{owner_name(owner)}: the '{name}' parameter must be one of "
            f"{sorted(choices)}, got {value!r}"
        )
    return value


# --- arrays ----------------------------------------------------------------

def as_float_array(owner, x, dtype=None, what="input"):
    """Return ``x`` as a float ndarray (cast to ``dtype`` when given).

    Integer and bool arrays are converted (a float layer fed ints is common
    and harmless); strings, objects and complex numbers are refused.
    """
    if type(x) is np.ndarray and (x.dtype == dtype if dtype is not None
                                  else x.dtype in FLOAT_DTYPES):
        return x  # the common case in a training loop: nothing to check or convert
    array = as_array(owner, x, what)
    if array.dtype.kind not in "fiub":
        raise DTypeError(
            f"{owner_name(owner)}: expected a float {what}, got an array of dtype "
            f"{array.dtype}"
        )
    target = np.dtype(dtype) if dtype is not None else (
        array.dtype if array.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    )
    if array.dtype == target:
        return array
    with np.errstate(over="ignore", invalid="ignore"):  # 1e39 in float32 is inf, as in torch
        return array.astype(target)


def as_array(owner, x, what="input"):
    """``np.asarray(x)``, with a ShapeError naming ``owner`` for ragged nested lists.

    NumPy refuses ``[[1, 2], [3]]`` with "setting an array element with a
    sequence ... inhomogeneous shape"; a user meant a batch of rows.
    """
    try:
        return np.asarray(x)
    except ValueError as error:
        if "inhomogeneous" not in str(error):
            raise
        raise ShapeError(
            f"{owner_name(owner)}: expected {what} as a rectangular array, got a ragged "
            f"{type(x).__name__} (its rows have different lengths); pad the rows to one "
            f"length, or pass a NumPy array") from None


def as_float_dtype(owner, dtype):
    """Return ``np.dtype(dtype)`` when it is float32 or float64; else a ConfigError.

    ``to("cpu")``, ``to("cuda")`` and ``to(torch.float32)`` are what a PyTorch
    user writes first: the message says what minnet takes instead.
    """
    try:  # np.dtype(None) is float64: None is refused, not taken as the default
        resolved = None if dtype is None else np.dtype(dtype)
    except (TypeError, ValueError, SyntaxError):  # np.dtype(",") parses a record format
        resolved = None
    if resolved is not None and resolved in FLOAT_DTYPES:
        return resolved
    device = isinstance(dtype, str) and dtype.split(":")[0].lower() in (
        "cpu", "cuda", "mps", "xpu", "meta", "gpu")
    given = f"the device {dtype!r}" if device else (
        f"{dtype!r}" if resolved is None else f"dtype {resolved}")
    raise ConfigError(
        f"{owner_name(owner)}: minnet runs on the CPU only and takes dtype float32 or "
        f"float64, got {given}; use .to(np.float32) or .to(np.float64) (a model is always "
        f"on the CPU: there is no device to move it to)")


def check_ndim(owner, x, ndims, layout, hint=None, what="input"):
    """Raise ShapeError unless ``x.ndim`` is in ``ndims``.

    ``layout`` describes the expected shape for the message, e.g. "(N, 784)".
    """
    if x.ndim not in ndims:
        message = (f"{owner_name(owner)}: expected {what} of shape {layout}, "
                   f"got {tuple(x.shape)}")
        if hint:
            message += f"; {hint}"
        raise ShapeError(message)


def check_shape(owner, x, shape, what="input", hint=None):
    """Raise ShapeError unless ``x.shape == shape`` (``what`` names the argument)."""
    if tuple(x.shape) != tuple(shape):
        message = (f"{owner_name(owner)}: expected {what} of shape {tuple(shape)}, "
                   f"got {tuple(x.shape)}")
        if hint:
            message += f"; {hint}"
        raise ShapeError(message)


def check_axis_size(owner, x, axis, size, layout, hint=None, what="input"):
    """Raise ShapeError unless ``x.shape[axis] == size``."""
    if x.shape[axis] != size:
        message = (f"{owner_name(owner)}: expected {what} of shape {layout}, "
                   f"got {tuple(x.shape)}")
        if hint:
            message += f"; {hint}"
        raise ShapeError(message)


def check_finite(owner, x, what="target"):
    """Raise DataError if ``x`` holds NaN or Inf (used on targets, not activations)."""
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise DataError(
            f"{owner_name(owner)}: expected a finite {what}, got {bad} NaN or Inf "
            f"value(s) out of {x.size}"
        )


def check_labels(owner, labels, num_classes, what="target"):
    """Return integer class labels as an int64 array; check the range [0, num_classes)."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)):
            check_finite(owner, labels, what)
        if not np.all(labels == np.round(labels)):
            raise DTypeError(
                f"{owner_name(owner)}: expected integer class labels as {what}, got "
                f"non-integer floats of dtype {labels.dtype}"
            )
    elif labels.dtype.kind not in "iub":
        raise DTypeError(
            f"{owner_name(owner)}: expected integer class labels as {what}, got dtype "
            f"{labels.dtype}"
        )
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise DataError(
            f"{owner_name(owner)}: expected {what} labels in [0, {num_classes}), got "
            f"values from {labels.min()} to {labels.max()}"
        )
    return labels


def check_backward_ready(owner, cache, grad_out, expected_shape):
    """Raise before a backward pass that cannot be right.

    ``cache`` is None when backward runs before forward; ``grad_out`` must
    have the shape of the forward output it is the gradient of.
    """
    if grad_out is None:
        raise MinnetError(
            f"{owner_name(owner)}: backward() received None as grad_out: the layer after it "
            f"was built with input_grad=False. Only a model's first layer may skip its input "
            f"gradient.")
    if cache is None:
        raise MinnetError(
            f"{owner_name(owner)}: backward() called before forward(); run a forward "
            f"pass first (the layer caches what backward needs)"
        )
    if np.shape(grad_out) != tuple(expected_shape):
        raise ShapeError(
            f"{owner_name(owner)}: expected grad_out of shape {tuple(expected_shape)} "
            f"(the shape of the forward output), got {np.shape(grad_out)}"
        )
