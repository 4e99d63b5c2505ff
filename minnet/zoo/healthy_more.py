"""More healthy setups: other architectures, optimizers, schedules and training drivers.

The doctor must report no warning or error on any of them, whatever the seed.
Each one truly learns (validation accuracy well above chance, or a
validation MSE well below the targets' variance; measured in the zoo's
report, docs/doctor-zoo.md): a Conv2d network on tiny images, a GRU trained
by SGD, AdamW with weight decay, layer norm, RMSprop on a regression, an
embedding bag, Adagrad, a step schedule in a hand-written loop, and ``fit()``
with a cosine schedule and callbacks.
"""

import functools

import numpy as np

from minnet.core import Module, Sequential
from minnet.data.phrases import VOCAB
from minnet.layers.activations import ReLU, Tanh
from minnet.layers.conv import Conv2d
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm2d, LayerNorm
from minnet.layers.pooling import MaxPool2d
from minnet.layers.recurrent import GRU
from minnet.layers.reshape import Flatten
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop, StepLR
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bars_split,
    collect,
    healthy,
    looped,
    mlp,
    mnist1d_split,
    phrases_split,
    regression_split,
    spiral_split,
    xor_split,
)

SPIRAL_SIZES = (2, 32, 32, 3)


@healthy("healthy-conv2d-bars", "Conv2d-BatchNorm2d-ReLU-MaxPool2d, then a Linear, telling "
         "apart horizontal, vertical and diagonal bars in 8x8 images, Adam lr=1e-2.")
def conv2d_bars(seed):
    rng = make_rng(seed)
    model = Sequential(Conv2d(1, 8, 3, padding=1, rng=rng), BatchNorm2d(8), ReLU(),
                       MaxPool2d(2), Flatten(), Linear(8 * 4 * 4, 3, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      *bars_split(seed))


@healthy("healthy-gru-sgd-phrases", "Embedding-GRU-Linear tagging toy_phrases, trained by "
         "SGD lr=0.5 with momentum 0.9.")
def gru_sgd_phrases(seed):
    rng = make_rng(seed)
    model = Sequential(Embedding(len(VOCAB), 16, rng=rng), GRU(16, 32, rng=rng),
                       Linear(32, 2, rng=rng))
    return Experiment(model, CrossEntropyLoss(),
                      SGD(model.parameters(), lr=0.5, momentum=0.9), *phrases_split(seed))


@healthy("healthy-adamw-spiral", "The spiral MLP trained by AdamW lr=1e-2 with its usual "
         "weight_decay=0.01.")
def adamw_spiral(seed):
    model = mlp(SPIRAL_SIZES, seed)
    return Experiment(model, CrossEntropyLoss(),
                      AdamW(model.parameters(), lr=1e-2, weight_decay=0.01), *spiral_split(seed))


@healthy("healthy-layernorm-mlp-mnist1d", "Linear-LayerNorm-ReLU blocks (40-64-64-10) on "
         "MNIST-1D, Adam lr=3e-3.")
def layernorm_mlp_mnist1d(seed):
    rng = make_rng(seed)
    model = Sequential(Linear(40, 64, rng=rng), LayerNorm(64), ReLU(),
                       Linear(64, 64, rng=rng), LayerNorm(64), ReLU(), Linear(64, 10, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=3e-3),
                      *mnist1d_split(seed))


@healthy("healthy-regression-rmsprop", "A 4-32-32-1 tanh MLP regressing sin(x0) + x1 x2 with "
         "MSELoss, RMSprop lr=1e-2.")
def regression_rmsprop(seed):
    model = mlp((4, 32, 32, 1), seed, activation=Tanh, init="xavier", last_init="xavier")
    return Experiment(model, MSELoss(), RMSprop(model.parameters(), lr=1e-2),
                      *regression_split(seed))


class MeanOverTime(Module):
    """The average of a sequence over time. Shapes: input (N, T, D) -> output (N, D)."""

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self._steps = x.shape[1]
        return x.mean(axis=1)

    def backward(self, grad_out):
        # every step contributed 1/T of the mean
        return np.repeat(grad_out[:, None, :] / self._steps, self._steps, axis=1)


def topic_split(seed, n=600, length=12, vocab=40, topics=4):
    """Bags of tokens, each message mostly from its topic's 10 words: ``X, y, X_val, y_val``.

    X: token ids (N, length) in [0, vocab); y: topic (N,). Two tokens in three
    come from the topic's own words, the rest from the whole vocabulary.
    """
    rng = make_rng(seed)
    y = rng.integers(0, topics, n)
    words = vocab // topics
    own = y[:, None] * words + rng.integers(0, words, (n, length))
    X = np.where(rng.random((n, length)) < 2 / 3, own, rng.integers(0, vocab, (n, length)))
    cut = int(0.8 * n)
    return X[:cut], y[:cut], X[cut:], y[cut:]


@healthy("healthy-embedding-bag-topics", "An embedding bag (Embedding, mean over the "
         "tokens, Linear) classifying bags of words by topic, Adam lr=1e-2.")
def embedding_bag_topics(seed):
    rng = make_rng(seed)
    model = Sequential(Embedding(40, 16, rng=rng), MeanOverTime(), Linear(16, 4, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      *topic_split(seed))


@healthy("healthy-adagrad-xor", "A 2-16-2 ReLU MLP on XOR trained by Adagrad lr=0.1.")
def adagrad_xor(seed):
    model = mlp((2, 16, 2), seed)
    return Experiment(model, CrossEntropyLoss(), Adagrad(model.parameters(), lr=0.1),
                      *xor_split(seed))


@healthy("healthy-step-schedule-loop", "A hand-written loop (SGD lr=0.1, momentum 0.9, "
         "batches of 16) training the spiral MLP, with StepLR halving the rate every 10 epochs.")
def step_schedule_loop(seed):
    model = mlp(SPIRAL_SIZES, seed)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    return looped(seed, model, CrossEntropyLoss(), optimizer, *spiral_split(seed), epochs=30,
                  batch_size=16, scheduler=StepLR(optimizer, step_size=10, gamma=0.5))


def _fit_with_callbacks(model, loss_fn, optimizer, X, y, *, X_val, y_val, seed):
    """``fit()`` with a cosine schedule, EarlyStopping and a DoctorCallback; its Report."""
    from minnet.callbacks import EarlyStopping
    from minnet.diagnostics.callback import DoctorCallback
    from minnet.optim import CosineAnnealingLR
    from minnet.training import fit

    doctor = DoctorCallback()
    fit(model, loss_fn, optimizer, X, y, X_val=X_val, y_val=y_val, epochs=20, batch_size=64,
        scheduler=CosineAnnealingLR(optimizer, T_max=20),
        callbacks=[EarlyStopping(patience=5), doctor], progress=False, rng=seed)
    return doctor.report()


@healthy("healthy-fit-callbacks-mnist1d", "The MNIST-1D Conv1d network trained by fit() with "
         "a cosine schedule, EarlyStopping and a DoctorCallback.")
def fit_callbacks_mnist1d(seed):
    from minnet.mnist1d_models import build_cnn

    X, y, X_val, y_val = mnist1d_split(seed)
    model = build_cnn(channels=8, rng=seed)
    train = functools.partial(_fit_with_callbacks, X_val=X_val, y_val=y_val, seed=seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val, train)


EXAMPLES = collect(globals())
