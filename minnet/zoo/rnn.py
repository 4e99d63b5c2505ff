"""Broken recurrent setups outside the RNN story: an exploding RNN, a model blind to its input.

The step-by-step RNN story (docs/doctor-zoo.md, "The RNN case, step by step") lives in
``minnet.zoo.story``.
"""

import numpy as np

from minnet.core import Module, Sequential
from minnet.data import adding_problem
from minnet.data.phrases import VOCAB
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU, RNN
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import Adam
from minnet.random import make_rng
from minnet.zoo.base import Experiment, broken, collect, phrases_split


@broken("exploding-rnn", "A tanh RNN on the adding problem (50 steps) whose recurrent weights "
        "are drawn from N(0, 1), not scaled by 1/sqrt(H): gradients explode back in time.",
        ("weight-scale-skew", "exploding-gradients"))
def exploding_rnn(seed, steps=50, hidden=16):
    rng = make_rng(seed)
    X, y = adding_problem(256, steps, rng=rng)
    X_val, y_val = adding_problem(64, steps, rng=rng)
    rnn = RNN(2, hidden, rng=rng)
    rnn.weight_hh_l0.data[...] = rng.standard_normal((hidden, hidden))  # MISTAKE
    model = Sequential(rnn, Linear(hidden, 1, rng=rng))
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-2),
                      X, y[:, None], X_val, y_val[:, None])


class TakeStep(Module):
    """Keep one time step of a sequence. Shapes: input (N, T, H) -> output (N, H)."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def forward(self, x):
        self._shape = np.shape(x)
        return np.asarray(x)[:, self.step]

    def backward(self, grad_out):
        # Only the kept step received a gradient; every other step gets zero.
        grad_x = np.zeros(self._shape)
        grad_x[:, self.step] = grad_out
        return grad_x


@broken("rnn-reads-padding", "The classifier reads the GRU's output at t=0 instead of the last "
        "step: with left padding that is a padding token, the same for every message.",
        "ignores-input")
def rnn_reads_padding(seed):
    rng = make_rng(seed)
    X, y, X_val, y_val = phrases_split(seed)
    model = Sequential(Embedding(len(VOCAB), 16, rng=rng),
                       GRU(16, 32, return_sequences=True, rng=rng),
                       TakeStep(0),  # MISTAKE: meant TakeStep(-1), the final state
                       Linear(32, 2, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


EXAMPLES = collect(globals())
