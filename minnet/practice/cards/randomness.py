"""Card randomness: where the randomness of a training run comes from, one source at a time."""


from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.random import make_rng
from minnet.zoo.base import spiral_split

ID = "randomness"
SOURCES = ("003:66a",)
TOPIC = "reproducibility"
RELATED = ("noise-helps", "reproducible-runs")

QUESTION = """List the sources of randomness in training a neural network. How do you
make a run reproducible?"""

ANSWER = """The weight initialization; the data split; the order of the examples and
the composition of each mini-batch (shuffling, sampling); data augmentation; dropout
masks and other stochastic layers; and, on GPUs, non-deterministic kernels and
floating-point sums whose order varies with threads. Each source alone changes the
final weights and loss. To reproduce a run, give every source its own generator with
a recorded seed (one for the init, one for the loader, one for dropout), save them in
checkpoints, and ask the framework for deterministic kernels; then the same seeds give
bit-identical runs on the same machine and software. To report results, do the
opposite: repeat over several seeds and give the spread, since one seed's number can
mislead."""

PREDICT = Prediction(
    "Three seeds drive a run: the init, the batch order and the dropout masks. Change only "
    "the dropout seed. The final training loss...",
    ("is identical: dropout is off at evaluation", "changes", "becomes NaN",
     "changes only with shuffling off"),
    1)

CLAIMS = (
    Claim("each-source-changes-the-run", "changing any one seed (init, order, dropout) moves "
          "the final loss by over 1e-6 (relative); rerunning with all three fixed does not",
          "smallest_change", ">", 1e-6, "rerun_change"),
    Claim("all-fixed-is-identical", "with all three seeds fixed, a rerun's loss differs by "
          "less than 1e-12 (relative); changing any one seed does not", "rerun_change", "<",
          1e-12, "smallest_change"),
)


def _run(init_seed, order_seed, dropout_seed, X, y, steps):
    init, drops = make_rng(init_seed), make_rng(dropout_seed)
    model = Sequential(Linear(2, 32, rng=init), ReLU(), Dropout(0.2, rng=drops),
                       Linear(32, 3, rng=init))
    loss_fn = CrossEntropyLoss()
    fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y, steps=steps,
        batch_size=32, rng=order_seed)
    return evaluate(model, loss_fn, X, y)[0]


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    steps = 100 if quick else 500
    base = (3 * seed, 3 * seed + 1, 3 * seed + 2)
    reference = _run(*base, X, y, steps)
    changes = {}
    for index, name in enumerate(("init", "order", "dropout")):
        varied = list(base)
        varied[index] += 1000
        changes[name] = abs(_run(*varied, X, y, steps) - reference) / reference
    rerun = abs(_run(*base, X, y, steps) - reference) / reference
    return {"changes": changes, "smallest_change": float(min(changes.values())),
            "rerun_change": float(rerun)}


def figure(result, ax):
    names = list(result["changes"]) + ["none (rerun)"]
    values = list(result["changes"].values()) + [result["rerun_change"]]
    ax.bar(names, [max(v, 1e-17) for v in values])
    ax.set_yscale("log")
    ax.set_xlabel("seed changed")
    ax.set_ylabel("relative change of the final loss")
