"""Card center-inputs: raw inputs far from zero or on a large scale slow training down."""

import numpy as np

from minnet.data.scaling import Standardizer
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo import data as zoo_data
from minnet.zoo.base import mlp

ID = "center-inputs"
SOURCES = ("002:I3",)
TOPIC = "data"
RELATED = ("saturation", "adam-vs-sgd", "known-good-data")

QUESTION = """Why should the inputs be centred and scaled before training, and how is
it done correctly?"""

ANSWER = """A first-layer unit computes w . x + b. If every feature sits near 100,
the inputs of all units move together with the bias, the gradients for the weights all
share a sign and are huge compared with the bias's, and the loss surface becomes a long
narrow valley that gradient descent crosses slowly; features on a 0-255 scale give
pre-activations hundreds of times too large for an initialization designed for unit
inputs, saturating tanh units and unbalancing ReLUs. Standardize: subtract each
feature's mean and divide by its standard deviation, computed on the training set
only, and apply the same transform to validation and test data (fit once, transform
all). Images are often just divided by 255 and centred per channel."""

PREDICT = Prediction(
    "The zoo's spiral MLP with inputs offset by 100, and MNIST-1D stored as 0-255 pixels. "
    "After standardizing the inputs, the training loss after 300 steps is...",
    ("about the same", "at most half the raw one", "higher", "NaN"),
    1)

CLAIMS = (
    Claim("standardizing-helps", "for both zoo setups (offset 100, x255) the standardized run "
          "ends at most 0.5x the raw run's training loss; standardizing the already "
          "standardized data again does not", "worst_ratio", "<=", 0.5, "already_ratio"),
)


def _train_loss(seed, sizes, X, y, steps):
    model, loss_fn = mlp(sizes, seed), CrossEntropyLoss()
    fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y, steps=steps, batch_size=32,
        rng=seed)
    return evaluate(model, loss_fn, X, y)[0]


def experiment(seed, quick):
    steps = 300 if quick else 1500
    ratios, losses = {}, {}
    for name, build, sizes in (("offset 100", zoo_data.inputs_offset_100, (2, 32, 32, 3)),
                               ("x255", zoo_data.inputs_x255, (40, 64, 10))):
        ex = build(seed)
        scaled = Standardizer().fit_transform(ex.X)
        raw = _train_loss(seed, sizes, ex.X, ex.y, steps)
        fixed = _train_loss(seed, sizes, scaled, ex.y, steps)
        losses[name] = (raw, fixed)
        ratios[name] = fixed / raw
        if name == "x255":  # the twin: standardizing data that is already standard
            again = _train_loss(seed, sizes, Standardizer().fit_transform(scaled), ex.y, steps)
            already = again / fixed
    return {"losses": losses, "worst_ratio": float(max(ratios.values())),
            "already_ratio": float(already)}


def figure(result, ax):
    names = list(result["losses"])
    positions = np.arange(len(names))
    ax.bar(positions - 0.2, [result["losses"][n][0] for n in names], 0.4, label="raw")
    ax.bar(positions + 0.2, [result["losses"][n][1] for n in names], 0.4, label="standardized")
    ax.set_xticks(positions, names)
    ax.set_ylabel("training loss")
    ax.legend()
