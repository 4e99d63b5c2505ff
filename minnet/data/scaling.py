"""Standardizer: zero mean and unit variance per feature, from training statistics."""

import numpy as np

from minnet.arguments import checked_init
from minnet.errors import DataError, MinnetError, ShapeError
from minnet.validation import QUIET, as_float_array, check_finite


class Standardizer:
    """Scale features to mean 0 and standard deviation 1: ``(X - mean_) / std_``.

    As scikit-learn's StandardScaler. **Fit on the training set only**, then
    transform the training, validation and test sets with the same ``mean_``
    and ``std_``: statistics computed on validation or test data leak them into
    training and make the validation score optimistic.

    Shapes: X is (N, D) or more generally (N, d_1, ..., d_k); every position in
    the trailing shape is a feature with its own statistics (the mean and
    standard deviation are taken over axis 0 only), so ``mean_`` and ``std_``
    have shape X.shape[1:]. For per-channel statistics of (N, C, L) signals,
    move the channel axis and reshape first.

    Attributes (after ``fit``)
    ----------
    mean_ : float64 array of shape X.shape[1:]
    std_ : float64 array of shape X.shape[1:]
        The population standard deviation (ddof=0) used as divisor. A constant
        feature (standard deviation 0, or below the round-off bound
        N * eps * |mean|) gets ``std_ = 1``, as in scikit-learn, so it
        transforms to 0 (up to round-off) instead of NaN or a huge number.
    constant_ : bool array of shape X.shape[1:]
        Marks the constant features.

    ``transform`` keeps a float32 input in float32 and turns anything else into
    float64; it never modifies its input. Raises MinnetError when used before
    ``fit``, ShapeError when the feature shape differs from the one fitted,
    DataError on empty input or NaN/Inf.

    Examples
    --------
    >>> scaler = Standardizer().fit(X_train)
    >>> X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    """

    @checked_init  # Standardizer(X): an ArgumentError saying it takes no arguments
    def __init__(self):
        self.mean_ = None
        self.std_ = None
        self.constant_ = None

    def __repr__(self):
        if self.mean_ is None:
            return "Standardizer()"
        return f"Standardizer(fitted on features of shape {self.mean_.shape})"

    def _check_input(self, X, action):
        X = as_float_array(self, X, what=f"X to {action}")
        if X.ndim < 2:
            raise ShapeError(
                f"Standardizer: expected X of shape (N, D), got {X.shape}; reshape your "
                f"data with X.reshape(-1, 1) if it has a single feature, or "
                f"X.reshape(1, -1) if it is a single sample"
            )
        if len(X) == 0:
            raise DataError(f"Standardizer: cannot {action} an empty X of shape {X.shape}")
        check_finite(self, X, what=f"X to {action}")
        return X

    def fit(self, X):
        """Compute ``mean_`` and ``std_`` over axis 0 of X (N, ...); return self."""
        X = self._check_input(X, "fit")
        with np.errstate(**QUIET):  # values beyond ~1e154: the variance overflows
            mean = X.mean(axis=0, dtype=np.float64)
            std = X.std(axis=0, dtype=np.float64)
        if not np.all(np.isfinite(std)):
            raise DataError(f"Standardizer: the standard deviation of "
                            f"{np.count_nonzero(~np.isfinite(std))} feature(s) overflows float64 "
                            f"(values up to {np.max(np.abs(X)):.3g}); rescale X first")
        # Round-off makes the std of a constant column tiny but not exactly 0
        # (about 1e-15 for 1000 rows of 0.1): summing N values errs by up to
        # N * eps * |mean|, so a std below that is noise, as in sklearn's check.
        eps = np.finfo(X.dtype).eps
        self.constant_ = (std == 0) | (std <= len(X) * eps * np.abs(mean))
        self.mean_ = mean
        self.std_ = np.where(self.constant_, 1.0, std)
        return self

    def _check_fitted(self, X, action):
        if self.mean_ is None:
            raise MinnetError(
                f"Standardizer: {action}() called before fit(); call fit(X_train) first "
                f"(or fit_transform(X_train))"
            )
        X = self._check_input(X, action)
        if X.shape[1:] != self.mean_.shape:
            raise ShapeError(
                f"Standardizer: fitted on X of shape (N, {', '.join(map(str, self.mean_.shape))})"
                f", got X of shape {X.shape}; the feature shape must match"
            )
        return X

    def transform(self, X):
        """Return ``(X - mean_) / std_``, of the shape of X (N, ...)."""
        X = self._check_fitted(X, "transform")
        with np.errstate(**QUIET):  # beyond the float range: inf, as NumPy's own result
            return ((X - self.mean_) / self.std_).astype(X.dtype, copy=False)

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``; for the training set only."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Return ``X * std_ + mean_``: undo ``transform`` (N, ...) -> (N, ...)."""
        X = self._check_fitted(X, "inverse_transform")
        with np.errstate(**QUIET):
            return (X * self.std_ + self.mean_).astype(X.dtype, copy=False)
