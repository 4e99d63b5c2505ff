"""Recurrent functional entry points: argument checks before any kernel, and the layer stack.

Every wrong shape or dtype must raise the same minnet error on both backends,
before a kernel sees the arrays (a spy replaces every recurrent kernel and
fails the test if one is reached). The stack (layers, directions, dropout)
is compared with the naive loops composed by hand.
"""

import numpy as np
import pytest

import minnet.kernels.recurrent as recurrent_kernels
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.functional import gru, lstm, rnn
from minnet.functional.dropout import dropout_mask
from minnet.functional.recurrent_stack import recurrent_stack_backward, recurrent_stack_forward
from minnet.kernels import BACKENDS, Kernel, use_backend

# name -> (forward, backward, gates, state names, options)
PAIRS = {
    "rnn_forward": (rnn.rnn_forward, rnn.rnn_backward, 1, ("h0",), {"nonlinearity": "relu"}),
    "rnn_forward_naive": (rnn.rnn_forward_naive, rnn.rnn_backward_naive, 1, ("h0",), {}),
    "lstm_forward": (lstm.lstm_forward, lstm.lstm_backward, 4, ("h0", "c0"), {}),
    "lstm_forward_naive": (lstm.lstm_forward_naive, lstm.lstm_backward_naive, 4, ("h0", "c0"),
                           {}),
    "gru_forward": (gru.gru_forward, gru.gru_backward, 3, ("h0",), {}),
    "gru_forward_naive": (gru.gru_forward_naive, gru.gru_backward_naive, 3, ("h0",), {}),
}
BATCH, STEPS, FEATURES, HIDDEN = 2, 3, 3, 4


def arguments(gates, names, rng):
    """Valid keyword arguments of a forward: x, the four weights, the states."""
    shapes = {"x": (BATCH, STEPS, FEATURES), "w_ih": (gates * HIDDEN, FEATURES),
              "w_hh": (gates * HIDDEN, HIDDEN), "b_ih": (gates * HIDDEN,),
              "b_hh": (gates * HIDDEN,), **{name: (BATCH, HIDDEN) for name in names}}
    return {name: rng.standard_normal(shape) for name, shape in shapes.items()}


@pytest.fixture
def no_kernel(monkeypatch):
    """Every recurrent kernel, reference and numba twin, fails the test if called."""
    def reached(*args):
        raise AssertionError("a recurrent kernel was reached with invalid arguments")

    for value in vars(recurrent_kernels).values():
        if isinstance(value, Kernel):
            monkeypatch.setattr(value, "reference", reached)
            monkeypatch.setattr(value, "_compiled", reached)


def raised_on_both_backends(call):
    """The (type, message) raised by ``call()`` on each backend: they must agree."""
    raised = []
    for backend in BACKENDS:
        with use_backend(backend), pytest.raises(MinnetError) as info:
            call()
        raised.append((type(info.value), str(info.value)))
    assert all(entry == raised[0] for entry in raised), raised
    return raised[0]


# (argument, its broken value from the valid one, error type, message fragment)
BROKEN_FORWARD = [
    ("x", lambda x: x[0], ShapeError, "expected x of shape (N, T, D)"),
    ("x", lambda x: x[:, :0], ShapeError, "at least one sequence and one time step"),
    ("x", lambda x: x.astype(np.float32), DTypeError, "every array of one call shares one"),
    ("x", lambda x: x.tolist(), DTypeError, "expected x as a float32 or float64 ndarray"),
    ("x", lambda x: x.astype(int), DTypeError, "expected x of dtype float32 or float64"),
    ("w_ih", lambda w: w[:, 1:], ShapeError, "expected w_ih of shape"),
    ("w_ih", lambda w: w[1:], ShapeError, "expected w_ih of shape"),
    ("w_hh", lambda w: w[:, 1:], ShapeError, "expected w_hh of shape"),
    ("w_hh", lambda w: w[1:], ShapeError, "expected w_hh of shape"),
    ("b_ih", lambda b: b[:1], ShapeError, "expected b_ih of shape"),
    ("b_hh", lambda b: b[:, None], ShapeError, "expected b_hh of shape"),
    ("h0", lambda h: h[:, 1:], ShapeError, "expected h0 of shape (N, H) = (2, 4), got (2, 3)"),
    ("h0", lambda h: h[None], ShapeError, "expected h0 of shape (N, H)"),
    ("c0", lambda c: c[1:], ShapeError, "expected c0 of shape (N, H) = (2, 4), got (1, 4)"),
]


@pytest.mark.parametrize("entry, argument, broken, error, fragment", [
    pytest.param(entry, *case, id=f"{entry}-{case[0]}-{i}") for entry in PAIRS
    for i, case in enumerate(BROKEN_FORWARD) if case[0] != "c0" or "lstm" in entry])
def test_forward_refuses_bad_arguments_before_any_kernel(entry, argument, broken, error,
                                                         fragment, no_kernel, rng):
    forward, _, gates, names, options = PAIRS[entry]
    kwargs = arguments(gates, names, rng)
    kwargs[argument] = broken(kwargs[argument])
    kind, message = raised_on_both_backends(lambda: forward(**kwargs, **options))
    assert kind is error and message.startswith(f"{entry}: ") and fragment in message


@pytest.mark.parametrize("entry", PAIRS)
def test_forward_refuses_bad_options(entry, no_kernel, rng):
    forward, _, gates, names, options = PAIRS[entry]
    kwargs = arguments(gates, names, rng)
    kind, message = raised_on_both_backends(
        lambda: forward(**kwargs, **options, return_sequences="yes"))
    assert kind is ConfigError and "'return_sequences' parameter must be a bool" in message
    if "rnn" in entry:
        kind, message = raised_on_both_backends(lambda: forward(**kwargs, nonlinearity="gelu"))
        assert kind is ConfigError and "'nonlinearity' parameter must be one of" in message


@pytest.mark.parametrize("entry", PAIRS)
def test_backward_refuses_bad_gradients_before_any_kernel(entry, monkeypatch, rng):
    forward, backward, gates, names, options = PAIRS[entry]
    out, cache = forward(**arguments(gates, names, rng), **options)
    for value in vars(recurrent_kernels).values():  # after the forward: kernels now refused
        if isinstance(value, Kernel):
            monkeypatch.setattr(value, "reference", None)
            monkeypatch.setattr(value, "_compiled", None)
    good = rng.standard_normal(out.shape)
    cases = [((rng.standard_normal((BATCH, STEPS, HIDDEN + 1)),), {}, ShapeError,
              "expected grad_out of shape (N, T, H) = (2, 3, 4) or (N, H) = (2, 4)"),
             ((rng.standard_normal((BATCH, HIDDEN, 1)),), {}, ShapeError, "got (2, 4, 1)"),
             ((np.full(out.shape, "a"),), {}, DTypeError, "expected grad_out as a float array"),
             ((good,), {"grad_h_n": np.zeros((BATCH + 1, HIDDEN))}, ShapeError,
              "expected grad_h_n of shape (N, H) = (2, 4), got (3, 4)")]
    if "lstm" in entry:
        cases.append(((good,), {"grad_c_n": np.zeros((HIDDEN,))}, ShapeError,
                      "expected grad_c_n of shape (N, H)"))
    for args, kwargs, error, fragment in cases:
        kind, message = raised_on_both_backends(
            lambda args=args, kwargs=kwargs: backward(*args, cache, **kwargs))
        assert kind is error and fragment in message, message
        assert message.startswith(entry.replace("forward", "backward"))


@pytest.mark.parametrize("step, step_backward, gates, states", [
    (rnn.rnn_step_forward, rnn.rnn_step_backward, 1, 1),
    (lstm.lstm_step_forward, lstm.lstm_step_backward, 4, 2),
    (gru.gru_step_forward, gru.gru_step_backward, 3, 1)])
def test_step_functions_check_their_arguments(step, step_backward, gates, states, rng):
    x_t, h = rng.standard_normal((BATCH, FEATURES)), rng.standard_normal((BATCH, HIDDEN))
    weights = list(arguments(gates, (), rng).values())[1:]
    with pytest.raises(ShapeError, match=r"expected x_t of shape \(N, D\)"):
        step(x_t[None], *[h] * states, *weights)
    with pytest.raises(ShapeError, match=r"expected h_prev of shape \(N, H\) = \(2, 4\)"):
        step(x_t, *[h[:, :2]] * states, *weights)
    cache = step(x_t, *[h] * states, *weights)[-1]
    with pytest.raises(ShapeError, match=r"expected grad_h of shape \(N, H\) = \(2, 4\)"):
        step_backward(*[h.T] * states, cache)


# --- the stack: layers, directions, dropout -------------------------------------------

NAIVE = {"rnn": (rnn.rnn_forward_naive, 1), "lstm": (lstm.lstm_forward_naive, 4),
         "gru": (gru.gru_forward_naive, 3)}


def stack_weights(rng, gates, features, hidden, layers, directions):
    return [tuple(0.5 * rng.standard_normal(shape) for shape in
                  [(gates * hidden, features if k == 0 else directions * hidden),
                   (gates * hidden, hidden), (gates * hidden,), (gates * hidden,)])
            for k in range(layers) for _ in range(directions)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cell", NAIVE)
def test_stack_equals_the_naive_loops_composed_by_hand(cell, backend, rng):
    """Two layers, two directions, dropout 0.5 in training, initial states: by hand, the
    reverse direction reads x[:, ::-1], layer 1 reads the masked concatenation."""
    naive, gates = NAIVE[cell]
    weights = stack_weights(rng, gates, 3, 4, 2, 2)
    x = rng.standard_normal((2, 5, 3))
    names = ("h0", "c0") if cell == "lstm" else ("h0",)
    states = {name: rng.standard_normal((4, 2, 4)) for name in names}
    with use_backend(backend):
        (out, finals), _ = recurrent_stack_forward(cell, x, weights, states, 2, True, 0.5,
                                                   True, np.random.default_rng(7))
    mask = dropout_mask((2, 5, 8), 0.5, rng=np.random.default_rng(7))
    layer_input, last = x, []
    for layer in range(2):
        outputs = []
        for direction in range(2):
            index = 2 * layer + direction
            reading = layer_input[:, ::-1] if direction else layer_input
            seq, _ = naive(reading, *weights[index],
                           **{name: value[index] for name, value in states.items()})
            outputs.append(seq[:, ::-1] if direction else seq)
            last.append(seq[:, -1])
        layer_input = np.concatenate(outputs, axis=-1) * (mask if layer == 0 else 1)
    np.testing.assert_allclose(out, layer_input, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(finals[0], np.stack(last), rtol=1e-12, atol=1e-13)
    assert finals[0].shape == (4, 2, 4) and len(finals) == len(names)


def test_stack_refuses_bad_arguments_before_any_kernel(no_kernel, rng):
    weights = stack_weights(rng, 4, 3, 4, 2, 2)
    x = rng.standard_normal((2, 5, 3))

    def call(**changes):
        kwargs = {"cell": "lstm", "x": x, "weights": weights, "num_layers": 2,
                  "bidirectional": True, **changes}
        return raised_on_both_backends(lambda: recurrent_stack_forward(**kwargs))

    assert call(cell="lstn")[0] is ConfigError
    assert "'num_layers' parameter must be an int >= 1" in call(num_layers=0)[1]
    assert "'dropout' parameter must be a float in the range [0.0, 1.0)" in call(dropout=1.0)[1]
    assert "expected num_layers * num_directions = 2 groups" in call(bidirectional=False)[1]
    wrong_input = list(weights)
    wrong_input[2] = (weights[2][0][:, :3],) + weights[2][1:]  # reads input_size, not D*H
    assert ("expected weight_ih_l1 of shape (4H, D) = (16, 8), got (16, 3)"
            in call(weights=wrong_input)[1])
    wrong_hidden = list(weights)
    wrong_hidden[3] = tuple(0.5 * rng.standard_normal(shape)
                            for shape in [(20, 8), (20, 5), (20,), (20,)])
    assert ("every weight_hh of hidden size 4 (weight_hh_l0's), got weight_hh_l1_reverse of "
            "shape (20, 5)" in call(weights=wrong_hidden)[1])
    kind, message = call(cell="gru", states={"c0": rng.standard_normal((4, 2, 4))})
    assert kind is ConfigError and "unexpected state(s) ['c0'] for the gru cell" in message
    kind, message = call(options={"nonlinearity": "relu"})
    assert kind is ConfigError and "unexpected option(s) ['nonlinearity']" in message
    kind, message = call(states={"h0": rng.standard_normal((2, 4))})
    assert kind is ShapeError and ("expected h0 of shape (num_layers * num_directions, N, H) "
                                   "= (4, 2, 4), got (2, 4)") in message


def test_stack_backward_checks_its_gradients(rng):
    weights = stack_weights(rng, 3, 3, 4, 2, 1)
    (out, finals), cache = recurrent_stack_forward("gru", rng.standard_normal((2, 5, 3)),
                                                   weights, num_layers=2)
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(N, T, D\*H\) = "
                                         r"\(2, 5, 4\), got \(2, 4\)"):
        recurrent_stack_backward(out[:, -1], cache)
    with pytest.raises(ShapeError, match=r"expected grad_finals\[0\] of shape"):
        recurrent_stack_backward(out, cache, (finals[0][0],))
    with pytest.raises(ConfigError, match="expected grad_finals as a tuple of 1"):
        recurrent_stack_backward(out, cache, (finals[0], finals[0]))
    only_final = recurrent_stack_backward(None, cache, finals)
    zeros_out = recurrent_stack_backward(np.zeros_like(out), cache, finals)
    np.testing.assert_array_equal(only_final[0], zeros_out[0])


@pytest.mark.parametrize("cell, cls", [("rnn", "RNN"), ("lstm", "LSTM"), ("gru", "GRU")])
def test_a_layer_weight_replaced_with_a_wrong_one_is_refused_naming_the_layer(cell, cls,
                                                                             no_kernel, rng):
    """A user assigns a parameter of the wrong shape or dtype: a clear error naming the
    layer and PyTorch's parameter name, the same on both backends, and no kernel runs."""
    import minnet.layers.recurrent as layers

    layer = getattr(layers, cls)(3, 4, num_layers=2, bidirectional=True, rng=0)
    x = rng.standard_normal((2, 5, 3))
    good = layer.weight_hh_l1_reverse.data
    layer.weight_hh_l1_reverse.data = good[:, :3]
    kind, message = raised_on_both_backends(lambda: layer(x))
    assert kind is ShapeError and message.startswith(f"{cls}(input_size=3, hidden_size=4, ")
    assert "expected weight_hh_l1_reverse of shape" in message and "got" in message
    layer.weight_hh_l1_reverse.data = good
    layer.bias_ih_l0.data = layer.bias_ih_l0.data[:1]  # the beta of shape (1,)
    assert "expected bias_ih_l0 of shape" in raised_on_both_backends(lambda: layer(x))[1]
    layer.bias_ih_l0.data = np.zeros(NAIVE[cell][1] * 4, dtype=np.float32)
    kind, message = raised_on_both_backends(lambda: layer(x))
    assert kind is DTypeError and "expected bias_ih_l0 of dtype float64" in message
    assert layer.pending_forwards == 0
