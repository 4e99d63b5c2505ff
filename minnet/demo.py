"""The README's main job: the MNIST-1D residual MLP of Greydanus & Kaplan (2020).

Model (the paper's MLP): 40 -> Linear 100 -> ReLU -> x + ReLU(Linear 100 -> 100)
-> Linear 10, trained with Adam (lr 1e-2), batch 100, for 6000 steps (150
epochs of the 4000 training samples). The paper reports 68% test accuracy.
"""

import time
from dataclasses import dataclass

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.layers.residual import Residual
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.random import make_rng
from minnet.training import evaluate, fit


def build_mnist1d_mlp(hidden=100, rng=None):
    """The paper's residual MLP: (N, 40) -> (N, 10) logits.

    Weights use PyTorch's default init, as in the paper's code.
    """
    rng = make_rng(rng)
    return Sequential(
        Linear(40, hidden, init="pytorch", rng=rng),
        ReLU(),
        Residual(Sequential(Linear(hidden, hidden, init="pytorch", rng=rng), ReLU())),
        Linear(hidden, 10, init="pytorch", rng=rng),
    )


@dataclass
class DemoResult:
    """What ``run_demo`` measured: accuracy in [0, 1], wall time in seconds, the History."""

    test_accuracy: float
    train_accuracy: float
    seconds: float
    steps: int
    history: object
    plot_path: str = None


def run_demo(steps=6000, batch_size=100, lr=1e-2, seed=0, progress=True, plot_path=None,
             data=None):
    """Train the MNIST-1D MLP and return a DemoResult.

    Parameters
    ----------
    steps : int
        Optimizer steps; rounded up to whole epochs of the training set.
    data : minnet.data.Dataset or None
        (X_train, y_train, X_test, y_test); None generates MNIST-1D locally.
    plot_path : str or None
        Where to write the loss-curve PNG; None writes no figure.
    """
    if data is None:
        from minnet.data import mnist1d

        data = mnist1d()
    X_train, y_train, X_test, y_test = data
    rng = np.random.default_rng(seed)
    steps_per_epoch = -(-len(X_train) // batch_size)
    epochs = max(1, -(-steps // steps_per_epoch))

    model = build_mnist1d_mlp(rng=rng)
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    history = fit(model, loss_fn, optimizer, X_train, y_train, X_val=X_test, y_val=y_test,
                  epochs=epochs, batch_size=batch_size, progress=progress, rng=rng)
    seconds = time.perf_counter() - start

    result = DemoResult(
        test_accuracy=evaluate(model, loss_fn, X_test, y_test)["accuracy"],
        train_accuracy=evaluate(model, loss_fn, X_train, y_train)["accuracy"],
        seconds=seconds, steps=epochs * steps_per_epoch, history=history)
    if plot_path is not None:
        result.plot_path = save_loss_plot(history, plot_path)
    return result


def save_loss_plot(history, path):
    """Write the train/test loss curves of ``history`` to a PNG at ``path``; return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 4))
    history.plot(ax=ax)
    ax.set_title("minnet demo: MNIST-1D residual MLP")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
