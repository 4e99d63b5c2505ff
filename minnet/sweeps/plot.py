"""The sweep's plot: a metric against one swept parameter, a line per seed, mean and spread.

When the grid sweeps other parameters too, each of their settings gets its
own panel (a line per seed would otherwise mix settings). The x axis is
logarithmic when the values are positive and span a decade or more (learning
rates, weight decays); text values are placed evenly, in the grid's order.
"""

import math
import statistics
from numbers import Real

from minnet.errors import ConfigError


def swept_parameter(grid, param=None):
    """``param`` checked against the grid, or the one parameter the grid sweeps."""
    swept = [name for name, values in grid.items() if len(list(values)) > 1]
    if param is None:
        if len(swept) != 1:
            raise ConfigError(f"SweepResult.plot: name the parameter for the x axis; the grid "
                              f"sweeps {', '.join(swept) or 'no parameter (one value each)'}")
        return swept[0]
    if param not in grid:
        raise ConfigError(f"SweepResult.plot: {param!r} is not a grid parameter; the grid has "
                          f"{', '.join(grid)}")
    return param


def _axis_positions(values):
    """(x of each value, log scale?): numbers as they are, text evenly spaced."""
    if all(isinstance(v, Real) and not isinstance(v, bool) for v in values):
        positive = all(v > 0 for v in values)
        return list(values), positive and max(values) / min(values) >= 10
    return list(range(len(values))), False


def plot_sweep(result, metric, param=None, path=None):
    """Draw ``metric`` against ``param`` for the trials of ``result`` (a ``SweepResult``).

    Returns the matplotlib ``Figure``; writes it to ``path`` (a PNG) when given.
    """
    from matplotlib.figure import Figure  # no pyplot: no global figure state, no window

    param = swept_parameter(result.grid, param)
    values = list(result.grid[param])
    positions, log_x = _axis_positions(values)
    where = {repr(value): x for value, x in zip(values, positions)}
    others = [name for name, options in result.grid.items()
              if name != param and len(list(options)) > 1]
    panels = {}
    for trial in result.trials:
        setting = tuple((name, trial.params[name]) for name in others)
        panels.setdefault(repr(setting), (setting, []))[1].append(trial)

    figure = Figure(figsize=(5.5 * len(panels), 4), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    seeds = sorted({trial.seed for trial in result.trials})
    for ax, (setting, trials) in zip(axes, panels.values()):
        _draw_panel(ax, trials, metric, param, seeds, where)
        ax.set_xlabel(param)
        ax.set_ylabel(metric)
        if log_x:
            ax.set_xscale("log")
        if positions != values:
            ax.set_xticks(positions, [str(v) for v in values])
        title = ", ".join(f"{name}={value}" for name, value in setting)
        ax.set_title(f"{metric} against {param}" + (f" ({title})" if title else ""))
    axes[0].legend(fontsize="small")
    if path is not None:
        figure.savefig(path, dpi=100)
    return figure


def _draw_panel(ax, trials, metric, param, seeds, where):
    """One thin line per seed; the mean over seeds, thick, in a band of +-1 std."""
    by_x = {}
    for seed in seeds:
        points = sorted((where[repr(t.params[param])], t.metrics[metric]) for t in trials
                        if t.seed == seed and metric in t.metrics)
        for x, y in points:
            by_x.setdefault(x, []).append(y)
        if points:
            ax.plot(*zip(*points), marker="o", linewidth=1, alpha=0.45, label=f"seed {seed}")
    xs = sorted(by_x)
    finite = {x: [y for y in by_x[x] if math.isfinite(y)] for x in xs}
    xs = [x for x in xs if finite[x]]
    means = [statistics.fmean(finite[x]) for x in xs]
    spreads = [statistics.pstdev(finite[x]) for x in xs]
    ax.fill_between(xs, [m - s for m, s in zip(means, spreads)],
                    [m + s for m, s in zip(means, spreads)], color="black", alpha=0.12,
                    label="mean ± std over seeds")
    ax.plot(xs, means, color="black", linewidth=2.5, marker="s", label="mean")
