"""Train a zoo setup for a few epochs under the doctor's ``watch`` and keep its records."""

import numpy as np

from minnet.diagnostics.watch import watch
from minnet.zoo.base import train_loop


def watched_run(ex, seed, epochs, **loop):
    """(report records, warning-or-worse finding codes) of ``train_loop`` on an Experiment.

    ``loop`` switches habits of the zoo's ``train_loop`` (zero_grad, shuffle,
    eval_mode, clip, scheduler); the data and optimizer are the experiment's.
    """
    watcher = watch(ex.model, optimizer=ex.optimizer, loss_fn=ex.loss_fn)
    with watcher:
        train_loop(ex.model, ex.loss_fn, ex.optimizer, ex.X, ex.y, epochs=epochs,
                   batch_size=32, rng=seed, **loop)
    report = watcher.report()
    return report.records, {f.code for f in report.problems("warning")}


def grad_norm_growth(records):
    """Last sampled global gradient norm over the first, and the series (steps, values)."""
    series = records["global_grad_norm"]
    values = np.asarray(series["value"], dtype=float)
    return float(values[-1] / values[0]), (np.asarray(series["step"]), values)
