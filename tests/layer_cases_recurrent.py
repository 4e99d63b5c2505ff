"""Common-check cases of the recurrent family: Embedding, RNN (tanh, relu), LSTM, GRU."""

from minnet.layers.embedding import Embedding
from minnet.layers.recurrent import GRU, LSTM, RNN


def token_ids(shape, rng):
    """Integer ids in [0, 7) (the Embedding cases' vocabulary), repeats included."""
    return rng.integers(0, 7, size=shape)


CASES = [
    (lambda seed: Embedding(7, 3, rng=seed), (4, 5), {"input_fn": token_ids}),
    (lambda seed: Embedding(7, 2, rng=seed), (6,), {"input_fn": token_ids}),
    (lambda seed: RNN(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: RNN(3, 4, nonlinearity="relu", return_sequences=True, rng=seed), (2, 4, 3)),
    (lambda seed: LSTM(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: LSTM(2, 3, return_sequences=True, init="pytorch", rng=seed), (3, 4, 2)),
    (lambda seed: GRU(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: GRU(2, 3, return_sequences=True, init="pytorch", rng=seed), (1, 4, 2)),
]

EXEMPT = {}
