"""Card zero-init: identical initial weights give identical units, which stay identical."""

import numpy as np

from minnet.diagnostics.lint import lint
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo import healthy as zoo_healthy
from minnet.zoo import mlp as zoo_mlp

ID = "zero-init"
SOURCES = ("003:65", "000:P2", "002:A2")
TOPIC = "initialization"
RELATED = ("deep-init-scale", "activations-tradeoffs", "dead-relu-what")

QUESTION = """What goes wrong if you initialize all the weights to zero (or all to the
same constant)? How should a shallow network be initialized?"""

ANSWER = """With every weight zero, every hidden activation is zero (or one shared
value), the gradient reaching the first layer is zero, and the hidden units receive
identical updates: nothing breaks the symmetry. With one shared constant the units are
identical twins: same input weights, same outputs, same gradients, so after any number
of steps each layer still behaves like a single unit repeated, and the width is wasted.
Initialize weights randomly, scaled to the layer: He (variance 2/fan_in) for ReLU,
Glorot/Xavier (2/(fan_in + fan_out)) for tanh and sigmoid, so activations and
gradients keep their size from layer to layer; biases can start at zero. For a
recurrent layer, an orthogonal recurrent matrix is a good default. minnet's doctor
flags a symmetric start before training (symmetric-init)."""

PREDICT = Prediction(
    "The zoo's 2-32-32-3 spiral MLP with every weight 0.1, trained 300 Adam steps. How many "
    "different incoming-weight rows does the first hidden layer end with?",
    ("32", "about 16", "1", "0: the weights stay 0.1"),
    2)

CLAIMS = (
    Claim("zeros-give-no-first-layer-gradient", "with zero init the first layer's gradient is "
          "below 1e-12 of the He net's; with a tiny random init (0.01x He) it is not",
          "zeros_gradient", "<", 1e-12, "tiny_gradient"),
    Claim("constant-units-stay-twins", "after training from constant 0.1, the first layer's "
          "rows differ by less than 1e-8 (relative); from He init they do not",
          "constant_row_spread", "<", 1e-8, "he_row_spread"),
    Claim("he-init-learns", "from He init the spiral MLP exceeds 90% training accuracy; from "
          "constant 0.1 it does not", "he_accuracy", ">", 0.9, "constant_accuracy"),
    Claim("lint-flags-symmetry", "the doctor's lint reports symmetric-init for the zero-init "
          "net; for He init it does not", "zeros_lint", ">", 0.5, "he_lint"),
)


def _first_gradient(ex):
    """Norm of the first layer's weight gradient on the whole training set."""
    ex.model.zero_grad()
    ex.loss_fn(ex.model(ex.X), ex.y)
    ex.model.backward(ex.loss_fn.backward())
    return float(np.linalg.norm(ex.model.parameters()[0].grad))


def _row_spread(ex):
    """Largest distance of a first-layer row from the mean row, over the mean row's norm."""
    weight = ex.model.parameters()[0].data
    mean = weight.mean(axis=0)
    return float(np.max(np.linalg.norm(weight - mean, axis=1)) / np.linalg.norm(mean))


def _lint_fires(ex):
    return float(any(f.code == "symmetric-init" for f in lint(ex.model, ex.loss_fn)))


def experiment(seed, quick):
    builds = {"zeros": zoo_mlp.zero_init(seed), "constant 0.1": zoo_mlp.constant_init(seed),
              "He": zoo_healthy.mlp_spiral(seed)}
    he_gradient = _first_gradient(builds["He"])
    # Not constant 0.1 as the twin: its equal output weights make the softmax
    # gradient sum to zero over the classes, so its first-layer gradient is 0 too.
    found = {"zeros_gradient": _first_gradient(builds["zeros"]) / he_gradient,
             "tiny_gradient": _first_gradient(zoo_mlp.init_std_x0_01(seed)) / he_gradient,
             "zeros_lint": _lint_fires(builds["zeros"]), "he_lint": _lint_fires(builds["He"])}
    curves, accuracy = {}, {}
    for name in ("constant 0.1", "He"):
        ex = builds[name]
        curves[name] = fit(ex.model, ex.loss_fn, ex.optimizer, ex.X, ex.y,
                           steps=300 if quick else 1500, batch_size=32, rng=seed)
        accuracy[name] = evaluate(ex.model, ex.loss_fn, ex.X, ex.y)[1]
    return {"curves": curves, **found,
            "constant_row_spread": _row_spread(builds["constant 0.1"]),
            "he_row_spread": _row_spread(builds["He"]),
            "he_accuracy": accuracy["He"], "constant_accuracy": accuracy["constant 0.1"]}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.plot(curve, label=f"init {name}")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (spirals)")
    ax.legend()
