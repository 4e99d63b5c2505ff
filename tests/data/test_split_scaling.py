"""train_val_split and Standardizer."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minnet.data.scaling import Standardizer
from minnet.data.split import train_val_split
from minnet.errors import (
    ArgumentError,
    ConfigError,
    DataError,
    DTypeError,
    MinnetError,
    ShapeError,
)


def indexed(n, d=2):
    """X whose row i is (i, i, ...), and y = i, so splits can be traced back."""
    y = np.arange(n)
    return np.repeat(y[:, None], d, axis=1).astype(np.float64), y


# --- train_val_split -------------------------------------------------------

@given(n=st.integers(2, 80), fraction=st.floats(0.01, 0.99), shuffle=st.booleans(),
       seed=st.integers(0, 1000))
def test_split_partitions_the_samples(n, fraction, shuffle, seed):
    X, y = indexed(n)
    if n - int(np.ceil(fraction * n)) < 1:
        with pytest.raises(DataError, match="no training sample"):
            train_val_split(X, y, fraction, shuffle=shuffle, rng=seed)
        return
    X_train, X_val, y_train, y_val = train_val_split(X, y, fraction, shuffle=shuffle,
                                                     rng=seed)
    assert len(y_val) == int(np.ceil(fraction * n))  # scikit-learn's rounding
    assert len(y_train) + len(y_val) == n
    assert sorted(np.concatenate([y_train, y_val])) == list(range(n))
    np.testing.assert_array_equal(X_train[:, 0], y_train)  # rows stay paired
    np.testing.assert_array_equal(X_val[:, 0], y_val)


def test_split_returns_sklearn_order_and_is_deterministic():
    X, y = indexed(10)
    X_train, X_val, y_train, y_val = train_val_split(X, y, 0.3, rng=4)
    assert X_train.shape == (7, 2) and X_val.shape == (3, 2)
    assert y_train.shape == (7,) and y_val.shape == (3,)
    again = train_val_split(X, y, 0.3, rng=4)
    np.testing.assert_array_equal(again[3], y_val)
    other = train_val_split(X, y, 0.3, rng=5)
    assert not np.array_equal(other[2], y_train)


def test_split_without_shuffle_takes_the_last_samples():
    X, y = indexed(10)
    _, _, y_train, y_val = train_val_split(X, y, 0.2, shuffle=False)
    np.testing.assert_array_equal(y_train, np.arange(8))
    np.testing.assert_array_equal(y_val, [8, 9])


def test_split_with_y_none():
    X, _ = indexed(10)
    X_train, X_val, y_train, y_val = train_val_split(X, None, 0.5, rng=0)
    assert X_train.shape == (5, 2) and X_val.shape == (5, 2)
    assert y_train is None and y_val is None


def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    X = np.arange(100.0)[:, None]
    X_train, X_val, y_train, y_val = train_val_split(X, y, 0.2, stratify=True, rng=0)
    assert np.bincount(y_val).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]
    np.testing.assert_array_equal(y[X_val[:, 0].astype(int)], y_val)
    assert not np.all(np.diff(y_val) >= 0)  # shuffled across classes, not sorted
    # largest remainders: 10 samples owed as 4.5, 4.5 and 1.0 -> 5, 4, 1 (ties in class order)
    y_odd = np.array([0] * 9 + [1] * 9 + [2] * 2)
    _, _, _, y_val_odd = train_val_split(np.zeros((20, 1)), y_odd, 0.5, stratify=True, rng=0)
    assert np.bincount(y_val_odd).tolist() == [5, 4, 1]


def test_stratified_split_keeps_a_training_sample_of_each_class_when_it_can():
    # class 1 is owed 1.2 of its 2 samples; the extra place goes to class 0 instead
    y = np.array([0] * 8 + [1] * 2)
    _, _, y_train, y_val = train_val_split(np.zeros((10, 1)), y, 0.6, stratify=True, rng=0)
    assert len(y_val) == 6 and set(y_train) == {0, 1}


def test_stratify_errors():
    X, y = indexed(10)
    with pytest.raises(ConfigError, match="stratify=True requires shuffle=True"):
        train_val_split(X, y % 2, stratify=True, shuffle=False)
    with pytest.raises(DataError, match="at least 2 samples per class.*class 9"):
        train_val_split(X, np.minimum(y, 9) // 9 * 9, stratify=True)
    with pytest.raises(ShapeError, match="1-D class labels"):
        train_val_split(X, None, stratify=True)
    with pytest.raises(ShapeError, match="1-D class labels"):
        train_val_split(X, np.zeros((10, 2)), stratify=True)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan"), "0.2"])
def test_bad_val_fraction(bad):
    X, y = indexed(10)
    with pytest.raises(ConfigError, match=r"train_val_split.*'val_fraction'"):
        train_val_split(X, y, bad)


def test_split_input_errors():
    X, y = indexed(10)
    with pytest.raises(ShapeError, match=r"train_val_split.*len\(X\)=10.*\(9,\)"):
        train_val_split(X, y[:9])
    with pytest.raises(ShapeError, match="train_val_split.*scalar"):
        train_val_split(np.float64(3.0), None)
    with pytest.raises(DataError, match="train_val_split.*no training sample"):
        train_val_split(X[:1], y[:1], 0.5)
    with pytest.raises(ConfigError, match="train_val_split.*bools"):
        train_val_split(X, y, shuffle="yes")
    with pytest.raises(ShapeError, match="train_val_split: expected X as a rectangular array"):
        train_val_split([[1.0, 2.0], [3.0]], None)  # before: NumPy's 'inhomogeneous shape'


# --- Standardizer ----------------------------------------------------------

finite_floats = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False,
                          allow_subnormal=False)


@given(X=arrays(np.float64, st.tuples(st.integers(2, 20), st.integers(1, 5)),
                elements=finite_floats))
def test_transform_gives_mean_0_std_1_and_inverts(X):
    scaler = Standardizer().fit(X)
    Z = scaler.transform(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-9)
    varying = ~scaler.constant_
    np.testing.assert_allclose(Z.std(axis=0)[varying], 1.0, rtol=1e-6)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-9)


def test_statistics_are_from_fit_only_and_match_numpy():
    rng = np.random.default_rng(0)
    X_train = rng.normal(3.0, 2.0, size=(200, 4))
    X_test = rng.normal(-5.0, 0.5, size=(50, 4))
    scaler = Standardizer()
    Z_train = scaler.fit_transform(X_train)
    np.testing.assert_allclose(scaler.mean_, X_train.mean(axis=0))
    np.testing.assert_allclose(scaler.std_, X_train.std(axis=0))  # ddof=0
    np.testing.assert_allclose(Z_train, (X_train - X_train.mean(0)) / X_train.std(0))
    Z_test = scaler.transform(X_test)  # uses the training statistics
    np.testing.assert_allclose(Z_test, (X_test - X_train.mean(0)) / X_train.std(0))
    assert np.all(Z_test.mean(axis=0) < -3)  # not re-centred on the test set


def test_constant_features_divide_by_one():
    X = np.column_stack([np.full(1000, 0.1), np.arange(1000.0), np.zeros(1000)])
    scaler = Standardizer().fit(X)
    assert scaler.constant_.tolist() == [True, False, True]
    assert scaler.std_[0] == 1.0 and scaler.std_[2] == 1.0
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z[:, [0, 2]], 0.0, atol=1e-12)  # not NaN, not 1e15
    np.testing.assert_allclose(Z[:, 1].std(), 1.0)


def test_trailing_shape_is_per_position_features():
    X = np.random.default_rng(1).normal(size=(30, 2, 5))
    scaler = Standardizer().fit(X)
    assert scaler.mean_.shape == (2, 5) and scaler.std_.shape == (2, 5)
    np.testing.assert_allclose(scaler.transform(X).mean(axis=0), 0.0, atol=1e-12)


def test_dtypes_and_input_not_modified():
    X32 = np.random.default_rng(2).normal(size=(10, 3)).astype(np.float32)
    copy = X32.copy()
    scaler = Standardizer().fit(X32)
    assert scaler.transform(X32).dtype == np.float32
    assert scaler.inverse_transform(X32).dtype == np.float32
    np.testing.assert_array_equal(X32, copy)
    assert Standardizer().fit_transform(np.arange(6).reshape(3, 2)).dtype == np.float64


def test_standardizer_errors():
    X = np.random.default_rng(3).normal(size=(10, 3))
    with pytest.raises(MinnetError, match=r"transform\(\) called before fit"):
        Standardizer().transform(X)
    with pytest.raises(MinnetError, match=r"inverse_transform\(\) called before fit"):
        Standardizer().inverse_transform(X)
    scaler = Standardizer().fit(X)
    with pytest.raises(ShapeError, match=r"Standardizer: fitted on X of shape \(N, 3\).*"
                                         r"\(10, 2\)"):
        scaler.transform(X[:, :2])
    with pytest.raises(ShapeError, match=r"reshape\(-1, 1\)"):
        Standardizer().fit(X[:, 0])
    with pytest.raises(DataError, match="empty"):
        Standardizer().fit(np.zeros((0, 3)))
    with pytest.raises(DataError, match="NaN or Inf"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(DTypeError, match="Standardizer"):
        Standardizer().fit(np.array([["a"], ["b"]]))


def test_standardizer_repr():
    assert repr(Standardizer()) == "Standardizer()"
    assert repr(Standardizer().fit(np.ones((3, 4)))) == "Standardizer(fitted on features of " \
                                                         "shape (4,))"


def test_standardizer_takes_no_arguments():
    """Standardizer(X) (fit is a method): an ArgumentError, not Python's bare TypeError."""
    with pytest.raises(ArgumentError, match="^Standardizer: too many positional arguments"):
        Standardizer(np.zeros((4, 2)))


def test_standardizer_refuses_a_variance_that_overflows():
    """Values beyond ~1e154 overflow the variance: a DataError, not NumPy's 'overflow
    encountered in square' followed by a silent std of inf (every output 0)."""
    X = np.array([[1e200, 0.0], [-1e200, 1.0]])
    with pytest.raises(DataError, match=r"^Standardizer: the standard deviation of 1 "
                                        r"feature\(s\) overflows float64"):
        Standardizer().fit(X)


def test_standardizer_transform_overflows_to_inf_without_warnings():
    """Before: 'overflow encountered in divide' (and in multiply for the inverse)."""
    tiny_std = Standardizer().fit(np.array([[0.0], [1e-100]]))
    huge_std = Standardizer().fit(np.array([[0.0], [1e150]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = tiny_std.transform(np.array([[1e300]]))
        back = huge_std.inverse_transform(np.array([[1e300]]))
    assert out[0, 0] == np.inf and back[0, 0] == np.inf
