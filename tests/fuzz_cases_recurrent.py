"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for RNN, LSTM and GRU.

The ``CASES`` fuzz the constructors (``num_layers``, ``bidirectional``,
``dropout``, ``return_sequences``, ``return_state``, ``init``) and the plain
``layer(x)`` forward. The ``SCENARIOS`` add what a one-argument forward cannot
reach: initial states (stacked, (N, H) for one layer, LSTM's ``(h0, c0)``
tuple, wrong shapes, junk), the gradient structure of ``return_state=True``
(``(grad_output, grad_h_n)``, parts None or mis-shaped), and one backward too
many, which must raise.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from minnet.errors import MinnetError
from minnet.layers.recurrent import GRU, LSTM, RNN
from minnet.layers.recurrent_base import INITS
from tests.fuzz_cases import (
    ANY_SHAPE,
    FuzzCase,
    Scenario,
    attempt,
    batch_shapes,
    call,
    float_arrays,
    junk,
    messy_inputs,
    sizes,
)


def recurrent_arguments(cls):
    """Valid arguments; dropout only with several layers (else a UserWarning, as PyTorch's)."""
    extra = {"nonlinearity": st.sampled_from(["tanh", "relu"])} if cls is RNN else {}
    return sizes(1, 2).flatmap(lambda layers: call(
        sizes(1, 3), sizes(1, 3), st.just(layers),
        dropout=st.floats(0, 0.9) if layers > 1 else st.just(0.0),
        bidirectional=st.booleans(), return_sequences=st.booleans(),
        return_state=st.booleans(), init=st.sampled_from(INITS), rng=st.integers(0, 9),
        **extra))


def sequences(layer):
    """(N, T, input_size) with empty batches and lengths among them, or anything."""
    return messy_inputs(st.one_of(batch_shapes(sizes(0, 3), layer.input_size),
                                  batch_shapes(sizes(0, 3), sizes(1, 4)), ANY_SHAPE))


CASES = [FuzzCase(cls.__name__, cls, recurrent_arguments(cls), sequences)
         for cls in (RNN, LSTM, GRU)]


# --- scenarios: initial states in, final states and their gradients out ----------------

def state_for(data, layer, batch, label):
    """An initial state: None, the stacked shape, (N, H) for one layer and direction, a
    wrong shape, or junk."""
    stacked = (layer.num_layers * layer.directions, batch, layer.hidden_size)
    wrong = st.tuples(sizes(0, 3), sizes(0, 3), sizes(0, 3))
    return data.draw(st.one_of(st.none(), float_arrays(st.just(stacked)),
                               float_arrays(st.just(stacked[1:])), float_arrays(wrong),
                               junk()), label=label)


def gradient_like(data, value, label):
    """dL/d(value): its shape (messy values), None, a wrong shape or junk."""
    shape = np.shape(value) if isinstance(value, np.ndarray) else (2,)
    return data.draw(st.one_of(float_arrays(st.just(shape)), float_arrays(st.just(shape)),
                               st.none(), float_arrays(st.just(shape + (1,))), junk()),
                     label=label)


def gradient_for(data, layer, result):
    """What backward receives: the output's gradient alone, or PyTorch's structure."""
    if not layer.return_state or not isinstance(result, tuple):
        return gradient_like(data, result, "grad_out")
    out, finals = result
    if isinstance(finals, tuple):  # LSTM: (h_n, c_n)
        finals = tuple(gradient_like(data, final, "grad of a final state") for final in finals)
        finals = data.draw(st.sampled_from([finals, None, finals[:1]]), label="finals")
    else:
        finals = gradient_like(data, finals, "grad_h_n")
    return gradient_like(data, out, "grad_output"), finals


def recurrent_scenario(cls):
    def run(data):
        args, kwargs = data.draw(recurrent_arguments(cls), label="arguments")
        layer = cls(*args, **kwargs).train(data.draw(st.booleans(), label="training"))
        for _ in range(data.draw(st.integers(1, 2), label="calls")):
            batch = data.draw(sizes(1, 3), label="N")
            x = data.draw(float_arrays(st.tuples(st.just(batch), sizes(1, 3),
                                                 st.just(layer.input_size))), label="x")
            states = [state_for(data, layer, batch, name) for name in layer.state_names]
            if cls is LSTM and data.draw(st.booleans(), label="as a tuple"):
                states = [tuple(states)]  # PyTorch's lstm(x, (h0, c0))
            ok, result = attempt(layer, x, *states)
            grad = gradient_for(data, layer, result) if ok else gradient_like(data, x, "grad")
            ok, grad_x = attempt(layer.backward, grad)
            if ok:
                assert grad_x.shape == x.shape
        if layer.pending_forwards == 0:
            with pytest.raises(MinnetError):  # one backward too many: never silent
                layer.backward(grad)
    return Scenario(f"{cls.__name__}-states", run)


SCENARIOS = [recurrent_scenario(cls) for cls in (RNN, LSTM, GRU)]
