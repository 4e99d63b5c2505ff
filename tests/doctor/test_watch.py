"""watch() around hand-written loops and DoctorCallback in fit(): bugs found, healthy runs clean."""

import numpy as np
import pytest

from minnet import layers
from minnet.core import Module, Sequential
from minnet.data import DataLoader, spiral, xor
from minnet.diagnostics.callback import DoctorCallback
from minnet.diagnostics.watch import Watcher, watch
from minnet.layers import Linear, ReLU, Softmax
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD, Adam
from minnet.training import fit

SEEDS = (0, 1, 2)


def problem(name, seed):
    if name == "spiral":
        X, y = spiral(100, 3, rng=seed)
        X_val, y_val = spiral(30, 3, rng=seed + 100)
    else:
        X, y = xor(300, rng=seed)
        X_val, y_val = xor(90, rng=seed + 100)
    return X, y, X_val, y_val


def mlp(classes, seed, init="he", extra=()):
    return Sequential(Linear(2, 32, init=init, rng=seed), ReLU(), *extra,
                      Linear(32, 32, init=init, rng=seed + 1), ReLU(),
                      Linear(32, classes, init=init, rng=seed + 2))


def make_optimizer(name, model):
    if name == "adam":
        return Adam(model.parameters(), lr=3e-3)
    return SGD(model.parameters(), lr=0.1, momentum=0.9)


def loop(model, loss_fn, optimizer, X, y, X_val=None, y_val=None, *, epochs=20, shuffle=True,
         zero_grad=True, evaluate_in_eval_mode=True, seed=0, batch_size=32):
    """A hand-written training loop with a per-epoch evaluation, and its knobs for bugs."""
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, rng=seed)
    for _ in range(epochs):
        model.train()
        for X_batch, y_batch in loader:
            if zero_grad:
                optimizer.zero_grad()
            loss_fn(model(X_batch), y_batch)
            model.backward(loss_fn.backward())
            optimizer.step()
        if X_val is not None:
            if evaluate_in_eval_mode:
                model.eval()
            loss_fn(model(X_val), y_val)


def problems(report):
    return [(f.code, f.severity, f.where) for f in report.problems()]


@pytest.mark.parametrize("data_name, optimizer_name, init", [
    ("spiral", "adam", "he"), ("spiral", "sgd", "pytorch"),
    ("xor", "sgd", "he"), ("xor", "adam", "pytorch")])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_correct_hand_written_loop_is_healthy(data_name, optimizer_name, init, seed):
    X, y, X_val, y_val = problem(data_name, seed)
    model = mlp(int(y.max()) + 1, seed, init)
    loss_fn = CrossEntropyLoss()
    optimizer = make_optimizer(optimizer_name, model)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, X_val, y_val, seed=seed)
    report = watcher.report()
    assert problems(report) == []
    assert watcher.step == 20 * len(DataLoader(X, y, batch_size=32))
    assert len(report.records["loss"]["val"]) == 20  # the evaluation passes


@pytest.mark.parametrize("seed", SEEDS)
def test_a_correct_loop_with_dropout_and_batch_norm_is_healthy(seed):
    X, y, X_val, y_val = problem("spiral", seed)
    model = mlp(3, seed, extra=(layers.BatchNorm1d(32), layers.Dropout(0.1, rng=seed)))
    loss_fn = CrossEntropyLoss()
    optimizer = make_optimizer("adam", model)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, X_val, y_val, seed=seed)
    assert problems(watcher.report()) == []


def test_forgotten_zero_grad_is_caught():
    X, y, _, _ = problem("spiral", 0)
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.01)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, epochs=2, zero_grad=False)
    found = watcher.report().by_code("grads-not-zeroed")
    assert len(found) == 1 and found[0].severity == "error" and found[0].step == 1
    assert found[0].evidence["stale_grad_norm_growth"] > 1


def test_gradient_accumulation_is_not_a_forgotten_zero_grad():
    X, y, _, _ = problem("spiral", 0)
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(X, y, batch_size=16, rng=0)
    with watch(model, optimizer, loss_fn) as watcher:
        for _ in range(10):
            for index, (X_batch, y_batch) in enumerate(loader):
                loss_fn(model(X_batch), y_batch)
                model.backward(loss_fn.backward())
                if index % 4 == 3:  # one step per 4 micro-batches, then zero
                    optimizer.step()
                    optimizer.zero_grad()
    assert "grads-not-zeroed" not in watcher.report().codes


class Dropout(Module):
    """A stand-in for a dropout layer, recognized by its class name."""

    def forward(self, x):
        return x * 1.0

    def backward(self, grad_out):
        return grad_out


@pytest.mark.parametrize("layer", ["stand-in", "Dropout", "BatchNorm1d"])
def test_evaluation_in_training_mode_is_caught(layer):
    if layer == "stand-in":
        extra = Dropout()
    elif layer == "Dropout":
        extra = layers.Dropout(0.2, rng=0)
    else:
        extra = layers.BatchNorm1d(32)
    X, y, X_val, y_val = problem("spiral", 0)
    model, loss_fn = mlp(3, 0, extra=(extra,)), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, X_val, y_val, epochs=3,
             evaluate_in_eval_mode=False)
    found = watcher.report().by_code("eval-in-train-mode")
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].where == f"2 ({type(extra).__name__})"
    assert found[0].evidence["evaluation_passes"] == 3


def test_sorted_labels_without_shuffling_are_caught():
    X, y, _, _ = problem("spiral", 0)  # spiral() returns the samples sorted by class
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, epochs=3, shuffle=False)
    found = watcher.report().by_code("labels-sorted-no-shuffle")
    assert len(found) == 1 and found[0].severity == "warning"


def test_softmax_before_the_loss_is_caught_at_run_time():
    X, y, _, _ = problem("spiral", 0)
    model = mlp(3, 0).append(Softmax())
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, epochs=1)
    found = watcher.report().by_code("softmax-before-loss")
    assert len(found) == 1 and found[0].severity == "error" and found[0].step == 0


def test_report_inside_the_block_and_repr():
    X, y, _, _ = problem("xor", 0)
    model, loss_fn = mlp(2, 0), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    with watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, epochs=1)
        assert isinstance(watcher, Watcher) and "attached" in repr(watcher)
        assert len(watcher.report().records["loss"]["train"]) == watcher.step
    assert "detached" in repr(watcher) and "step" not in optimizer.__dict__


# --- fit() with DoctorCallback ---------------------------------------------------------

@pytest.mark.parametrize("optimizer_name", ["adam", "sgd"])
@pytest.mark.parametrize("seed", SEEDS)
def test_fit_with_the_callback_is_healthy(optimizer_name, seed):
    X, y, X_val, y_val = problem("spiral", seed)
    model, loss_fn = mlp(3, seed), CrossEntropyLoss()
    optimizer = make_optimizer(optimizer_name, model)
    callback = DoctorCallback()
    fit(model, loss_fn, optimizer, X, y, X_val=X_val, y_val=y_val, epochs=20, batch_size=32,
        callbacks=[callback], progress=False, rng=seed)
    report = callback.report()
    assert problems(report) == []
    assert len(report.records["loss"]["val"]) == 20  # one per epoch, from fit's logs
    assert "step" not in optimizer.__dict__ and "forward" not in loss_fn.__dict__


def test_fit_without_shuffling_sorted_data_is_caught_by_the_callback():
    X, y, _, _ = problem("spiral", 0)
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    callback = DoctorCallback(every=5)
    fit(model, loss_fn, optimizer, X, y, epochs=3, batch_size=32, shuffle=False,
        callbacks=[callback], progress=False)
    assert "labels-sorted-no-shuffle" in callback.report().codes
    assert "every=5" in repr(callback)


def test_fit_stopped_by_a_nan_reports_where_it_came_from():
    X, y, _, _ = problem("spiral", 0)
    X = X.copy()
    X[40] = np.nan
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    callback = DoctorCallback()
    with pytest.warns(UserWarning, match="non-finite"):
        fit(model, loss_fn, Adam(model.parameters()), X, y, epochs=1, batch_size=300,
            callbacks=[callback], progress=False)
    found = callback.report().by_code("non-finite")
    assert len(found) == 1 and found[0].where == "X" and found[0].severity == "error"


def test_callback_report_before_training_is_empty():
    assert DoctorCallback().report().findings == []


def test_a_loop_that_keeps_training_through_nan_is_reported_without_crashing():
    X, y, X_val, y_val = problem("spiral", 0)
    X = X.copy()
    X[123, 1] = np.nan  # one missing value: NaN loss, then NaN gradients and weights
    model, loss_fn = mlp(3, 0), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    with np.errstate(all="ignore"), watch(model, optimizer, loss_fn) as watcher:
        loop(model, loss_fn, optimizer, X, y, X_val, y_val, epochs=5)
    report = watcher.report()
    found = report.by_code("non-finite")
    assert report.has_errors and len(found) == 1 and found[0].where == "X"
    assert found[0].evidence["first_seen_in"] == "loss"
