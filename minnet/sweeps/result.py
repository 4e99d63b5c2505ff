"""A sweep's results: one row per trial, a text table, and mean and spread over seeds.

    result = mn.sweep(train, {"lr": [1e-3, 1e-2]}, seeds=range(5))
    print(result.table())                 # one line per trial
    print(result.summary("val_loss"))     # one line per setting: mean, std, min, max
    result.plot("val_loss", "lr", "sweep.png")
"""

import statistics
from dataclasses import dataclass

from minnet.errors import ConfigError
from minnet.runs.tables import table


def text_table(header, rows):
    """Left-aligned columns, two spaces apart, floats in 4 significant digits."""
    return table(header, [[f"{value:.4g}" if isinstance(value, float) else value
                           for value in row] for row in rows], numbers_right=False)


@dataclass(frozen=True)
class SettingSummary:
    """One parameter setting's metric over its seeds: ``n`` finished trials of ``trials``,
    their mean, standard deviation (over seeds, ddof=0), min and max (None when n is 0)."""

    params: dict
    trials: int
    n: int
    mean: float
    std: float
    low: float
    high: float


class Summary(list):
    """The ``SettingSummary`` of each parameter setting, in the grid's order; prints as a table."""

    def __init__(self, metric, settings):
        super().__init__(settings)
        self.metric = metric

    def __str__(self):
        names = list(self[0].params) if self else []
        header = names + ["seeds", f"mean {self.metric}", "std", "min", "max"]
        rows = [[s.params[name] for name in names] + [f"{s.n}/{s.trials}"]
                + (["-"] * 4 if s.n == 0 else [s.mean, s.std, s.low, s.high]) for s in self]
        return text_table(header, rows)


class SweepResult:
    """The trials of one sweep (``TrialResult``s, in the grid's order) and its id in the store.

    Attributes
    ----------
    sweep : str, the id shared by the sweep's runs (``RunStore.list_runs(sweep=...)``)
    store : str, the store file's path
    trials : list of ``TrialResult`` (params, seed, run_id, status, metrics, error, seconds)
    """

    def __init__(self, sweep, store, trials, grid):
        self.sweep, self.store, self.trials = sweep, store, list(trials)
        self.grid = dict(grid)

    @property
    def failed(self):
        """The trials whose function raised."""
        return [trial for trial in self.trials if trial.status != "finished"]

    def metric_names(self):
        """Every metric some trial returned, in the order first seen."""
        names = {}
        for trial in self.trials:
            names.update(dict.fromkeys(trial.metrics))
        return list(names)

    def _check_metric(self, metric):
        known = self.metric_names()
        if metric not in known:
            raise ConfigError(f"SweepResult: no trial returned a metric {metric!r}; the "
                              f"metrics are {', '.join(known) or 'none (every trial failed)'}")

    def table(self):
        """One line per trial: parameters, seed, run id, status, metrics (text)."""
        names, metrics = list(self.grid), self.metric_names()
        header = names + ["seed", "run", "status"] + metrics
        rows = [[trial.params[name] for name in names]
                + [trial.seed, trial.run_id, trial.status]
                + [trial.metrics.get(metric, "-") for metric in metrics]
                for trial in self.trials]
        text = text_table(header, rows)
        for trial in self.failed:
            text += f"\nrun {trial.run_id} (seed {trial.seed}) failed: {trial.error}"
        return text

    def summary(self, metric):
        """Mean and spread of ``metric`` over the seeds of each parameter setting: a ``Summary``."""
        self._check_metric(metric)
        groups = {}
        for trial in self.trials:
            groups.setdefault(_setting_key(trial.params), (trial.params, []))[1].append(trial)
        settings = []
        for params, trials in groups.values():
            values = [t.metrics[metric] for t in trials if metric in t.metrics]
            if values:
                settings.append(SettingSummary(params, len(trials), len(values),
                                               statistics.fmean(values),
                                               statistics.pstdev(values),
                                               min(values), max(values)))
            else:
                settings.append(SettingSummary(params, len(trials), 0, None, None, None, None))
        return Summary(metric, settings)

    def plot(self, metric, param=None, path=None):
        """Plot ``metric`` against ``param``: one line per seed, the mean and a band for the
        spread (see ``minnet.sweeps.plot.plot_sweep``); returns the figure."""
        from minnet.sweeps.plot import plot_sweep

        self._check_metric(metric)
        return plot_sweep(self, metric, param, path)

    def __repr__(self):
        return (f"SweepResult({self.sweep!r}, {len(self.trials)} trials, "
                f"{len(self.failed)} failed)")


def _setting_key(params):
    return tuple((name, repr(value)) for name, value in params.items())
