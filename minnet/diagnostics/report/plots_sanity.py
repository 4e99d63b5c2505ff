"""Plots of the sanity routines: the learning-rate range test and single-batch overfitting.

Display objects like those of ``minnet.diagnostics.report.plots`` (same ``from_report``,
``from_records`` and ``plot(ax=None) -> self`` with ``ax_`` and ``figure_``), reading
``records["lr_range"]`` and ``records["overfit"]``. matplotlib is imported inside
``plot()`` only.
"""

import numpy as np

from minnet.diagnostics.report.plots import _Display, _new_axes, _note, _series


class LRRangeDisplay(_Display):
    """The learning-rate range test: loss against the learning rate, log x.

    ``lr_range``: ``{"lr": [...], "loss": [...] (smoothed)}`` and optionally
    ``"raw_loss"``, ``"suggested_lr"``, ``"divergence_lr"`` (``records["lr_range"]``).
    A good rate lies where the loss falls fastest, before it turns up (Smith 2017).
    """

    records_key = "lr_range"

    def __init__(self, lr_range):
        self.lr_range = dict(lr_range)

    def plot(self, ax=None):
        ax = _new_axes() if ax is None else ax
        rates, losses = _series(self.lr_range.get("lr"), self.lr_range.get("loss"))
        rates = np.where(rates > 0, rates, np.nan)
        if not np.isfinite(losses).any() or not np.isfinite(rates).any():
            _note(ax, "no learning-rate range test recorded")
            return self._finish(ax)
        raw_rates, raw = _series(self.lr_range.get("lr"), self.lr_range.get("raw_loss"))
        if np.isfinite(raw).any():
            ax.plot(raw_rates, raw, color="0.7", linewidth=0.8, label="loss per step")
        ax.plot(rates, losses, color="C0", linewidth=1.5, label="smoothed loss")
        for key, style, word in (("suggested_lr", "--", "suggested"),
                                 ("divergence_lr", ":", "diverges at")):
            value = self.lr_range.get(key)
            if value is not None and np.isfinite(value) and value > 0:
                ax.axvline(value, color="C2" if key == "suggested_lr" else "C3",
                           linestyle=style, label=f"{word} {value:.2g}")
        # The loss explodes at the end of the sweep: keep the useful region readable.
        drawn = np.concatenate([losses, raw])
        start, low = losses[np.isfinite(losses)][0], np.nanmin(drawn)
        if start > 0 and np.nanmax(drawn) > 1.5 * start:
            ax.set_ylim(low - 0.05 * abs(start - low), 1.5 * start)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.set_title("learning-rate range test", fontsize=9)
        ax.legend(fontsize=7)
        return self._finish(ax)


class OverfitBatchDisplay(_Display):
    """Overfitting one small batch: loss (left axis) and accuracy (right axis) per step.

    ``overfit``: ``{"step": [...], "loss": [...], "accuracy": [...]}`` and optionally
    ``"optimizer"`` (its label) and ``"input_free_loss"`` (the same run with every
    input replaced by the batch mean) (``records["overfit"]``). A working network
    drives the loss near zero and the accuracy to 100%, and clearly below the
    input-free loss. ``ax_`` is the loss axes.
    """

    records_key = "overfit"

    def __init__(self, overfit):
        self.overfit = dict(overfit)

    def plot(self, ax=None):
        ax = _new_axes() if ax is None else ax
        steps, losses = _series(self.overfit.get("step"), self.overfit.get("loss"))
        if not np.isfinite(losses).any():
            _note(ax, "no single-batch overfitting run recorded")
            return self._finish(ax)
        ax.plot(steps, losses, color="C0", linewidth=1, label="loss")
        free = self.overfit.get("input_free_loss")
        if free is not None and len(free):
            free_steps, free = _series(np.arange(len(free)) + steps[0], free)
            ax.plot(free_steps, free, color="C0", linestyle="--", linewidth=1,
                    label="loss, inputs replaced by their mean")
            ax.legend(fontsize=7, loc="center right")
        ax.set_xlabel("step")
        ax.set_ylabel("loss on the batch", color="C0")
        steps, accuracy = _series(self.overfit.get("step"), self.overfit.get("accuracy"))
        if np.isfinite(accuracy).any():
            right = ax.twinx()
            right.plot(steps, accuracy, color="C1", linewidth=1, label="accuracy")
            right.set_ylim(-0.02, 1.02)
            right.set_ylabel("accuracy on the batch", color="C1")
        title = "overfitting one small batch"
        if self.overfit.get("optimizer"):
            title += f" ({self.overfit['optimizer']})"
        ax.set_title(title, fontsize=9)
        return self._finish(ax)
