"""Recurrent pairs: textbook steps vs numerical gradients, fast sequences vs the naive loops."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.functional import gru, lstm, rnn
from minnet.functional.recurrent import sigmoid
from minnet.functional.recurrent_stack import recurrent_stack_forward
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend

# name -> (gates, fast pair, naive pair, step pair, state names, extra keyword arguments)
CELLS = {
    "rnn_tanh": (1, (rnn.rnn_forward, rnn.rnn_backward),
                 (rnn.rnn_forward_naive, rnn.rnn_backward_naive),
                 (rnn.rnn_step_forward, rnn.rnn_step_backward), ("h0",),
                 {"nonlinearity": "tanh"}),
    "rnn_relu": (1, (rnn.rnn_forward, rnn.rnn_backward),
                 (rnn.rnn_forward_naive, rnn.rnn_backward_naive),
                 (rnn.rnn_step_forward, rnn.rnn_step_backward), ("h0",),
                 {"nonlinearity": "relu"}),
    "lstm": (4, (lstm.lstm_forward, lstm.lstm_backward),
             (lstm.lstm_forward_naive, lstm.lstm_backward_naive),
             (lstm.lstm_step_forward, lstm.lstm_step_backward), ("h0", "c0"), {}),
    "gru": (3, (gru.gru_forward, gru.gru_backward),
            (gru.gru_forward_naive, gru.gru_backward_naive),
            (gru.gru_step_forward, gru.gru_step_backward), ("h0",), {}),
}


def parameters(rng, gates, features, hidden, dtype=np.float64):
    """w_ih, w_hh, b_ih, b_hh at a scale that keeps every gate away from saturation."""
    shapes = [(gates * hidden, features), (gates * hidden, hidden), (gates * hidden,),
              (gates * hidden,)]
    return [(0.5 * rng.standard_normal(shape)).astype(dtype) for shape in shapes]


def initial_states(rng, names, batch, hidden, given_states):
    return {name: rng.standard_normal((batch, hidden)) if given_states else None
            for name in names}


@pytest.mark.parametrize("cell", CELLS)
def test_step_backward_matches_numerical_gradient(cell, rng):
    gates, _, _, (step_forward, step_backward), names, options = CELLS[cell]
    batch, features, hidden = 3, 4, 5
    x = rng.standard_normal((batch, features))
    states = [rng.standard_normal((batch, hidden)) for _ in names]
    weights = parameters(rng, gates, features, hidden)
    upstream = [rng.standard_normal((batch, hidden)) for _ in names]  # dL/dh (and dL/dc)
    step_forward(x, *states, *weights, **options)
    cache = step_forward(x, *states, *weights, **options)[-1]
    analytic = step_backward(*upstream, cache)

    def loss(_):
        outputs = step_forward(x, *states, *weights, **options)[:-1]
        return sum(np.sum(out * grad) for out, grad in zip(outputs, upstream))

    inputs = [x, *states, *weights]
    for value, grad in zip(inputs, analytic, strict=True):
        assert rel_error(grad, numerical_gradient(loss, value)) < 1e-5


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("backend", BACKENDS)
@given(batch=st.integers(1, 4), steps=st.integers(1, 5), features=st.integers(1, 4),
       hidden=st.integers(1, 5), sequences=st.booleans(), given_states=st.booleans(),
       final_grads=st.booleans(), seed=st.integers(0, 2**16))
def test_fast_pair_matches_the_naive_loop(cell, backend, batch, steps, features, hidden,
                                          sequences, given_states, final_grads, seed):
    gates, (forward, backward), (forward_naive, backward_naive), _, names, options = CELLS[cell]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, features))
    weights = parameters(rng, gates, features, hidden)
    states = initial_states(rng, names, batch, hidden, given_states)
    options = {**options, "return_sequences": sequences}
    # gradients of the final states (h_n, c_n) from another path than the output
    finals = {f"grad_{name[0]}_n": rng.standard_normal((batch, hidden)) if final_grads else None
              for name in names}
    with use_backend(backend):
        out, cache = forward(x, *weights, **states, **options)
        expected, naive_cache = forward_naive(x, *weights, **states, **options)
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
        assert out.shape == ((batch, steps, hidden) if sequences else (batch, hidden))
        grad_out = rng.standard_normal(out.shape)
        grads = backward(grad_out, cache, **finals)
        expected_grads = backward_naive(grad_out, naive_cache, **finals)
    assert len(grads) == len(expected_grads) == 1 + len(names) + 4
    for grad, want in zip(grads, expected_grads, strict=True):
        if want is None:
            assert grad is None and not given_states
        else:
            np.testing.assert_allclose(grad, want, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("cell", CELLS)
def test_fast_backward_matches_numerical_gradient_through_time(cell, rng):
    gates, (forward, backward), _, _, names, options = CELLS[cell]
    batch, steps, features, hidden = 2, 4, 3, 3
    x = rng.standard_normal((batch, steps, features))
    weights = parameters(rng, gates, features, hidden)
    states = initial_states(rng, names, batch, hidden, True)
    grad_out = rng.standard_normal((batch, steps, hidden))
    grads = backward(grad_out, forward(x, *weights, **states, **options)[1])
    inputs = [x, *states.values(), *weights]
    for value, grad in zip(inputs, grads, strict=True):
        numeric = numerical_gradient(
            lambda _: forward(x, *weights, **states, **options)[0], value, grad_out)
        assert rel_error(grad, numeric) < 1e-6


@pytest.mark.parametrize("cell", CELLS)
def test_backward_is_linear_in_the_upstream_gradient(cell, rng):
    gates, (forward, backward), _, _, names, options = CELLS[cell]
    x = rng.standard_normal((3, 4, 2))
    _, cache = forward(x, *parameters(rng, gates, 2, 3), **options)
    first, second = rng.standard_normal((3, 4, 3)), rng.standard_normal((3, 4, 3))
    together = backward(2 * first - second, cache)
    apart = [backward(first, cache), backward(second, cache)]
    for total, one, two in zip(together, *apart):
        if total is not None:
            np.testing.assert_allclose(total, 2 * one - two, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("batch", [1, 2])  # batch 1: a transpose is contiguous, no copy
@pytest.mark.parametrize("sequences", [True, False])
def test_pairs_do_not_modify_their_inputs_and_keep_float32(cell, batch, sequences, rng):
    gates, (forward, backward), _, _, names, options = CELLS[cell]
    x = rng.standard_normal((batch, 3, 2)).astype(np.float32)
    weights = parameters(rng, gates, 2, 4, np.float32)
    copies = [x.copy(), *(w.copy() for w in weights)]
    out, cache = forward(x, *weights, **options, return_sequences=sequences)
    out_copy = out.copy()
    grad_out = rng.standard_normal(out.shape).astype(np.float32)
    grad_copy = grad_out.copy()
    grads = backward(grad_out, cache)
    for before, after in zip(copies, [x, *weights]):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(grad_out, grad_copy)
    out[...] = 0  # the output is the caller's: writing into it leaves the cache intact
    for again, first in zip(backward(grad_out, cache), grads):
        if first is not None:
            np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(forward(x, *weights, **options, return_sequences=sequences)[0],
                                  out_copy)
    assert out.dtype == np.float32
    assert all(grad.dtype == np.float32 for grad in grads if grad is not None)


def test_last_state_gradient_equals_a_sequence_gradient_on_the_last_step(rng):
    x = rng.standard_normal((2, 3, 2))
    weights = parameters(rng, 4, 2, 3)
    _, cache = lstm.lstm_forward(x, *weights)
    last = rng.standard_normal((2, 3))
    sequence = np.zeros((2, 3, 3))
    sequence[:, -1] = last
    for a, b in zip(lstm.lstm_backward(last, cache), lstm.lstm_backward(sequence, cache)):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_gru_follows_pytorch_equations(rng):
    """b_hn sits inside r * (...): a change of b_hn is scaled by r, unlike b_in."""
    x, h = rng.standard_normal((1, 1, 2)), rng.standard_normal((1, 1))
    w_ih, w_hh, b_ih, b_hh = parameters(rng, 3, 2, 1)
    out = gru.gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0=h)[0][0, 0, 0]
    r = sigmoid(x[0, 0] @ w_ih[0] + b_ih[0] + h[0] @ w_hh[0] + b_hh[0])
    z = sigmoid(x[0, 0] @ w_ih[1] + b_ih[1] + h[0] @ w_hh[1] + b_hh[1])
    n = np.tanh(x[0, 0] @ w_ih[2] + b_ih[2] + r * (h[0] @ w_hh[2] + b_hh[2]))
    assert out == pytest.approx((1 - z) * n + z * h[0, 0], rel=1e-14)


def test_sigmoid_helper_is_stable_and_exact(rng):
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    np.testing.assert_allclose(sigmoid(x), [0.0, 1 / (1 + np.exp(30.0)), 0.5,
                                            1 / (1 + np.exp(-30.0)), 1.0], rtol=1e-14)
    assert sigmoid(x.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_workspace_reuses_buffers_and_changes_no_result(cell, backend, rng):
    gates, (forward, backward), _, _, names, options = CELLS[cell]
    workspace, before_first = {}, None
    with use_backend(backend):
        for steps in (3, 3, 5):  # the second call reuses, the third reallocates (new shape)
            x = rng.standard_normal((2, steps, 3))
            weights = parameters(rng, gates, 3, 4)
            grad_out = rng.standard_normal((2, steps, 4))
            out, cache = forward(x, *weights, **options, workspace=workspace)
            grads = [None if g is None else g.copy()
                     for g in backward(grad_out, cache, workspace=workspace)]
            before = {name: id(array) for name, array in workspace.items()}
            expected, plain_cache = forward(x, *weights, **options)
            np.testing.assert_array_equal(out, expected)
            for grad, want in zip(grads, backward(grad_out, plain_cache)):
                if want is not None:
                    np.testing.assert_array_equal(grad, want)
            if steps == 3 and before_first is not None:
                assert before == before_first  # the same arrays, no new allocation
            before_first = before
    assert workspace  # the fast pair kept its buffers there


FINAL_STATES = {"rnn_tanh": rnn.rnn_final_states, "rnn_relu": rnn.rnn_final_states,
                "lstm": lstm.lstm_final_states, "gru": gru.gru_final_states}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("cell", CELLS)
def test_final_states_and_their_gradients_match_numerical(cell, sequences, backend, rng):
    """h_n (and c_n) are the last step's states; gradients given for them flow back."""
    gates, (forward, backward), (forward_naive, _), _, names, options = CELLS[cell]
    x = rng.standard_normal((2, 4, 3))
    weights = parameters(rng, gates, 3, 3)
    states = initial_states(rng, names, 2, 3, True)
    options = {**options, "return_sequences": sequences}
    upstream = [rng.standard_normal((2, 4, 3) if sequences else (2, 3))] + [
        rng.standard_normal((2, 3)) for _ in names]

    def loss(_):
        out, cache = forward(x, *weights, **states, **options)
        return sum(np.sum(value * grad)
                   for value, grad in zip([out, *FINAL_STATES[cell](cache)], upstream))

    with use_backend(backend):
        out, cache = forward(x, *weights, **states, **options)
        finals = FINAL_STATES[cell](cache)
        grads = backward(upstream[0], cache, None,
                         *upstream[1:])  # workspace None, then grad_h_n (, grad_c_n)
        for value, grad in zip([x, *states.values(), *weights], grads, strict=True):
            assert rel_error(grad, numerical_gradient(loss, value)) < 1e-5
    every, _ = forward_naive(x, *weights, **states, **{**options, "return_sequences": True})
    np.testing.assert_allclose(finals[0], every[:, -1], rtol=1e-12, atol=1e-14)
    assert all(final.shape == (2, 3) and final.flags.owndata for final in finals)


def _caches_of_every_kind(rng):
    """One cache of each kind the recurrent code makes: the steps', the fast pairs', the stack's."""
    x = rng.standard_normal((2, 3, 2))
    caches = []
    for gates, (forward, _), _, (step_forward, _), names, options in CELLS.values():
        weights = parameters(rng, gates, 2, 3)
        states = [rng.standard_normal((2, 3)) for _ in names]
        caches.append(step_forward(x[:, 0], *states, *weights, **options)[-1])
        caches.append(forward(x, *weights, **options)[1])
    stack_weights = [parameters(rng, 4, 2, 3)]
    caches.append(recurrent_stack_forward("lstm", x, stack_weights)[1])
    return caches


def test_caches_of_more_than_three_items_are_documented_namedtuples(rng):
    """A student reads cache.tanh_c, not cache[9]: every field is named and documented."""
    for cache in _caches_of_every_kind(rng):
        kind = type(cache)
        assert len(cache) > 3 and hasattr(kind, "_fields"), kind
        # a field is documented where its name stands as a word followed by " :" or ","
        undocumented = [field for field in kind._fields
                        if not re.search(rf"(?<![\w.]){field}( \(\w\))?( :|,)", kind.__doc__)]
        assert not undocumented, (kind.__name__, undocumented)
