"""Common-check cases of the recurrent family: Embedding, RNN (tanh, relu), LSTM, GRU.

The checks feed one array in and expect one array out, so a layer built with
``return_state=True`` (which returns ``(output, h_n)`` or ``(output, (h_n,
c_n))``) runs inside ``StatesAsOneArray``: the output and the final states
flattened side by side, and backward splitting the gradient back into
PyTorch's structure. So every check (gradcheck, shared use, accumulation...)
also covers gradients that flow into the final states.
"""

import numpy as np

from minnet.core import Module
from minnet.layers.embedding import Embedding
from minnet.layers.recurrent import GRU, LSTM, RNN


def token_ids(shape, rng):
    """Integer ids in [0, 7) (the Embedding cases' vocabulary), repeats included."""
    return rng.integers(0, 7, size=shape)


class StatesAsOneArray(Module):
    """Wraps a recurrent layer built with ``return_state=True``: (N, out + states) out.

    Forward returns ``[output.reshape(N, -1), h_n (and c_n) as (N, L*D*H)]``
    concatenated; backward cuts the gradient at the same places and hands the
    layer ``(grad_output, grad_h_n)`` or ``(grad_output, (grad_h_n, grad_c_n))``.
    """

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        out, states = self.layer(x)
        states = states if isinstance(states, tuple) else (states,)
        self.push_cache((out.shape, [state.shape for state in states]))
        parts = [out.reshape(len(out), -1)] + [state.transpose(1, 0, 2).reshape(len(out), -1)
                                               for state in states]
        return np.concatenate(parts, axis=1)

    def backward(self, grad_out):
        out_shape, state_shapes = self.pop_cache(
            grad_out, lambda cache: (cache[0][0], sum(_widths(*cache))))
        pieces = np.split(grad_out, np.cumsum(_widths(out_shape, state_shapes))[:-1], axis=1)
        grads = [piece.reshape(shape[1], shape[0], shape[2]).transpose(1, 0, 2)
                 for piece, shape in zip(pieces[1:], state_shapes)]
        return self.layer.backward((pieces[0].reshape(out_shape),
                                    grads[0] if len(grads) == 1 else tuple(grads)))


def _widths(out_shape, state_shapes):
    """How many columns the output and each final state take in the flat array."""
    return [int(np.prod(out_shape[1:]))] + [shape[0] * shape[2] for shape in state_shapes]


def with_states(cls, *args, **kwargs):
    """A factory seed -> StatesAsOneArray(cls(*args, return_state=True, rng=seed, **kwargs))."""
    return lambda seed: StatesAsOneArray(cls(*args, return_state=True, rng=seed, **kwargs))


CASES = [
    (lambda seed: Embedding(7, 3, rng=seed), (4, 5), {"input_fn": token_ids}),
    (lambda seed: Embedding(7, 2, rng=seed), (6,), {"input_fn": token_ids}),
    (lambda seed: RNN(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: RNN(3, 4, nonlinearity="relu", return_sequences=True, rng=seed), (2, 4, 3)),
    (lambda seed: LSTM(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: LSTM(2, 3, return_sequences=True, init="pytorch", rng=seed), (3, 4, 2)),
    (lambda seed: GRU(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: GRU(2, 3, return_sequences=True, init="pytorch", rng=seed), (1, 4, 2)),
    # stacked, bidirectional, dropout between layers, final states
    (lambda seed: RNN(3, 2, num_layers=2, bidirectional=True, return_sequences=True,
                      rng=seed), (2, 4, 3)),
    (lambda seed: LSTM(2, 3, num_layers=3, rng=seed), (2, 3, 2)),
    (lambda seed: GRU(3, 2, bidirectional=True, rng=seed), (3, 4, 3)),
    (lambda seed: LSTM(3, 2, num_layers=2, bidirectional=True, dropout=0.5,
                       return_sequences=True, rng=seed), (2, 3, 3)),
    (lambda seed: GRU(2, 3, num_layers=2, dropout=0.25, rng=seed), (2, 4, 2)),
    (with_states(RNN, 3, 2, num_layers=2, nonlinearity="relu", bidirectional=True), (2, 3, 3)),
    (with_states(LSTM, 2, 3, num_layers=2, bidirectional=True, return_sequences=True),
     (2, 3, 2)),
    (with_states(GRU, 3, 2, num_layers=2, dropout=0.5), (3, 4, 3)),
]

# Dropout between layers draws a mask in training only, as PyTorch's: the outputs differ
# by design (an explicit test checks the evaluation output against PyTorch's).
_DROPOUT = {"LSTM(input_size=3, hidden_size=2, num_layers=2, dropout=0.5, bidirectional=True, "
            "return_sequences=True)",
            "GRU(input_size=2, hidden_size=3, num_layers=2, dropout=0.25, return_sequences=False)",
            "StatesAsOneArray( (layer): GRU(input_size=3, hidden_size=2, num_layers=2, "
            "dropout=0.5, return_sequences=False, return_state=True) # 78 params )"}
EXEMPT = {"check_train_eval": (_DROPOUT, "dropout between recurrent layers acts in training "
                                         "only")}
