"""``minnet runs plot``: the curves of one metric of several runs, overlaid (matplotlib).

matplotlib is imported inside ``plot_runs``: reading the store stays headless and fast.
"""

import math

from minnet.runs.store import StoreError

DEFAULT_METRIC = "loss"  # fit's training loss of every step


def curve(store, record, metric):
    """``(xs, ys, x_label)`` of ``metric`` in one run: against the step when every row has
    one, else against the epoch (1-based), else the order logged."""
    rows = store.metrics(record.id, metric)
    if not rows:
        keys = ", ".join(store.metric_keys(record.id)) or "none"
        raise StoreError(f"run {record.id} ({record.name}) has no metric "
                         f"{metric!r}; its metrics are: {keys}")
    if all(row.step is not None for row in rows):
        return [row.step for row in rows], [row.value for row in rows], "step"
    if all(row.epoch is not None for row in rows):
        return [row.epoch + 1 for row in rows], [row.value for row in rows], "epoch"
    return list(range(len(rows))), [row.value for row in rows], "record"


def plot_runs(store, records, metric=DEFAULT_METRIC, path="minnet-runs.png"):
    """Draw ``metric`` of every run on one Axes and save it to ``path``; return the Figure.

    Parameters
    ----------
    store : RunStore
    records : list of RunRecord, one line each, labelled "ID name"
    metric : str, a metric key (``minnet runs show ID`` lists them)
    path : str, the PNG to write
    """
    # A Figure without pyplot: drawn straight to a file, whatever backend a notebook has set
    from matplotlib.figure import Figure

    curves = [curve(store, record, metric) for record in records]  # every error before drawing
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    for record, (xs, ys, _) in zip(records, curves):
        axes.plot(xs, ys, label=f"{record.id} {record.name}", linewidth=1.2)
    labels = {label for _, _, label in curves}
    axes.set_xlabel(labels.pop() if len(labels) == 1 else "step or epoch")
    axes.set_ylabel(metric)
    values = [y for _, ys, _ in curves for y in ys if math.isfinite(y)]
    if values and min(values) > 0 and max(values) / min(values) > 100:
        axes.set_yscale("log")  # a loss over decades reads better in log scale
    axes.set_title(f"{metric}, {len(records)} run(s)")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return figure
