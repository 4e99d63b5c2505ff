"""The report's figures, shared by its Markdown and HTML forms: which to draw, and drawing one.

``FIGURES`` lists every kind of figure a report can hold; ``recorded_figures(report)``
yields those whose records the report holds; ``render(display, target)`` draws one
as PNG into a path or a binary file object (the HTML report embeds the bytes).
Figures are drawn on ``matplotlib.figure.Figure`` objects with the Agg canvas: no
window opens, pyplot's global state and backend are left alone, and ``import
minnet`` still does not import matplotlib.
"""

from collections import namedtuple

import numpy as np

from minnet.diagnostics.report.plots import (
    ActivationHistogramDisplay,
    GradientNormDisplay,
    LossCurveDisplay,
    UpdateRatioDisplay,
    WeightStdDisplay,
    grid_shape,
)
from minnet.diagnostics.report.plots_sanity import LRRangeDisplay, OverfitBatchDisplay

# (file name, heading, display class, what the figure shows)
FIGURES = [
    ("loss.png", "Loss", LossCurveDisplay,
     "training loss per step, validation loss at its checks"),
    ("activations.png", "Activation histograms", ActivationHistogramDisplay,
     "each layer's activations, early (dark) to late (light): look for piles at 0 "
     "(dead ReLUs) or at the limits (saturated tanh/sigmoid)"),
    ("grad_norm.png", "Gradient norm per layer", GradientNormDisplay,
     "lines that fan out by orders of magnitude mean vanishing or exploding gradients"),
    ("update_ratio.png", "Update/weight ratio", UpdateRatioDisplay,
     "healthy between 1e-4 and 1e-2 (shaded), about 1e-3 is typical"),
    ("weight_std.png", "Weight std by depth", WeightStdDisplay,
     "a healthy network keeps a similar scale at every depth"),
    ("lr_range.png", "Learning-rate range test", LRRangeDisplay,
     "pick a rate where the loss falls fastest, before it turns up"),
    ("overfit.png", "Overfitting one batch", OverfitBatchDisplay,
     "a working network drives the loss near zero on 16 samples"),
]

RecordedFigure = namedtuple("RecordedFigure", "name heading caption display")


def has_data(records, key):
    """True when ``records[key]`` holds something to plot (not just empty lists)."""
    value = (records or {}).get(key)
    if not value:
        return False
    if key == "activations":
        return any(layer.get("histogram") for layer in value.values())
    if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
        return any(len(entry.get("value", [])) for entry in value.values())  # per layer
    return any(len(v) for v in value.values() if isinstance(v, (list, tuple, np.ndarray)))


def recorded_figures(report):
    """The figures ``report`` has records for, in ``FIGURES`` order, as ``RecordedFigure``s."""
    for name, heading, display_class, caption in FIGURES:
        if has_data(report.records, display_class.records_key):
            yield RecordedFigure(name, heading, caption, display_class.from_report(report))


def render(display, target):
    """Draw ``display`` on a fresh Agg figure and write it as PNG to ``target``.

    ``target``: a path, or a binary file object such as ``io.BytesIO``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if isinstance(display, ActivationHistogramDisplay):
        panels = max(len(display.layers), 1)
        rows, columns = grid_shape(panels)
        figure = Figure(figsize=(4 * columns, 3 * rows), layout="constrained")
        grid = figure.subplots(rows, columns, squeeze=False).ravel()
        for extra in grid[panels:]:
            extra.set_visible(False)
        display.plot(ax=grid[:panels])
    else:
        figure = Figure(figsize=(6.4, 4.2), layout="constrained")
        display.plot(ax=figure.add_subplot())
    FigureCanvasAgg(figure)
    figure.savefig(target, format="png", dpi=100)
