"""Embedding pair: lookup, and the scatter-add backward with repeated ids."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
