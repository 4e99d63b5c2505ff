"""The Monitor: hooks attached from outside, everything restored, the right statistics."""

import math

import numpy as np
import pytest

from minnet.core import Module, Sequential
from minnet.diagnostics._shared import HOOK_REGISTRIES, private_copies
from minnet.diagnostics.monitor import Monitor, stats
from minnet.diagnostics.rules.events import PROBABILITY_ROW_ERROR
from minnet.errors import ConfigError
from minnet.layers import (
    RNN,
    BatchNorm1d,
    Conv1d,
    Embedding,
    Flatten,
    Linear,
    ReLU,
    Sigmoid,
    Tanh,
)
from minnet.losses import CrossEntropyLoss, RegularizedLoss
from minnet.optim import SGD, Adam


class Log(Module):
    """log(x): NaN for negative inputs (a layer that produces non-finite values)."""

    def forward(self, x):
        self._x = x
        with np.errstate(all="ignore"):
            return np.log(x)

    def backward(self, grad_out):
        return grad_out / self._x


def mlp(seed=0, hidden=16):
    return Sequential(Linear(4, hidden, rng=seed), ReLU(), Linear(hidden, hidden, rng=seed + 1),
                      Tanh(), Linear(hidden, 3, rng=seed + 2))


def data(seed=0, n=64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)), rng.integers(0, 3, n)


def train(model, loss_fn, optimizer, X, y, steps, zero_grad=True):
    for _ in range(steps):
        if zero_grad:
            optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()


def test_attach_and_detach_restore_every_object():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    user_hook = model.register_forward_hook(lambda module, x, out: None)
    loss_fn.forward = loss_fn.forward  # a pre-existing instance attribute is put back as it was
    saved_forward = loss_fn.__dict__["forward"]
    hooks = {name: [len(getattr(m, name)) for m in model.modules()]
             for name in HOOK_REGISTRIES}
    monitor = Monitor(model, optimizer, loss_fn).attach()
    assert "step" in optimizer.__dict__ and loss_fn.__dict__["forward"] is not saved_forward
    assert monitor.attach() is monitor  # attaching twice does nothing
    monitor.detach()
    monitor.detach()
    assert "step" not in optimizer.__dict__ and "backward" not in loss_fn.__dict__
    assert loss_fn.__dict__["forward"] is saved_forward
    assert hooks == {name: [len(getattr(m, name)) for m in model.modules()]
                     for name in HOOK_REGISTRIES}
    user_hook.remove()


def test_records_every_step_and_samples_the_rest():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=1e-3)
    X, y = data()
    with Monitor(model, optimizer, loss_fn, every=10, first=3) as monitor:
        train(model, loss_fn, optimizer, X, y, 25)
    records = monitor.snapshot()
    assert records["loss"]["step"] == list(range(25))
    assert records["loss"]["lr"] == [1e-3] * 25
    assert records["info"]["num_classes"] == 3 and records["info"]["steps"] == 25
    sampled = [0, 1, 2, 10, 20]
    assert set(records["activations"]) == {"1 (ReLU)", "3 (Tanh)"}
    assert records["activations"]["1 (ReLU)"]["step"] == sampled
    assert records["grad_norm"]["0 (Linear)"]["step"] == sampled
    assert set(records["update_ratio"]) == {"0.weight", "2.weight", "4.weight"}
    assert records["weight_std"]["2.weight"]["depth"] == 1
    counts, edges = records["activations"]["3 (Tanh)"]["histogram"][0]
    assert counts.sum() == 64 * 16 and len(edges) == 31
    assert [int(c.sum()) for c in records["labels"]["counts"]] == [64] * 25


def test_gradient_norm_is_read_before_the_update_and_update_ratio_is_exact():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.5)
    X, y = data()
    weight = model[0].weight
    before = weight.data.copy()
    with Monitor(model, optimizer, loss_fn) as monitor:
        optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        grad_norm = math.sqrt(np.sum(weight.grad ** 2) + np.sum(model[0].bias.grad ** 2))
        optimizer.step()
    records = monitor.snapshot()
    assert records["grad_norm"]["0 (Linear)"]["value"][0] == pytest.approx(grad_norm)
    expected = np.linalg.norm(weight.data - before) / np.linalg.norm(before)
    assert records["update_ratio"]["0.weight"]["value"][0] == pytest.approx(expected)
    assert records["weight_std"]["0.weight"]["value"][0] == pytest.approx(np.std(weight.data))


def test_without_an_optimizer_each_backward_ends_a_step():
    model, loss_fn = mlp(), CrossEntropyLoss()
    X, y = data()
    with Monitor(model, loss_fn=loss_fn) as monitor:
        for _ in range(4):
            model.zero_grad()
            loss_fn(model(X), y)
            model.backward(loss_fn.backward())
            for param in model.parameters():  # a hand-written SGD step
                param.data -= 0.1 * param.grad
    records = monitor.snapshot()
    assert monitor.step == 4
    assert records["update_ratio"]["0.weight"]["step"] == [0, 1, 2]
    assert all(value > 0 for value in records["update_ratio"]["0.weight"]["value"])


def test_regularized_loss_parts_and_penalty_gradient_are_not_stale_grads():
    model = mlp()
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-2)
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 5)
    records = monitor.snapshot()
    loss = records["loss"]
    assert loss["train"][0] == pytest.approx(loss["data"][0] + loss["reg"][0])
    assert loss["reg"][0] > 0
    assert records["events"]["grads_not_zeroed"]["step"] == []
    assert len(records["regularization"]["step"]) == 3


def test_stale_gradients_are_recorded_when_zero_grad_is_forgotten():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.01)
    X, y = data()
    with Monitor(model, optimizer, loss_fn, every=10) as monitor:
        train(model, loss_fn, optimizer, X, y, 12, zero_grad=False)
    assert monitor.records["events"]["grads_not_zeroed"]["step"] == list(range(1, 12))


def test_a_non_finite_loss_names_the_layer_that_produced_it():
    model = Sequential(Linear(4, 8, rng=0), Log(), Linear(8, 3, rng=1))
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    state = [p.data.copy() for p in model.parameters()]
    with Monitor(model, optimizer, loss_fn) as monitor:
        out = model(X)
        loss = loss_fn(out, y)
    assert not math.isfinite(loss)
    events = monitor.records["events"]["non_finite"]
    assert events["kind"] == ["loss"] and events["where"] == ["1 (Log)"]
    # the probe ran on a copy: the model is untouched, its cache still the user's
    assert all(np.array_equal(p.data, s) for p, s in zip(model.parameters(), state))
    assert model[1]._x is not None and model[0].pending_forwards == 1
    assert np.array_equal(model[0]._cache_stack[-1][0], X)


def test_non_finite_inputs_are_named_X():
    model, loss_fn = mlp(), CrossEntropyLoss()
    X, y = data()
    X[3, 1] = np.nan
    with Monitor(model, None, loss_fn) as monitor:
        loss_fn(model(X), y)
    assert monitor.records["events"]["non_finite"]["where"] == ["X"]


def test_paused_monitor_records_nothing():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    with Monitor(model, optimizer, loss_fn) as monitor:
        with monitor.paused():
            train(model, loss_fn, optimizer, X, y, 3, zero_grad=False)
    assert monitor.step == 0 and monitor.records["loss"]["step"] == []
    assert monitor.records["events"]["grads_not_zeroed"]["step"] == []


class Dropout(Module):
    """A stand-in for a dropout layer: the monitor recognizes layers by class name."""

    def forward(self, x):
        return x * 1.0

    def backward(self, grad_out):
        return grad_out


def dropout_model():
    return Sequential(Linear(4, 8, rng=0), ReLU(), Dropout(), Linear(8, 3, rng=1))


def test_evaluation_passes_in_training_mode_are_events():
    model, loss_fn = dropout_model(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    with Monitor(model, optimizer, loss_fn, eval_as_validation=True) as monitor:
        train(model, loss_fn, optimizer, X, y, 2)
        loss_fn(model(X[:10]), y[:10])  # evaluation in training mode: two batches
        loss_fn(model(X[10:30]), y[10:30])
        train(model, loss_fn, optimizer, X, y, 1)
        model.eval()
        loss_fn(model(X[:10]), y[:10])  # a correct evaluation
        model.train()
        train(model, loss_fn, optimizer, X, y, 1)
    records = monitor.snapshot()
    events = records["events"]["eval_in_train_mode"]
    assert events["step"] == [2, 2] and events["modules"][0] == "2 (Dropout)"
    assert records["loss"]["val_step"] == [2, 3]  # batches of one evaluation make one record
    assert records["loss"]["step"] == [0, 1, 2, 3]


def test_the_last_pass_counts_as_evaluation_only_if_it_looks_like_one():
    model, loss_fn = dropout_model(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 3)
        loss_fn(model(X), y)  # a training-size batch left before backward: a loop's break
    assert monitor.records["events"]["eval_in_train_mode"]["step"] == []
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 3)
        model(X[:5])  # a prediction in training mode
    assert monitor.records["events"]["eval_in_train_mode"]["step"] == [3]


def test_changed_running_statistics_are_reported():
    model = Sequential(Linear(4, 8, rng=0), BatchNorm1d(8), ReLU(), Linear(8, 3, rng=1))
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = data()
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 2)
        model(X[:16])
    events = monitor.records["events"]["eval_in_train_mode"]
    assert events["modules"] == ["1 (BatchNorm1d)"] and events["running_stats_changed"] == [True]


def test_monitor_checks_its_arguments():
    with pytest.raises(ConfigError, match="Module"):
        Monitor("model")
    with pytest.raises(ConfigError, match="step"):
        Monitor(mlp(), optimizer=object())
    with pytest.raises(ConfigError, match="every"):
        Monitor(mlp(), every=0)


# --- the statistics ------------------------------------------------------------------

def test_dead_fraction_counts_units_off_on_the_whole_batch():
    out = np.abs(np.random.default_rng(0).standard_normal((32, 4)))
    out[:, 0] = 0.0  # dead
    out[:31, 1] = -1.0  # alive on one sample: not dead
    result = stats.activation_statistics(out, "relu")
    assert result["dead_fraction"] == 0.25 and math.isnan(result["saturated_fraction"])
    assert math.isnan(stats.activation_statistics(out[:4], "relu")["dead_fraction"])
    conv = np.ones((32, 2, 5))
    conv[:, 1] = -1.0
    assert stats.activation_statistics(conv, "relu")["dead_fraction"] == 0.5


def test_saturation_is_measured_from_the_local_derivative():
    tanh = np.array([[0.999, -0.999, 0.5, 0.0]])
    assert stats.activation_statistics(tanh, "tanh")["saturated_fraction"] == 0.5
    sigmoid = np.array([[0.995, 0.005, 0.5, 0.9]])
    assert stats.activation_statistics(sigmoid, "sigmoid")["saturated_fraction"] == 0.5
    assert stats.activation_kind(Sigmoid()) == "sigmoid" and stats.activation_kind(ReLU()) == "relu"


def test_histogram_matches_numpy():
    values = np.random.default_rng(0).standard_normal(1000)
    counts, edges = stats.histogram(values, 30)
    expected_counts, expected_edges = np.histogram(values, 30)
    assert np.allclose(edges, expected_edges)
    assert np.abs(counts - expected_counts).max() <= 1  # float rounding at bin edges
    assert stats.histogram(np.full(5, 2.0), 4)[0].sum() == 5


def test_probability_rows_are_told_from_logits():
    # The run-time softmax-before-loss check: rows in [0, 1] that sum to 1 (to the rule's 1e-4)
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((16, 5))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert stats.probability_rows_error(probabilities) <= PROBABILITY_ROW_ERROR
    assert stats.probability_rows_error(logits) is None  # negative entries: not probabilities
    # in [0, 1], but the rows do not sum to 1
    assert stats.probability_rows_error(np.abs(logits) / 10) > PROBABILITY_ROW_ERROR
    assert stats.probability_rows_error(probabilities[:, :1]) is None  # one column: undecidable
    assert stats.probability_rows_error(probabilities[0]) is None
    # the classes are on axis 1: the transposed table's rows do not sum to 1
    assert stats.probability_rows_error(probabilities.T) > PROBABILITY_ROW_ERROR


def test_private_copy_leaves_out_hooks_and_wrappers():
    model, loss_fn = mlp(), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    with Monitor(model, optimizer, loss_fn):
        copy_model, copy_optimizer, copy_loss = private_copies(model, optimizer, loss_fn)
    assert all(not m._forward_hooks and not m._backward_pre_hooks for m in copy_model.modules())
    assert "step" not in copy_optimizer.__dict__ and "forward" not in copy_loss.__dict__
    assert copy_optimizer.params[0] is copy_model[0].weight


def test_recurrent_hidden_states_count_as_tanh_units():
    model = Sequential(Embedding(10, 4, rng=0), RNN(4, 8, rng=0), Linear(8, 2, rng=1))
    assert stats.activation_kind(RNN(4, 8, nonlinearity="relu")) is None
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 10, (32, 5)), rng.integers(0, 2, 32)
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 3)
    records = monitor.snapshot()
    entry = records["activations"]["1 (RNN)"]
    assert entry["kind"] == "recurrent" and len(entry["saturated_fraction"]) == 3
    assert records["grad_norm"]["0 (Embedding)"]["embedding"] is True


def test_convolution_units_are_channels():
    model = Sequential(Conv1d(1, 4, 3, rng=0), ReLU(), Flatten(), Linear(4 * 6, 3, rng=1))
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    model[0].bias.data[:2] = -100.0  # two of the four channels are dead
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 1, 8)), rng.integers(0, 3, 32)
    with Monitor(model, optimizer, loss_fn) as monitor:
        train(model, loss_fn, optimizer, X, y, 1)
    assert monitor.records["activations"]["1 (ReLU)"]["dead_fraction"] == [0.5]
