"""Hypothesis strategies for minnet's property tests: bounded, finite arrays and shapes.

Every float strategy passes ``elements=`` with NaN, infinities and subnormals
excluded and both bounds set: hypothesis' inferred elements include NaN, and
unbounded floats overflow an exp or a square long before they test anything.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.errors import ConfigError

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _float_dtype(dtype, owner):
    dtype = np.dtype(dtype)
    if dtype not in FLOAT_DTYPES:
        raise ConfigError(f"{owner}: expected dtype float32 or float64, got {dtype}")
    return dtype


def finite_floats(min_value=-10.0, max_value=10.0, dtype=np.float64):
    """Finite, non-subnormal floats in [min_value, max_value], representable in ``dtype``."""
    dtype = _float_dtype(dtype, "finite_floats")
    if not min_value <= max_value:
        raise ConfigError(f"finite_floats: expected min_value <= max_value, got "
                          f"{min_value!r} > {max_value!r}")
    if dtype == np.float32:  # round the bounds inwards to float32 values
        low, high = np.float32(min_value), np.float32(max_value)
        if low < min_value:
            low = np.nextafter(low, np.float32(np.inf))
        if high > max_value:
            high = np.nextafter(high, np.float32(-np.inf))
        min_value, max_value = float(low), float(high)
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False, width=32 if dtype == np.float32 else 64)


def float_arrays(shape, dtype=np.float64, min_value=-10.0, max_value=10.0):
    """Arrays of ``shape`` (a tuple or a strategy of tuples) with bounded finite elements."""
    dtype = _float_dtype(dtype, "float_arrays")
    return hnp.arrays(dtype, shape, elements=finite_floats(min_value, max_value, dtype))


def batch_shapes(min_batch=1, max_batch=8, feature_dims=1, min_side=1, max_side=8):
    """Shapes ``(N, d_1, ..., d_k)`` with N in [min_batch, max_batch], k = ``feature_dims``."""
    sides = [st.integers(min_side, max_side)] * feature_dims
    return st.tuples(st.integers(min_batch, max_batch), *sides)


def layer_sizes(min_size=1, max_size=16):
    """Feature counts for layer constructors (``Linear(in_features, out_features)``)."""
    return st.integers(min_size, max_size)


def float_dtypes():
    """float32 or float64."""
    return st.sampled_from(FLOAT_DTYPES)


def seeds():
    """Seeds for ``rng=`` arguments."""
    return st.integers(0, 2**32 - 1)


@st.composite
def logits_and_labels(draw, min_batch=1, max_batch=8, min_classes=2, max_classes=10,
                      dtype=np.float64, max_abs=20.0):
    """``(logits (N, C), labels (N,) int64 in [0, C))`` for classification losses.

    ``max_abs`` bounds the logits: large enough for saturated softmaxes, small
    enough that a naive (unstable) implementation is not the only one tested.
    """
    batch = draw(st.integers(min_batch, max_batch))
    classes = draw(st.integers(min_classes, max_classes))
    logits = draw(float_arrays((batch, classes), dtype, -max_abs, max_abs))
    labels = draw(hnp.arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)))
    return logits, labels
