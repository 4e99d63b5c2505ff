"""Embedding pair: lookup, and the scatter-add backward with repeated ids."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.errors import ConfigError, DataError, DTypeError, ShapeError
from minnet.functional.embedding import embedding_backward, embedding_forward
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend


def test_forward_looks_up_rows(rng):
    weight = rng.standard_normal((5, 3))
    ids = np.array([[4, 0, 4], [1, 1, 2]])
    out, _ = embedding_forward(ids, weight)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[0, 0], weight[4])
    np.testing.assert_array_equal(out[1, 2], weight[2])
    out[...] = 0  # a new array, not a view of the table
    assert np.all(weight[4] != 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_repeated_ids_collect_every_row(backend):
    ids = np.array([[2, 2, 0], [2, 1, 0]])
    grad_out = np.arange(18, dtype=np.float64).reshape(2, 3, 3)
    with use_backend(backend):
        grad = embedding_backward(grad_out, embedding_forward(ids, np.zeros((4, 3)))[1])
    np.testing.assert_array_equal(grad[2], grad_out[0, 0] + grad_out[0, 1] + grad_out[1, 0])
    np.testing.assert_array_equal(grad[0], grad_out[0, 2] + grad_out[1, 2])
    np.testing.assert_array_equal(grad[1], grad_out[1, 1])
    np.testing.assert_array_equal(grad[3], 0)


@pytest.mark.parametrize("backend", BACKENDS)
@given(vocabulary=st.integers(1, 6), batch=st.integers(1, 4), steps=st.integers(1, 5),
       width=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_backward_matches_numerical_gradient(backend, vocabulary, batch, steps, width, seed):
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((vocabulary, width))
    ids = rng.integers(0, vocabulary, size=(batch, steps))
    grad_out = rng.standard_normal((batch, steps, width))
    with use_backend(backend):
        grad = embedding_backward(grad_out, embedding_forward(ids, weight)[1])
    numeric = numerical_gradient(lambda w: embedding_forward(ids, w)[0], weight, grad_out)
    assert rel_error(grad, numeric) < 1e-8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_adds_into_a_given_gradient_in_its_dtype(dtype, rng):
    weight = rng.standard_normal((4, 2)).astype(dtype)
    ids = np.array([3, 3, 1])
    grad_out = rng.standard_normal((3, 2))  # float64 upstream, cast to the table's dtype
    _, cache = embedding_forward(ids, weight)
    accumulated = np.ones((4, 2), dtype=dtype)
    returned = embedding_backward(grad_out, cache, grad_weight=accumulated)
    assert returned is accumulated and accumulated.dtype == dtype
    np.testing.assert_allclose(accumulated[3], 1 + grad_out[0] + grad_out[1], rtol=1e-6)
    np.testing.assert_array_equal(accumulated[[0, 2]], 1)
    assert embedding_backward(grad_out, cache).dtype == dtype


def test_backward_leaves_grad_out_untouched(rng):
    grad_out = rng.standard_normal((2, 2, 3))
    before = grad_out.copy()
    embedding_backward(grad_out, embedding_forward(np.array([[0, 1], [1, 1]]),
                                                   np.zeros((2, 3)))[1])
    np.testing.assert_array_equal(grad_out, before)


def test_backward_reads_a_time_major_gradient_without_reordering_mistakes(rng):
    """A recurrent layer's dL/dx is a batch-first view of time-major memory."""
    ids = rng.integers(0, 5, size=(3, 4))
    time_major = rng.standard_normal((4, 3, 2))
    view = time_major.transpose(1, 0, 2)  # (N, T, D), not C-contiguous
    assert not view.flags.c_contiguous
    _, cache = embedding_forward(ids, np.zeros((5, 2)))
    np.testing.assert_allclose(embedding_backward(view, cache),
                               embedding_backward(np.ascontiguousarray(view), cache),
                               rtol=1e-15, atol=1e-15)


# --- padding_idx and the checks of every entry point ------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("padding_idx, row", [(2, 2), (-1, 3), (0, 0)])
def test_backward_skips_the_padding_row(backend, padding_idx, row, rng):
    ids = np.array([[2, 3, 0], [2, 1, 3]])
    grad_out = rng.standard_normal((2, 3, 2))
    weight = rng.standard_normal((4, 2))
    _, cache = embedding_forward(ids, weight, padding_idx=padding_idx)
    _, plain = embedding_forward(ids, weight)
    with use_backend(backend):
        grad = embedding_backward(grad_out, cache, grad_weight=np.full((4, 2), 0.5))
        expected = embedding_backward(grad_out, plain) + 0.5
    expected[row] = 0.5  # untouched: no gradient is added to it
    np.testing.assert_allclose(grad, expected, rtol=1e-15)


BAD_CALLS = [
    (lambda: embedding_forward(np.array([[0, 4]]), np.zeros((4, 2))), DataError,
     r"^embedding_forward: expected token ids in \[0, 4\), got ids from 0 to 4"),
    (lambda: embedding_forward(np.array([-1]), np.zeros((4, 2))), DataError, r"from -1 to -1"),
    (lambda: embedding_forward(np.array([0.0]), np.zeros((4, 2))), DTypeError,
     r"^embedding_forward: expected integer token ids, got an array of dtype float64; cast"),
    (lambda: embedding_forward(np.array([0]), np.zeros(4)), ShapeError,
     r"^embedding_forward: expected a weight table of shape \(V, D\), got \(4,\)"),
    (lambda: embedding_forward(np.array([0]), np.zeros((4, 2), int)), DTypeError,
     r"expected a float weight table"),
    (lambda: embedding_forward(np.array([0]), np.zeros((4, 2)), padding_idx=4), ConfigError,
     r"^embedding_forward: the 'padding_idx' parameter must be None or an int in \[-4, 4\)"),
    (lambda: embedding_backward(np.zeros((2, 2)), CACHE), ShapeError,
     r"^embedding_backward: expected grad_out of shape \(2, 3, 2\) \(the forward output's\), "
     r"got \(2, 2\)"),
    (lambda: embedding_backward(np.zeros((2, 3, 3)), CACHE), ShapeError, r"got \(2, 3, 3\)"),
    (lambda: embedding_backward(np.full((2, 3, 2), "x"), CACHE), DTypeError,
     r"expected a float grad_out"),
    (lambda: embedding_backward(np.zeros((2, 3, 2)), CACHE, grad_weight=np.zeros((3, 2))),
     ShapeError, r"^embedding_backward: expected grad_weight of shape \(4, 2\) \(the table's\), "
                 r"got ndarray of shape \(3, 2\)"),
    (lambda: embedding_backward(np.zeros((2, 3, 2)), CACHE, grad_weight=[[0.0] * 2] * 4),
     ShapeError, r"got list of shape \(4, 2\)"),
    (lambda: embedding_backward(np.zeros((2, 3, 2)), CACHE, grad_weight=np.zeros((4, 2), int)),
     DTypeError, r"expected grad_weight to be a writeable float array .* dtype int64"),
    (lambda: embedding_backward(np.zeros((2, 3, 2)), CACHE, grad_weight=READ_ONLY), DTypeError,
     r"got a read-only array of dtype float64"),
]
CACHE = embedding_forward(np.array([[0, 1, 3], [3, 3, 2]]), np.zeros((4, 2)))[1]
READ_ONLY = np.zeros((4, 2))
READ_ONLY.flags.writeable = False


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_entry_points_refuse_bad_arguments_on_both_backends(backend, call, error, message):
    """Before, an out-of-range grad_weight or id made the numba kernel write out of bounds."""
    with use_backend(backend), pytest.raises(error, match=message):
        call()
