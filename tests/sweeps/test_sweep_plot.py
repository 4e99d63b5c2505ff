"""SweepResult.plot: a line per seed, the mean and its band, log x over decades, a panel
per setting of the other swept parameters."""

import pytest

from minnet.errors import ConfigError
from minnet.sweeps import SweepResult, TrialResult
from minnet.sweeps.grid import expand_grid


def result_of(grid, seeds, value):
    trials = [TrialResult(params, seed, index, "finished", {"loss": value(params, seed)})
              for index, (params, seed) in enumerate(expand_grid(grid, seeds))]
    return SweepResult("test-sweep", "unused.sqlite", trials, grid)


def seed_lines(ax):
    return [line for line in ax.get_lines() if line.get_label().startswith("seed")]


def test_one_line_per_seed_the_mean_and_a_band_on_a_log_axis(tmp_path):
    result = result_of({"lr": [1e-3, 1e-2, 1e-1]}, range(3), lambda p, s: p["lr"] * 10 + s)
    figure = result.plot("loss", "lr", tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").stat().st_size > 1000
    (ax,) = figure.axes
    assert ax.get_xscale() == "log"
    assert [line.get_label() for line in seed_lines(ax)] == ["seed 0", "seed 1", "seed 2"]
    assert list(seed_lines(ax)[2].get_ydata()) == pytest.approx([2.01, 2.1, 3.0])
    (mean,) = [line for line in ax.get_lines() if line.get_label() == "mean"]
    assert list(mean.get_xdata()) == [1e-3, 1e-2, 1e-1]
    assert list(mean.get_ydata()) == pytest.approx([1.01, 1.1, 2.0])
    (band,) = ax.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    spread = (2 / 3) ** 0.5  # the std of seeds 0, 1, 2
    assert (low, high) == pytest.approx((1.01 - spread, 2.0 + spread))


def test_a_linear_axis_when_values_stay_within_a_decade_and_text_values_in_order():
    numbers = result_of({"batch_size": [32, 64, 128]}, (0,), lambda p, s: p["batch_size"])
    assert numbers.plot("loss").axes[0].get_xscale() == "linear"  # the one swept parameter
    words = result_of({"optimizer": ["sgd", "adam"]}, (0, 1), lambda p, s: len(p["optimizer"]))
    ax = words.plot("loss").axes[0]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["sgd", "adam"]
    assert list(seed_lines(ax)[0].get_ydata()) == [3, 4]


def test_a_panel_per_setting_of_the_other_swept_parameters():
    grid = {"lr": [0.01, 0.1], "batch_size": [32, 64], "epochs": [3]}
    result = result_of(grid, (0, 1), lambda p, s: p["lr"] * p["batch_size"] + s)
    figure = result.plot("loss", "lr")
    assert [ax.get_title() for ax in figure.axes] == ["loss against lr (batch_size=32)",
                                                      "loss against lr (batch_size=64)"]
    assert list(seed_lines(figure.axes[1])[1].get_ydata()) == pytest.approx([1.64, 7.4])


def test_failed_trials_are_left_out_of_the_lines():
    result = result_of({"lr": [0.01, 0.1]}, (0, 1), lambda p, s: p["lr"])
    result.trials[3] = TrialResult({"lr": 0.1}, 1, 3, "failed", {}, "boom")
    ax = result.plot("loss").axes[0]
    assert [list(line.get_xdata()) for line in seed_lines(ax)] == [[0.01, 0.1], [0.01]]


def test_the_parameter_and_the_metric_are_checked():
    result = result_of({"lr": [0.01, 0.1], "batch_size": [32, 64]}, (0,), lambda p, s: 1.0)
    with pytest.raises(ConfigError, match="name the parameter for the x axis; the grid sweeps "
                                          "lr, batch_size"):
        result.plot("loss")
    with pytest.raises(ConfigError, match="'momentum' is not a grid parameter"):
        result.plot("loss", "momentum")
    with pytest.raises(ConfigError, match="no trial returned a metric 'acc'"):
        result.plot("acc", "lr")
