"""The RNN case, step by step (docs/doctor-zoo.md): tagging abusive chat phrases.

A colleague trains Embedding -> RNN (tanh) -> Linear-BatchNorm-ReLU-Dropout ->
Linear on ``toy_phrases`` ("you are fake not smart" is abusive, "you are
smart not fake" is not: word order decides). The splits are right, the data
ample, the task easy, and nothing works. Each ``rnn-story-K-...`` example is
the working setup (``rnn-story-fixed``) with ONE of the colleague's mistakes,
in the order a doctor should surface them; its report names that mistake.

The data, the same in every step: phrases padded to 20 tokens, about one
message in ten also labelled the other way by a second annotator (the same
text twice, with both labels: no model can fit both, so the training loss
levels off above zero), and the file sorted by label.
"""

import functools

import numpy as np

from minnet.core import Sequential
from minnet.data.phrases import VOCAB
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d
from minnet.layers.recurrent import RNN
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam, CosineAnnealingLR
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    broken,
    collect,
    healthy,
    phrases_split,
    train_loop,
)

PHRASES = 600
MAX_LEN = 20  # messages padded to 20 tokens
DISAGREEMENT = 0.1  # fraction of messages that a second annotator labelled the other way
EMBEDDING, HIDDEN = 16, 32
EPOCHS, BATCH_SIZE, LR = 20, 32, 1e-2
CLIP = 1.0


def story_data(seed):
    """``X, y, X_val, y_val``: token ids (N, 20) and labels, sorted by label (abusive first)."""
    X, y, X_val, y_val = phrases_split(seed, PHRASES, MAX_LEN)
    rng = np.random.default_rng(seed)
    split = []
    for inputs, labels in ((X, y), (X_val, y_val)):
        twice = rng.choice(len(inputs), int(DISAGREEMENT * len(inputs)), replace=False)
        inputs = np.concatenate([inputs, inputs[twice]])
        labels = np.concatenate([labels, 1 - labels[twice]])
        order = np.argsort(-labels, kind="stable")
        split += [inputs[order], labels[order]]
    X, y, X_val, y_val = split
    return X, y, X_val, y_val


def story_model(seed, wrong_order=False):
    """Embedding -> RNN -> hidden layer -> Linear(32, 2); ``wrong_order`` is step 5's."""
    rng = make_rng(seed)
    embed = Embedding(len(VOCAB), EMBEDDING, rng=rng)
    rnn = RNN(EMBEDDING, HIDDEN, rng=rng)
    if wrong_order:  # x = W x + b; x = dropout(x); x = relu(x); x = batch_norm(x)
        hidden = [Linear(HIDDEN, HIDDEN, rng=rng), Dropout(0.2, rng=rng), ReLU(),
                  BatchNorm1d(HIDDEN)]
    else:
        hidden = [Linear(HIDDEN, HIDDEN, rng=rng), BatchNorm1d(HIDDEN), ReLU(),
                  Dropout(0.2, rng=rng)]
    return Sequential(embed, rnn, *hidden, Linear(HIDDEN, 2, rng=rng))


def story(seed, model=None, schedule=True, data=None, **loop):
    """The story's experiment; ``loop`` switches habits of ``train_loop`` off."""
    model = model or story_model(seed)
    X, y, X_val, y_val = data or story_data(seed)
    optimizer = Adam(model.parameters(), lr=LR)
    scheduler = CosineAnnealingLR(optimizer, T_max=EPOCHS) if schedule else None
    options = dict(epochs=EPOCHS, batch_size=BATCH_SIZE, rng=seed, X_val=X_val, y_val=y_val,
                   clip=CLIP, scheduler=scheduler)
    options.update(loop)
    train = functools.partial(train_loop, **options)
    return Experiment(model, CrossEntropyLoss(), optimizer, X, y, X_val, y_val, train)


@broken("rnn-story-1-no-zero-grad", "RNN story 1: trying to overfit, but the loop never calls "
        "optimizer.zero_grad(), so the gradients accumulate.", "grads-not-zeroed")
def step_1(seed):
    return story(seed, zero_grad=False)  # MISTAKE


@broken("rnn-story-2-zero-init", "RNN story 2: the RNN's weights start at zero: every hidden "
        "unit is the same and batch norm sees a constant.", "symmetric-init")
def step_2(seed):
    model = story_model(seed)
    for param in model[1].parameters():
        param.data[...] = 0.0  # MISTAKE: "start from a blank memory"
    return story(seed, model)


@broken("rnn-story-3-saturated-tanh", "RNN story 3: word vectors scaled up x10: the tanh "
        "units sit at +-1, where their gradient is zero.", "saturated-activation")
def step_3(seed):
    model = story_model(seed)
    model[0].weight.data *= 10.0  # MISTAKE: "so that the words stand out"
    return story(seed, model)


@broken("rnn-story-4-exploding-gradients", "RNN story 4: recurrent weights drawn from N(0, 1) "
        "(not scaled by 1/sqrt(H)) and no gradient clipping: over 20 steps the gradients "
        "explode.", ("weight-scale-skew", "exploding-gradients"))
def step_4(seed):
    model = story_model(seed)
    rnn = model[1]
    rnn.weight_hh_l0.data[...] = make_rng(seed).standard_normal((HIDDEN, HIDDEN))  # MISTAKE
    return story(seed, model, clip=None)  # MISTAKE: no clip_grad_norm_


@broken("rnn-story-5-dropout-before-batchnorm", "RNN story 5: the hidden layer written "
        "Linear, Dropout, ReLU, BatchNorm: dropout shifts the variance batch norm learned.",
        "dropout-before-batchnorm")
def step_5(seed):
    return story(seed, story_model(seed, wrong_order=True))  # MISTAKE


@broken("rnn-story-6-no-shuffle", "RNN story 6: the file lists the abusive messages first and "
        "the loop never shuffles: each batch holds one label.", "labels-sorted-no-shuffle")
def step_6(seed):
    return story(seed, shuffle=False)  # MISTAKE


@broken("rnn-story-7-no-lr-schedule", "RNN story 7: a schedule was intended, but the learning "
        "rate ends where it began while the loss has levelled off (a hint, info).",
        "no-lr-schedule", severity="info")
def step_7(seed):
    return story(seed, schedule=False)  # MISTAKE


@broken("rnn-story-8-eval-in-train-mode", "RNN story 8: the validation set is scored without "
        "model.eval(): dropout drops and batch norm updates its statistics.",
        "eval-in-train-mode")
def step_8(seed):
    return story(seed, eval_mode=False)  # MISTAKE


@healthy("rnn-story-fixed", "The RNN story with every mistake fixed (zero_grad, "
         "Glorot/orthogonal init, clipping, Linear-BN-ReLU-Dropout, shuffling, cosine "
         "schedule, eval()).")
def fixed(seed):
    return story(seed)


EXAMPLES = collect(globals())
