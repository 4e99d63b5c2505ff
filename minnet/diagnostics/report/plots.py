"""Plots of what the doctor recorded, as Display objects (scikit-learn's pattern).

Each display reads ``Report.records`` (see ``minnet.diagnostics.report.finding``)::

    LossCurveDisplay.from_report(report).plot()          # train and validation loss
    ActivationHistogramDisplay.from_report(report).plot() # one panel per layer, over time
    GradientNormDisplay.from_report(report).plot()       # per layer, log y
    UpdateRatioDisplay.from_report(report).plot()        # per parameter, log y, healthy band
    WeightStdDisplay.from_report(report).plot()          # weight std by depth

``plot(ax=None)`` draws on ``ax`` (a new figure when None) and returns the
display, which keeps ``ax_`` and ``figure_``. Missing or empty records give an
empty axes with a note, never an exception. matplotlib is imported inside
``plot()`` only, so ``import minnet`` stays headless and fast.
"""

import numpy as np

from minnet.errors import ConfigError

HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)
TARGET_UPDATE_RATIO = 1e-3
MAX_SNAPSHOTS = 6  # histograms / depth profiles drawn per panel (first and last always)


def grid_shape(panels, max_columns=3):
    """(rows, columns) of a grid holding ``panels`` axes."""
    columns = max(1, min(panels, max_columns))
    return -(-max(panels, 1) // columns), columns


def _new_axes(figsize=(6, 4)):
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def _note(ax, text):
    """An empty axes that says why it is empty."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes,
            fontsize=9, color="0.35", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def _series(x, y, positive=False):
    """(x, y) as float arrays of equal length; non-finite (and, if asked, y <= 0) become NaN.

    NaN leaves a gap in a line instead of breaking a log axis.
    """
    x = np.asarray(x if x is not None else [], dtype=float).ravel()
    y = np.asarray(y if y is not None else [], dtype=float).ravel()
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    keep = np.isfinite(y) & (y > 0) if positive else np.isfinite(y)
    return x, np.where(keep, y, np.nan)


def _snapshot_indices(count, limit=MAX_SNAPSHOTS):
    """At most ``limit`` evenly spread indices of ``range(count)``, first and last included."""
    if count <= limit:
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, limit)})


class _Display:
    """Shared constructors: ``from_records(records)`` reads ``records[records_key]``."""

    records_key = None

    @classmethod
    def from_records(cls, records):
        return cls((records or {}).get(cls.records_key) or {})

    @classmethod
    def from_report(cls, report):
        return cls.from_records(report.records)

    def _finish(self, ax):
        self.ax_, self.figure_ = ax, ax.figure
        return self


class LossCurveDisplay(_Display):
    """Training loss per step and validation loss at its steps.

    ``loss``: ``{"step": [...], "train": [...], "val_step": [...], "val": [...]}``
    (``records["loss"]``); validation keys may be absent. With a RegularizedLoss,
    ``"data"`` and ``"reg"`` (its two parts) are drawn dashed. A dotted red line
    marks the first non-finite training loss.
    """

    records_key = "loss"

    def __init__(self, loss):
        self.loss = dict(loss)

    def plot(self, ax=None):
        ax = _new_axes() if ax is None else ax
        steps, train = _series(self.loss.get("step"), self.loss.get("train"))
        val_steps, val = _series(self.loss.get("val_step"), self.loss.get("val"))
        if not len(steps) and not len(val_steps):
            _note(ax, "no loss recorded\n(the monitored run did not take a step)")
            return self._finish(ax)
        if len(steps):
            ax.plot(steps, train, linewidth=1, label="train")
            bad = np.flatnonzero(np.isnan(train))
            if len(bad):
                ax.axvline(steps[bad[0]], color="tab:red", linestyle=":",
                           label=f"non-finite from step {steps[bad[0]]:g}")
        for key, label in (("data", "data part"), ("reg", "regularization part")):
            part_steps, part = _series(self.loss.get("step"), self.loss.get(key))
            if np.isfinite(part).any() and np.isfinite(self.loss.get("reg", [np.nan])).any():
                ax.plot(part_steps, part, linestyle="--", linewidth=1, label=label)
        if len(val_steps):
            ax.plot(val_steps, val, marker="o", markersize=3, label="validation")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title("loss", fontsize=9)
        ax.legend(fontsize=8)
        return self._finish(ax)


class _PerLayerCurves(_Display):
    """One line per layer (or parameter): ``{name: {"step": [...], "value": [...]}}``."""

    ylabel = title = empty_note = ""

    def __init__(self, curves):
        self.curves = {name: dict(curve) for name, curve in curves.items()}

    def plot(self, ax=None):
        ax = _new_axes() if ax is None else ax
        drawn = 0
        for name, curve in self.curves.items():
            steps, values = _series(curve.get("step"), curve.get("value"), positive=True)
            if np.isfinite(values).any():
                ax.plot(steps, values, linewidth=1, label=name)
                drawn += 1
        if not drawn:
            _note(ax, self.empty_note)
            return self._finish(ax)
        ax.set_yscale("log")
        self._decorate(ax)
        ax.set_xlabel("step")
        ax.set_ylabel(self.ylabel)
        ax.set_title(self.title, fontsize=9)
        ax.legend(fontsize=7, loc="best")
        return self._finish(ax)

    def _decorate(self, ax):
        """Extra reference marks (subclasses)."""


class GradientNormDisplay(_PerLayerCurves):
    """Gradient norm per layer against the step, log y (``records["grad_norm"]``).

    Lines that fan out by orders of magnitude between the first and the last
    layers show vanishing or exploding gradients.
    """

    records_key = "grad_norm"
    ylabel = "gradient norm"
    title = "gradient norm per layer"
    empty_note = "no gradient norms recorded"


class UpdateRatioDisplay(_PerLayerCurves):
    """Update/weight ratio ||dW|| / ||W|| per parameter, log y (``records["update_ratio"]``).

    The shaded band is the healthy range [1e-4, 1e-2]; the dashed line is the
    usual target 1e-3 (CS231n).
    """

    records_key = "update_ratio"
    ylabel = "update / weight ratio"
    title = "update/weight ratio per parameter (healthy band shaded)"
    empty_note = "no update/weight ratios recorded"

    def _decorate(self, ax):
        low, high = HEALTHY_UPDATE_RATIO
        ax.axhspan(low, high, color="tab:green", alpha=0.12, label="healthy [1e-4, 1e-2]")
        ax.axhline(TARGET_UPDATE_RATIO, color="tab:green", linestyle="--", linewidth=1,
                   label="target 1e-3")


class ActivationHistogramDisplay(_Display):
    """Histograms of each layer's activations over time: one panel per layer.

    ``activations``: ``{layer: {"step": [...], "histogram": [(counts, edges), ...],
    "dead_fraction": [...], "saturated_fraction": [...]}}`` (``records["activations"]``).
    Each panel overlays the histograms at up to six steps, dark (early) to light
    (late); the title gives the last dead and saturated fractions. ``ax_`` is a
    1-D array of Axes, one per panel.
    """

    records_key = "activations"

    def __init__(self, activations):
        self.activations = {name: dict(layer) for name, layer in activations.items()}

    @property
    def layers(self):
        """The layers that have at least one histogram (one panel each)."""
        return [name for name, layer in self.activations.items() if layer.get("histogram")]

    def plot(self, ax=None):
        layers = self.layers
        panels = max(len(layers), 1)
        if ax is None:
            import matplotlib.pyplot as plt

            rows, columns = grid_shape(panels)
            _, grid = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows),
                                   squeeze=False)
            for extra in grid.ravel()[panels:]:
                extra.set_visible(False)
            ax = grid.ravel()[:panels]
        given = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        axes = np.empty(len(given), dtype=object)
        for index, panel in enumerate(given):
            axes[index] = panel
        if len(axes) < panels:
            raise ConfigError(
                f"ActivationHistogramDisplay.plot: {len(layers)} layers need {panels} Axes, "
                f"got {len(axes)}; pass ax=None or a sequence of {panels} Axes")
        if not layers:
            _note(axes[0], "no activation histograms recorded")
        for panel, name in zip(axes, layers):
            self._draw_layer(panel, name, self.activations[name])
        self.ax_, self.figure_ = axes[:panels], axes[0].figure
        return self

    @staticmethod
    def _draw_layer(ax, name, layer):
        from matplotlib import colormaps

        histograms = layer["histogram"]
        steps = list(layer.get("step") or [])
        indices = _snapshot_indices(len(histograms))
        colors = colormaps["viridis"](np.linspace(0.0, 0.85, len(indices)))
        for color, index in zip(colors, indices):
            counts, edges = (np.asarray(part, dtype=float) for part in histograms[index])
            total = counts.sum()
            fractions = counts / total if total > 0 else counts
            step = f"step {steps[index]:g}" if index < len(steps) else f"snapshot {index}"
            label = step if index in (indices[0], indices[-1]) else None
            ax.stairs(fractions, edges, color=color, label=label)
        title = name
        for key, word in (("dead_fraction", "dead"), ("saturated_fraction", "saturated")):
            values = layer.get(key)
            last = float(values[-1]) if values is not None and len(values) else float("nan")
            if np.isfinite(last):  # NaN: not measured for this kind of layer
                title += f"\n{word} {100 * last:.0f}%"
        ax.set_title(title, fontsize=8)
        ax.set_xlabel("activation value", fontsize=8)
        ax.set_ylabel("fraction of values", fontsize=8)
        ax.legend(fontsize=7)


class WeightStdDisplay(_Display):
    """Standard deviation of each weight tensor against its depth, at a few steps.

    ``weight_std``: ``{param: {"depth": int, "step": [...], "value": [...]}}``
    (``records["weight_std"]``). One line per chosen step (first and last always):
    a healthy network keeps roughly the same scale at every depth.
    """

    records_key = "weight_std"

    def __init__(self, weight_std):
        self.weight_std = {name: dict(entry) for name, entry in weight_std.items()}

    def plot(self, ax=None):
        ax = _new_axes() if ax is None else ax
        entries = []
        for order, (name, entry) in enumerate(self.weight_std.items()):
            steps, values = _series(entry.get("step"), entry.get("value"))
            if len(steps):
                entries.append((entry.get("depth", order), name, steps, values))
        if not entries:
            _note(ax, "no weight statistics recorded")
            return self._finish(ax)
        entries.sort(key=lambda item: item[0])
        depths = [depth for depth, *_ in entries]
        all_steps = np.unique(np.concatenate([steps for _, _, steps, _ in entries]))
        chosen = all_steps[_snapshot_indices(len(all_steps))]
        positive = True
        for color_index, step in enumerate(chosen):
            # Each tensor's value at its last recorded step not after `step`.
            points = [(depth, values[np.searchsorted(steps, step, side="right") - 1])
                      for depth, _, steps, values in entries if steps[0] <= step]
            x, y = _series(*zip(*points)) if points else ([], [])
            positive &= bool(np.all(np.nan_to_num(y, nan=1.0) > 0))
            ax.plot(x, y, marker="o", markersize=3, color=f"C{color_index}",
                    label=f"step {step:g}")
        if positive:
            ax.set_yscale("log")
        ax.set_xticks(depths, [name for _, name, _, _ in entries], rotation=30, ha="right",
                      fontsize=7)
        ax.set_xlabel("depth")
        ax.set_ylabel("weight std")
        ax.set_title("weight std by depth", fontsize=9)
        ax.legend(fontsize=7)
        return self._finish(ax)
