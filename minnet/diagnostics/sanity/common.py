"""What the sanity routines share: their seed, a random batch of finite samples, dropout off."""

import numpy as np

from minnet.errors import DataError
from minnet.random import make_rng

DEFAULT_SEED = 20_240_611


def sanity_rng(rng):
    """A Generator for a sanity routine: a fixed seed for ``None`` (reproducible reports)."""
    return np.random.default_rng(DEFAULT_SEED) if rng is None else make_rng(rng)


def is_dropout(module):
    """True for dropout-like modules (by class name, so any Dropout variant counts)."""
    return "Dropout" in type(module).__name__


def dropout_off(model):
    """Put ``model``'s dropout modules in eval mode, the others as they are; return ``model``.

    ``dropout_off(model.train())``: training mode (batch norm on batch
    statistics) with deterministic outputs, as the sanity routines want.
    """
    for module in model.modules():
        if is_dropout(module):
            module.eval()
    return model


def finite_rows(X, y):
    """Indices of the samples whose input and target are all finite."""
    X, y = np.asarray(X), np.asarray(y)
    keep = np.ones(len(X), dtype=bool)
    for array in (X, y):
        if array.dtype.kind in "fc":
            keep &= np.isfinite(array.reshape(len(array), -1)).all(axis=1)
    return np.flatnonzero(keep)


def sample_batch(X, y, size, rng):
    """Up to ``size`` random samples with finite values: ``(X_batch, y_batch)``.

    Random rather than the first ones: data sorted by class would give a
    one-class batch. Raises DataError when no sample is finite.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise DataError(f"sanity checks: X and y must have the same number of samples, "
                        f"got {len(X)} and {len(y)}")
    usable = finite_rows(X, y)
    if usable.size == 0:
        raise DataError("sanity checks: every sample holds a NaN or Inf (see the data checks)")
    chosen = np.sort(rng.permutation(usable)[:size])
    return X[chosen], y[chosen]
