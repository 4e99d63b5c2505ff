"""DataLoader: every sample once per epoch, a new order each epoch, clear errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.data.loader import DataLoader
from minnet.errors import ArgumentError, ConfigError, DataError, ShapeError


def make_data(n=10, d=3):
    X = np.arange(n * d, dtype=np.float64).reshape(n, d)
    y = np.arange(n, dtype=np.int64)  # y[i] == i identifies the sample
    return X, y


@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_len_and_batches_cover_each_sample_once(n, batch_size, shuffle, drop_last, seed):
    X, y = make_data(n)
    if drop_last and n < batch_size:
        with pytest.raises(ConfigError, match="no batch"):
            DataLoader(X, y, batch_size, shuffle, drop_last, rng=seed)
        return
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        rng=seed)
    batches = list(loader)
    assert len(batches) == len(loader)
    expected_len = n // batch_size if drop_last else -(-n // batch_size)
    assert len(loader) == expected_len
    seen = np.concatenate([yb for _, yb in batches])
    assert len(seen) == (expected_len * batch_size if drop_last else n)
    assert len(np.unique(seen)) == len(seen)  # without replacement
    for X_batch, y_batch in batches:
        np.testing.assert_array_equal(X_batch, X[y_batch])  # rows stay paired
        assert len(X_batch) <= batch_size
    if not drop_last:
        assert sorted(seen) == list(range(n))


def test_no_shuffle_keeps_the_order_and_yields_views():
    X, y = make_data(10)
    loader = DataLoader(X, y, batch_size=4, shuffle=False)
    batches = list(loader)
    assert [list(yb) for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(np.shares_memory(xb, X) for xb, _ in batches)


def test_a_new_permutation_every_epoch_and_the_same_sequence_for_the_same_seed():
    X, y = make_data(50)
    loader = DataLoader(X, y, batch_size=50, rng=7)
    epochs = [next(iter(loader))[1] for _ in range(3)]
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], np.arange(50))
    again = DataLoader(X, y, batch_size=50, rng=7)
    for expected in epochs:
        np.testing.assert_array_equal(next(iter(again))[1], expected)


def test_shuffle_uses_the_generator_given():
    X, y = make_data(20)
    order = next(iter(DataLoader(X, y, batch_size=20, rng=np.random.default_rng(3))))[1]
    np.testing.assert_array_equal(order, np.random.default_rng(3).permutation(20))


def test_replacement_draws_len_x_samples_with_repeats():
    X, y = make_data(200)
    loader = DataLoader(X, y, batch_size=64, rng=0, replacement=True)
    assert len(loader) == 4
    seen = np.concatenate([yb for _, yb in loader])
    assert len(seen) == 200
    assert len(np.unique(seen)) < 200  # repeats (all distinct has probability ~1e-87)
    with pytest.raises(ConfigError, match="replacement=True.*shuffle=True"):
        DataLoader(X, y, shuffle=False, replacement=True)


def test_y_none_yields_x_batches_with_none():
    X, _ = make_data(5)
    batches = list(DataLoader(X, None, batch_size=2, shuffle=False))
    assert [yb for _, yb in batches] == [None, None, None]
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X)


def test_multidimensional_x_and_y():
    X = np.zeros((6, 2, 3, 4))
    y = np.zeros((6, 5))
    X_batch, y_batch = next(iter(DataLoader(X, y, batch_size=4, rng=0)))
    assert X_batch.shape == (4, 2, 3, 4) and y_batch.shape == (4, 5)


def test_length_mismatch_names_the_loader_and_both_lengths():
    X, y = make_data(10)
    with pytest.raises(ShapeError, match=r"DataLoader.*len\(X\)=10.*len\(y\)=9"):
        DataLoader(X, y[:9])


@pytest.mark.parametrize("bad", [0, -1, 2.0, None])
def test_bad_batch_size(bad):
    X, y = make_data(10)
    with pytest.raises(ConfigError, match=r"DataLoader.*'batch_size'"):
        DataLoader(X, y, batch_size=bad)


@pytest.mark.parametrize("name", ["shuffle", "drop_last", "replacement"])
def test_flags_must_be_bools(name):
    X, y = make_data(10)
    with pytest.raises(ConfigError, match=f"DataLoader.*'{name}'.*bool"):
        DataLoader(X, y, **{name: "yes"})


def test_empty_and_scalar_inputs():
    with pytest.raises(DataError, match="DataLoader.*empty"):
        DataLoader(np.zeros((0, 3)), np.zeros(0))
    with pytest.raises(ShapeError, match="DataLoader.*X.*scalar"):
        DataLoader(np.float64(1.0), None)
    with pytest.raises(ShapeError, match="DataLoader.*y.*scalar"):
        DataLoader(np.zeros((3, 2)), 3)


def test_bad_rng_is_refused():
    X, y = make_data(10)
    with pytest.raises(ConfigError, match="rng"):
        DataLoader(X, y, rng="seed")


def test_repr():
    X, y = make_data(10)
    assert repr(DataLoader(X, y, batch_size=4)) == (
        "DataLoader(num_samples=10, batch_size=4, shuffle=True, drop_last=False, "
        "replacement=False)")


def test_a_wrong_argument_is_an_argument_error_naming_the_loader():
    """Before: Python's 'DataLoader.__init__() got an unexpected keyword argument'."""
    with pytest.raises(ArgumentError, match="^DataLoader: unknown argument 'batchsize'; did you "
                                            "mean 'batch_size'?"):
        DataLoader(np.zeros((4, 2)), batchsize=2)


def test_a_ragged_list_is_a_shape_error():
    """Before: NumPy's 'inhomogeneous shape' ValueError."""
    with pytest.raises(ShapeError, match="^DataLoader: expected X as a rectangular array"):
        DataLoader([[1.0, 2.0], [3.0]])
    with pytest.raises(ShapeError, match="^DataLoader: expected y as a rectangular array"):
        DataLoader(np.zeros((2, 2)), [[0], [1, 1]])
