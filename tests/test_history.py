"""History: per-epoch records with attribute access, best(), a readable repr, a plot."""

import math

import pytest

from minnet.errors import ConfigError, DataError
from minnet.history import History


def make_history(epochs=4, validated=True):
    history = History()
    for epoch in range(epochs):
        logs = {"train_loss": 1.0 / (epoch + 1), "train_acc": 0.5 + 0.1 * epoch}
        if validated:
            logs.update(val_loss=[0.9, 0.6, 0.7, 0.8][epoch % 4], val_acc=[0.5, 0.8, 0.8, 0.6][
                epoch % 4])
        logs.update(lr=0.1, epoch_time=0.01)
        history.record(logs)
        history.step_loss.extend([1.0, 0.9])
    return history


def test_lists_are_reachable_by_key_and_by_attribute():
    history = make_history()
    assert len(history) == history.epochs == 4
    assert history.val_loss is history.history["val_loss"]
    assert history.train_acc == pytest.approx([0.5, 0.6, 0.7, 0.8])
    with pytest.raises(AttributeError, match="no validation data"):
        _ = make_history(validated=False).val_acc
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = history.nonsense


def test_best_minimises_losses_and_maximises_accuracies():
    history = make_history()
    assert history.best("val_loss") == (1, 0.6)
    assert history.best("val_acc") == (1, 0.8)  # the first epoch wins a tie
    assert history.best("val_acc").epoch == 1
    assert history.best("val_loss", mode="max") == (0, 0.9)
    assert history.best("train_loss").epoch == 3


def test_best_skips_nan_and_refuses_unknown_metrics():
    history = History()
    for value in (math.nan, 2.0, 1.0, math.nan):
        history.record({"train_loss": value})
    assert history.best("train_loss") == (2, 1.0)
    with pytest.raises(ConfigError, match="'val_loss'.*train_loss"):
        history.best("val_loss")
    with pytest.raises(ConfigError, match="mode"):
        history.best("train_loss", mode="lowest")
    only_nan = History()
    only_nan.record({"train_loss": math.nan})
    with pytest.raises(DataError, match="NaN"):
        only_nan.best("train_loss")


def test_repr_is_a_table_and_long_runs_are_shortened():
    text = repr(make_history())
    lines = text.splitlines()
    assert lines[0] == "History(epochs=4, steps=8, stopped_reason=None)"
    assert lines[1].split() == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc",
                                "lr", "epoch_time"]
    assert lines[3].split()[:4] == ["2", "0.5", "0.6", "0.6"]
    assert len(lines) == 6
    long_run = make_history(epochs=30)
    long_lines = repr(long_run).splitlines()
    assert len(long_lines) == 2 + 5 + 1 + 5 and long_lines[7].strip() == "..."
    assert long_lines[-1].split()[0] == "30"
    assert repr(History()) == "History(epochs=0, steps=0, stopped_reason=None)"


def test_plot_draws_train_and_validation_loss():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = make_history()
    history.stopped_reason = "early stopping"
    ax = history.plot()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["train", "validation"]
    assert list(ax.get_lines()[1].get_ydata()) == history.val_loss
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3, 4]
    assert "early stopping" in ax.get_title()
    figure, given = plt.subplots()
    assert make_history(validated=False).plot(ax=given) is given
    assert [line.get_label() for line in given.get_lines()] == ["train"]
    plt.close("all")
