"""History: what ``fit()`` records, epoch by epoch and step by step.

``history.history`` is a dict of per-epoch lists, as in Keras, also reachable
as attributes (``history.val_loss``):

- ``train_loss``: mean loss of the epoch's steps, weighted by batch size
  (for a RegularizedLoss, data loss plus penalty);
- ``train_acc``: accuracy measured on the fly during the epoch (training mode,
  weights changing, as Keras does), so it can differ from ``evaluate()``;
- ``val_loss``, ``val_acc``: on the validation data after the epoch, in eval mode;
- ``lr``: the optimizer's learning rate during the epoch;
- ``epoch_time``: seconds for the epoch, validation included.

A key is ABSENT when its quantity is undefined: ``val_*`` without validation
data, ``*_acc`` for a loss without an accuracy (MSELoss, or any loss other
than CrossEntropyLoss and BCEWithLogitsLoss, possibly inside a
RegularizedLoss). So ``"val_loss" in history.history`` tells whether the run
was validated; present lists always have one entry per completed epoch.

``history.step_loss`` lists the loss of every step (including a last,
non-finite one), and ``history.stopped_reason`` is None when every epoch ran,
else why the run stopped early.
"""

import math
from collections import namedtuple

from minnet.errors import ConfigError, DataError

BestEpoch = namedtuple("BestEpoch", ["epoch", "value"])

_COLUMNS = ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "epoch_time")


class History:
    """The record of one ``fit()`` run (see the module docstring for the keys)."""

    def __init__(self):
        self.history = {}
        self.step_loss = []
        self.stopped_reason = None

    def record(self, logs):
        """Append one completed epoch's values (``fit`` calls this)."""
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getattr__(self, name):
        # Only reached when normal lookup fails: the per-epoch lists by name.
        history = self.__dict__.get("history", {})
        if name in history:
            return history[name]
        if name in _COLUMNS:
            why = ("no validation data was given to fit()" if name.startswith("val_")
                   else "accuracy is recorded only for CrossEntropyLoss and BCEWithLogitsLoss")
            raise AttributeError(f"History has no {name!r}: {why}")
        raise AttributeError(f"'History' object has no attribute {name!r}")

    def __len__(self):
        """The number of completed epochs."""
        return len(self.history.get("train_loss", []))

    @property
    def epochs(self):
        return len(self)

    def best(self, metric="val_loss", mode="auto"):
        """The best epoch for ``metric``: ``BestEpoch(epoch, value)``, epoch 0-based.

        ``mode="auto"`` maximises metrics whose name contains "acc" and
        minimises the others; NaN values never win. The first epoch wins a tie.
        """
        if metric not in self.history:
            raise ConfigError(f"History.best: no metric {metric!r} was recorded; the "
                              f"recorded ones are {sorted(self.history)}")
        if mode not in ("auto", "min", "max"):
            raise ConfigError(f"History.best: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if "acc" in metric else "min"
        values = [(value, epoch) for epoch, value in enumerate(self.history[metric])
                  if not math.isnan(value)]
        if not values:
            raise DataError(f"History.best: every recorded {metric!r} is NaN")
        sign = 1 if mode == "min" else -1
        value, epoch = min(values, key=lambda pair: (sign * pair[0], pair[1]))
        return BestEpoch(epoch, value)

    def plot(self, ax=None):
        """Draw train (and validation) loss against the epoch; return the matplotlib Axes.

        matplotlib is imported here, never by ``import minnet``.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        epochs = range(1, len(self) + 1)
        for key, label in (("train_loss", "train"), ("val_loss", "validation")):
            if key in self.history:
                ax.plot(epochs, self.history[key], marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        title = "loss per epoch"
        if self.stopped_reason:
            title += f"\n(stopped: {self.stopped_reason})"
        ax.set_title(title, fontsize=9)
        ax.legend()
        return ax

    def __repr__(self):
        columns = [key for key in _COLUMNS if key in self.history]
        head = (f"History(epochs={len(self)}, steps={len(self.step_loss)}, "
                f"stopped_reason={self.stopped_reason!r})")
        if not columns or not len(self):
            return head
        rows = list(range(len(self)))
        if len(rows) > 12:  # first and last epochs of a long run
            rows = rows[:5] + [None] + rows[-5:]
        lines = [head, "  epoch " + " ".join(f"{key:>10}" for key in columns)]
        for row in rows:
            if row is None:
                lines.append("    ...")
                continue
            cells = " ".join(f"{self.history[key][row]:>10.4g}" for key in columns)
            lines.append(f"  {row + 1:>5} {cells}")
        return "\n".join(lines)
