"""RNN, LSTM and GRU final and initial states: return_state's structure, the bidirectional
last output, initial states in both accepted shapes, gradients into the final states, and
the errors for malformed ones."""

import numpy as np
import pytest

from minnet.errors import DTypeError, MinnetError, ShapeError
from minnet.layers.recurrent import GRU, LSTM, RNN

CLASSES = [RNN, LSTM, GRU]

# --- forward: shapes, states, return structure ------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_return_state_gives_pytorchs_structure_and_shapes(cls, rng):
    layer = cls(3, 4, num_layers=2, bidirectional=True, return_sequences=True, return_state=True)
    out, state = layer(rng.standard_normal((5, 6, 3)))
    assert out.shape == (5, 6, 8)
    states = state if cls is LSTM else (state,)
    assert isinstance(state, tuple) == (cls is LSTM)
    assert [s.shape for s in states] == [(4, 5, 4)] * len(states)
    np.testing.assert_array_equal(states[0][2], out[:, -1, :4])  # layer 1 forward at T-1
    np.testing.assert_array_equal(states[0][3], out[:, 0, 4:])  # layer 1 reverse at t = 0


@pytest.mark.parametrize("cls", CLASSES)
def test_bidirectional_last_output_is_forward_at_the_end_and_reverse_at_the_start(cls, rng):
    every = cls(3, 4, bidirectional=True, return_sequences=True, rng=0)
    last = cls(3, 4, bidirectional=True, rng=0)
    x = rng.standard_normal((2, 5, 3))
    sequence = every(x)
    np.testing.assert_array_equal(last(x), np.concatenate([sequence[:, -1, :4],
                                                           sequence[:, 0, 4:]], axis=1))
    # the reverse direction reads x backwards: it is the forward pass on the flipped input
    forward_only = cls(3, 4, return_sequences=True, rng=0)
    forward_only.load_state_dict({key.replace("_reverse", ""): value for key, value in
                                  every.state_dict().items() if key.endswith("_reverse")})
    np.testing.assert_allclose(sequence[:, ::-1, 4:], forward_only(x[:, ::-1]), rtol=1e-13)


@pytest.mark.parametrize("cls", CLASSES)
def test_initial_states_in_either_accepted_shape_keep_their_gradient_shape(cls, rng):
    x = rng.standard_normal((2, 3, 3))
    names = ("h0", "c0") if cls is LSTM else ("h0",)
    for shape in [(2, 4), (1, 2, 4)]:
        layer = cls(3, 4, rng=0)
        states = {name: rng.standard_normal(shape) for name in names}
        out = layer(x, **states)
        layer.backward(np.ones_like(out))
        assert all(getattr(layer, f"grad_{name}").shape == shape for name in names)
    stacked = cls(3, 4, num_layers=2, bidirectional=True, rng=0)
    with pytest.raises(ShapeError, match=r"expected initial state h0 of shape \(num_layers \* "
                                         r"num_directions, N, hidden_size\) = \(4, 2, 4\), got "
                                         r"\(2, 4\)$"):
        stacked(x, h0=np.zeros((2, 4)))
    with pytest.raises(DTypeError, match="initial state h0"):
        stacked(x, h0=np.full((4, 2, 4), "a"))


def test_lstm_hx_tuple_of_the_wrong_length_is_refused(rng):
    with pytest.raises(ShapeError, match=r"initial states as a pair \(h0, c0\)"):
        LSTM(3, 4)(rng.standard_normal((2, 3, 3)), (np.zeros((2, 4)),))


# --- backward with final-state gradients ------------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_backward_takes_the_output_gradient_alone_or_with_the_final_states(cls, rng):
    layer = cls(3, 4, num_layers=2, return_sequences=True, return_state=True, rng=0)
    x = rng.standard_normal((2, 3, 3))
    grad = rng.standard_normal((2, 3, 4))
    zeros = np.zeros((2, 2, 4))
    none_state = (None, None) if cls is LSTM else None
    zero_state = (zeros, zeros) if cls is LSTM else zeros
    results = []
    for grad_out in (grad, (grad, none_state), (grad, zero_state)):
        layer(x)
        results.append(layer.backward(grad_out))
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])
    layer(x)
    only_state = layer.backward((None, (zeros + 1, None) if cls is LSTM else zeros + 1))
    assert only_state.shape == x.shape and np.abs(only_state).sum() > 0


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_final_state_gradients_are_refused_and_leave_the_forward_pending(cls, rng):
    layer = cls(3, 4, num_layers=2, return_state=True, rng=0)
    x = rng.standard_normal((2, 3, 3))
    out, _ = layer(x)
    name = "LSTM" if cls is LSTM else cls.__name__
    bad_state = (np.zeros((2, 4)), None) if cls is LSTM else np.zeros((2, 4))
    with pytest.raises(ShapeError, match=rf"^{name}\(.*expected the gradient of h_n of shape "
                                         r"\(num_layers \* num_directions, N, hidden_size\) = "
                                         r"\(2, 2, 4\) \(the shape of h_n\), got \(2, 4\)"):
        layer.backward((out, bad_state))
    with pytest.raises(ShapeError, match=r"expected grad_out as the output's gradient or as "
                                         r"\(grad_output, "):
        layer.backward((out,))
    if cls is LSTM:
        with pytest.raises(ShapeError, match=r"with a pair \(grad_h_n, grad_c_n\)"):
            layer.backward((out, np.zeros((2, 2, 4))))
    with pytest.raises(DTypeError, match="expected a float grad_out"):
        layer.backward((np.full(out.shape, "a"), None))
    assert layer.pending_forwards == 1
    layer.backward(out)  # the forward was still pending
    with pytest.raises(MinnetError, match="backward\\(\\) called before forward"):
        layer.backward((None, None))
    plain = cls(3, 4, rng=0)
    plain(x)
    with pytest.raises(ShapeError, match="forward returned the output alone "
                                         r"\(return_state=False\)"):
        plain.backward((out, None))
