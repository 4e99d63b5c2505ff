"""The doctor's Display objects: they draw synthetic records, survive missing ones, stay lazy."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from minnet.diagnostics.report.finding import Report  # noqa: E402
from minnet.diagnostics.report.plots import (  # noqa: E402
    ActivationHistogramDisplay,
    GradientNormDisplay,
    LossCurveDisplay,
    UpdateRatioDisplay,
    WeightStdDisplay,
    grid_shape,
)
from minnet.diagnostics.report.plots_sanity import LRRangeDisplay, OverfitBatchDisplay  # noqa: E402
from minnet.errors import ConfigError  # noqa: E402

ALL_DISPLAYS = [LossCurveDisplay, ActivationHistogramDisplay, GradientNormDisplay,
                UpdateRatioDisplay, WeightStdDisplay, LRRangeDisplay, OverfitBatchDisplay]


def synthetic_records(seed=0, steps=40):
    rng = np.random.default_rng(seed)
    step = list(range(steps))

    def histogram(scale):
        return np.histogram(rng.normal(0.0, scale, 300), bins=20)

    layers = ["1 (ReLU)", "3 (Tanh)", "5 (ReLU)"]
    return {
        "loss": {"step": step, "train": list(2.3 * np.exp(-np.arange(steps) / 10) + 0.1),
                 "val_step": [0, 20, 39], "val": [2.3, 0.5, 0.6]},
        "activations": {name: {"step": [0, 20, 39], "dead_fraction": [0.1, 0.2, 0.6],
                               "saturated_fraction": [0.0, 0.1, 0.2],
                               "histogram": [histogram(s) for s in (1.0, 2.0, 3.0)]}
                        for name in layers},
        "grad_norm": {"0 (Linear)": {"step": step, "value": list(np.geomspace(1, 1e-3, steps))},
                      "2 (Linear)": {"step": step, "value": [0.5] * steps}},
        "update_ratio": {"0.weight": {"step": step, "value": [1e-3] * steps},
                         "2.weight": {"step": step, "value": [0.0] + [2e-2] * (steps - 1)}},
        "weight_std": {"0.weight": {"depth": 0, "step": [0, 20, 39], "value": [0.1, 0.2, 0.3]},
                       "2.weight": {"depth": 1, "step": [0, 20, 39], "value": [0.2, 0.2, 0.2]},
                       "4.weight": {"depth": 2, "step": [0, 39], "value": [0.3, 0.1]}},
        "lr_range": {"lr": list(np.geomspace(1e-6, 1.0, 30)),
                     "loss": list(2.3 - np.linspace(0, 1, 30) ** 2)},
        "overfit": {"step": step, "loss": list(np.geomspace(2.3, 0.01, steps)),
                    "accuracy": list(np.linspace(0.1, 1.0, steps))},
    }


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def notes(ax):
    return " ".join(text.get_text() for text in ax.texts)


@pytest.mark.parametrize("display_class", ALL_DISPLAYS, ids=lambda c: c.__name__)
def test_display_draws_records_and_returns_itself(display_class):
    display = display_class.from_records(synthetic_records())
    assert display.plot() is display
    axes = np.ravel(display.ax_)
    assert all(ax.figure is display.figure_ for ax in axes)
    assert all(not notes(ax) for ax in axes)  # real data: no "nothing recorded" note
    assert sum(len(ax.lines) + len(ax.patches) for ax in axes) > 0


@pytest.mark.parametrize("display_class", ALL_DISPLAYS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("records", [{}, None, "empty-entries"])
def test_missing_records_give_an_empty_axes_with_a_note(display_class, records):
    if records == "empty-entries":
        records = {key: ({} if key != "activations" else {"1 (ReLU)": {"histogram": []}})
                   for key in synthetic_records()}
    display = display_class.from_records(records).plot()
    ax = np.ravel(display.ax_)[0]
    assert "no " in notes(ax) and "recorded" in notes(ax)
    assert not ax.lines


@pytest.mark.parametrize("display_class", ALL_DISPLAYS, ids=lambda c: c.__name__)
def test_from_report_equals_from_records(display_class):
    records = synthetic_records()
    from_report = display_class.from_report(Report([], records))
    from_records = display_class.from_records(records)
    assert vars(from_report) == vars(from_records)


def test_plot_draws_on_the_given_axes():
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_records(synthetic_records()).plot(ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
    assert [line.get_label() for line in ax.lines] == ["train", "validation"]


def test_loss_curve_marks_the_first_non_finite_step():
    records = synthetic_records()
    records["loss"]["train"][7:] = [float("nan")] + [float("inf")] * 32
    ax = LossCurveDisplay.from_records(records).plot().ax_
    labels = [line.get_label() for line in ax.lines]
    assert "non-finite from step 7" in labels


def test_update_ratio_uses_a_log_axis_with_the_healthy_band_and_target():
    ax = UpdateRatioDisplay.from_records(synthetic_records()).plot().ax_
    assert ax.get_yscale() == "log"
    bands = [patch for patch in ax.patches if patch.get_label().startswith("healthy")]
    assert len(bands) == 1
    # The band's corners, from display back to data coordinates: it spans 1e-4..1e-2.
    corners = bands[0].get_transform().transform(bands[0].get_path().vertices)
    y = ax.transData.inverted().transform(corners)[:, 1]
    assert np.isclose(y.min(), 1e-4) and np.isclose(y.max(), 1e-2)
    target = [line for line in ax.lines if line.get_label() == "target 1e-3"]
    assert len(target) == 1 and np.allclose(target[0].get_ydata(), 1e-3)
    # One line per parameter; the zero ratio is a gap on the log axis, not an error.
    lines = [line for line in ax.lines if line.get_label().endswith("weight")]
    assert len(lines) == 2 and np.isnan(lines[1].get_ydata()[0])


def test_gradient_norm_has_one_log_line_per_layer():
    ax = GradientNormDisplay.from_records(synthetic_records()).plot().ax_
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.lines] == ["0 (Linear)", "2 (Linear)"]


def test_activation_histograms_one_panel_per_layer_over_time():
    display = ActivationHistogramDisplay.from_records(synthetic_records()).plot()
    assert display.ax_.shape == (3,)
    first = display.ax_[0]
    assert len(first.patches) == 3  # three snapshots, drawn as stairs
    assert "dead 60%" in first.get_title() and "1 (ReLU)" in first.get_title()
    legend = [text.get_text() for text in first.get_legend().get_texts()]
    assert legend == ["step 0", "step 39"]


def test_activation_histograms_subsample_long_runs():
    records = synthetic_records()
    layer = records["activations"]["1 (ReLU)"]
    layer["histogram"] = layer["histogram"] * 10
    layer["step"] = list(range(30))
    display = ActivationHistogramDisplay({"1 (ReLU)": layer}).plot()
    assert len(display.ax_[0].patches) == 6


def test_activation_histograms_on_given_axes_and_too_few_axes():
    _, grid = plt.subplots(1, 3)
    display = ActivationHistogramDisplay.from_records(synthetic_records()).plot(ax=grid)
    assert list(display.ax_) == list(grid)
    _, single = plt.subplots()
    with pytest.raises(ConfigError, match="3 layers need 3 Axes, got 1"):
        ActivationHistogramDisplay.from_records(synthetic_records()).plot(ax=single)


def test_weight_std_by_depth_draws_one_line_per_chosen_step():
    ax = WeightStdDisplay.from_records(synthetic_records()).plot().ax_
    assert [line.get_label() for line in ax.lines] == ["step 0", "step 20", "step 39"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.1, 0.2, 0.3])
    # 4.weight was not recorded at step 20: its value from step 0 is carried forward.
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.2, 0.2, 0.3])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0, 1, 2])
    assert ax.get_yscale() == "log"


def test_weight_std_of_zero_keeps_a_linear_axis():
    records = {"weight_std": {"0.weight": {"depth": 0, "step": [0], "value": [0.0]},
                              "1.weight": {"depth": 1, "step": [0], "value": [0.5]}}}
    ax = WeightStdDisplay.from_records(records).plot().ax_
    assert ax.get_yscale() == "linear"


def test_lr_range_uses_a_log_x_axis():
    ax = LRRangeDisplay.from_records(synthetic_records()).plot().ax_
    assert ax.get_xscale() == "log"


def test_grid_shape():
    assert grid_shape(1) == (1, 1)
    assert grid_shape(3) == (1, 3)
    assert grid_shape(4) == (2, 3)
    assert grid_shape(7) == (3, 3)


def test_importing_the_plots_does_not_import_matplotlib():
    code = ("import sys, minnet, minnet.diagnostics.report.plots, "
            "minnet.diagnostics.report.plots_sanity, minnet.diagnostics.report.markdown, "
            "minnet.diagnostics.catalog.doc, minnet.cli; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_lr_range_marks_the_suggested_and_divergence_rates_and_clips_the_explosion():
    record = {"lr": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], "loss": [2.3, 2.2, 1.5, 1.0, 40.0],
              "raw_loss": [2.4, 2.1, 1.4, 0.9, 400.0], "suggested_lr": 1e-3,
              "divergence_lr": 1e-1}
    ax = LRRangeDisplay({**record}).plot().ax_
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["loss per step", "smoothed loss", "suggested 0.001", "diverges at 0.1"]
    low, high = ax.get_ylim()
    assert high == pytest.approx(1.5 * 2.3) and low < 0.9


def test_overfit_draws_the_input_free_control_and_names_the_optimizer():
    record = {"step": [0, 1, 2], "loss": [2.0, 1.0, 0.5], "accuracy": [0.2, 0.6, 0.9],
              "optimizer": "Adam(lr=0.01)", "input_free_loss": [2.0, 1.9, 1.9]}
    display = OverfitBatchDisplay(record).plot()
    assert "Adam(lr=0.01)" in display.ax_.get_title()
    dashed = [line for line in display.ax_.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [2.0, 1.9, 1.9]
    assert len(display.figure_.axes) == 2  # the accuracy axis on the right


def test_activation_title_skips_fractions_not_measured():
    records = synthetic_records()
    layer = records["activations"]["1 (ReLU)"]
    layer["saturated_fraction"] = [float("nan")] * 3  # not measured for a ReLU
    title = ActivationHistogramDisplay(records["activations"]).plot().ax_[0].get_title()
    assert "dead 60%" in title and "saturated" not in title and "nan" not in title


def test_loss_curve_draws_the_regularization_parts_only_when_measured():
    records = synthetic_records()
    loss = records["loss"]
    loss["data"] = [0.5 * value for value in loss["train"]]
    loss["reg"] = [0.5 * value for value in loss["train"]]
    labels = [line.get_label() for line in LossCurveDisplay(loss).plot().ax_.lines]
    assert labels == ["train", "data part", "regularization part", "validation"]
    loss["reg"] = [float("nan")] * len(loss["step"])  # not a RegularizedLoss
    labels = [line.get_label() for line in LossCurveDisplay(loss).plot().ax_.lines]
    assert labels == ["train", "validation"]
