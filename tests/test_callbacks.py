"""Callbacks: the hook protocol, EarlyStopping and ModelCheckpoint."""

import numpy as np
import pytest

from minnet.callbacks import (
    Callback,
    EarlyStopping,
    ModelCheckpoint,
    TrainerState,
    optimizer_path,
)
from minnet.checkpoint import load
from minnet.core import Sequential
from minnet.errors import ConfigError
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD, Adam
from minnet.training import fit


def classifier(seed=0):
    return Sequential(Linear(2, 16, rng=seed), ReLU(), Linear(16, 3, rng=seed + 1))


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]])
    return centres[y] + 0.3 * rng.standard_normal((n, 2)), y


def diverging_validation(n=60):
    """Training data, and validation data with shifted labels: the better the model
    learns, the worse its validation loss, so the best epoch comes early."""
    X, y = blobs(n)
    return X, y, X, (y + 1) % 3


class WeightRecorder(Callback):
    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs):
        self.weights.append(self.state.model.state_dict())


def assert_state_equal(first, second):
    assert list(first) == list(second)
    for key in first:
        assert np.array_equal(first[key], second[key]), key


# --- the hook protocol ----------------------------------------------------------

class Log(Callback):
    def __init__(self):
        self.events = []

    def on_train_begin(self, state):
        self.events.append(("train_begin", state.epochs, state.steps_per_epoch))

    def on_epoch_begin(self, epoch, logs):
        self.events.append(("epoch_begin", epoch, logs["lr"]))

    def on_batch_begin(self, step, logs):
        self.events.append(("batch_begin", step, logs["batch"]))

    def on_batch_end(self, step, logs):
        state = self.state
        assert state.model is not None and state.optimizer is not None
        assert isinstance(state.loss_fn, CrossEntropyLoss)
        assert logs["loss"] == state.history.step_loss[-1]
        assert logs["output"].shape == (logs["batch_size"], 3)
        assert len(logs["X_batch"]) == len(logs["y_batch"]) == logs["batch_size"]
        # gradients of this step are still there for a monitor to read
        assert any(np.any(p.grad != 0) for p in state.model.parameters())
        self.events.append(("batch_end", step, state.step))

    def on_epoch_end(self, epoch, logs):
        self.events.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, state):
        self.events.append(("train_end", state.stop_reason))


def test_hooks_are_called_in_order_with_what_a_monitor_needs():
    X, y = blobs(30)
    model = classifier()
    log = Log()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, X_val=X, y_val=y,
        epochs=2, batch_size=16, callbacks=log, progress=False)  # a single callback is fine
    keys = ["epoch_time", "lr", "train_acc", "train_loss", "val_acc", "val_loss"]
    assert log.events == [
        ("train_begin", 2, 2),
        ("epoch_begin", 0, 0.1),
        ("batch_begin", 0, 0), ("batch_end", 0, 1),
        ("batch_begin", 1, 1), ("batch_end", 1, 2),
        ("epoch_end", 0, keys),
        ("epoch_begin", 1, 0.1),
        ("batch_begin", 2, 0), ("batch_end", 2, 3),
        ("batch_begin", 3, 1), ("batch_end", 3, 4),
        ("epoch_end", 1, keys),
        ("train_end", None),
    ]


@pytest.mark.parametrize("hook, result, reason", [
    ("on_epoch_end", "enough", "enough"),
    ("on_epoch_end", True, "stopped by Stopper()"),
    ("on_batch_end", "diverging", "diverging"),
])
def test_a_callback_can_stop_training(hook, result, reason):
    class Stopper(Callback):
        pass

    def stop_at_second_call(self, index, logs, calls=[]):  # noqa: B006 (a counter)
        calls.append(index)
        return result if len(calls) == 2 else None

    setattr(Stopper, hook, stop_at_second_call)
    X, y = blobs(30)
    model = classifier()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5,
                  batch_size=10, callbacks=[Stopper()], progress=False)
    assert history.stopped_reason == reason
    if hook == "on_epoch_end":
        assert len(history) == 2 and len(history.step_loss) == 6
    else:
        assert len(history) == 0 and len(history.step_loss) == 2


def test_every_callback_sees_the_epoch_at_which_another_asks_to_stop():
    class StopNow(Callback):
        def on_epoch_end(self, epoch, logs):
            return "stop now"

    recorder = WeightRecorder()
    X, y = blobs(30)
    model = classifier()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5,
                  callbacks=[StopNow(), recorder], progress=False)
    assert history.stopped_reason == "stop now" and len(recorder.weights) == 1


# --- EarlyStopping ------------------------------------------------------------------

def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    X, y, X_val, y_val = diverging_validation()
    model = classifier()
    recorder = WeightRecorder()
    stopper = EarlyStopping(patience=3)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.2), X, y,
                  X_val=X_val, y_val=y_val, epochs=30, batch_size=20,
                  callbacks=[recorder, stopper], progress=False, rng=0)
    best_epoch = int(np.argmin(history.val_loss))
    assert len(history) == best_epoch + 1 + 3 < 30
    assert stopper.best_epoch == best_epoch and stopper.stopped_epoch == len(history) - 1
    assert stopper.best == history.val_loss[best_epoch]
    assert history.stopped_reason.startswith("early stopping: val_loss did not improve for 3")
    assert_state_equal(model.state_dict(), recorder.weights[best_epoch])
    assert not np.array_equal(recorder.weights[-1]["0.weight"], model[0].weight.data)


def test_early_stopping_without_restore_keeps_the_last_weights():
    X, y, X_val, y_val = diverging_validation()
    model = classifier()
    recorder = WeightRecorder()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.2), X, y, X_val=X_val,
        y_val=y_val, epochs=30, batch_size=20, progress=False, rng=0,
        callbacks=[recorder, EarlyStopping(patience=2, restore_best_weights=False)])
    assert_state_equal(model.state_dict(), recorder.weights[-1])


def run_hooks(callback, values, monitor):
    """Feed EarlyStopping a sequence of metric values; return the epoch it stops at."""
    model = classifier()
    callback.state = TrainerState(model=model, loss_fn=None, optimizer=None)
    callback.on_train_begin(callback.state)
    for epoch, value in enumerate(values):
        if callback.on_epoch_end(epoch, {monitor: value}):
            return epoch
    return None


def test_early_stopping_min_delta_mode_and_nan():
    assert run_hooks(EarlyStopping(patience=2, min_delta=0.1), [1.0, 0.95, 0.93, 0.5],
                     "val_loss") == 2
    assert run_hooks(EarlyStopping(patience=2), [1.0, 0.95, 0.93, 0.9], "val_loss") is None
    auto_max = EarlyStopping(monitor="val_acc", patience=1)
    assert auto_max.mode == "max"
    assert run_hooks(auto_max, [0.5, 0.6, 0.7, 0.65], "val_acc") == 3
    assert run_hooks(EarlyStopping(patience=2), [np.nan, np.nan, 1.0], "val_loss") == 1
    forced = EarlyStopping(monitor="train_loss", mode="max", patience=1)
    assert run_hooks(forced, [1.0, 0.5], "train_loss") == 1


def test_monitoring_an_unrecorded_metric_explains_why():
    X, y = blobs(20)
    model = classifier()
    with pytest.raises(ConfigError, match="val_loss.*pass X_val and y_val"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
            callbacks=[EarlyStopping()], progress=False)


def test_monitoring_accuracy_of_a_regression_explains_why():
    from minnet.losses import MSELoss

    X = np.random.default_rng(0).standard_normal((20, 2))
    model = Sequential(Linear(2, 1, rng=0))
    with pytest.raises(ConfigError, match="val_acc.*only for classification"):
        fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), X, X[:, :1], X_val=X,
            y_val=X[:, :1], callbacks=[EarlyStopping(monitor="val_acc")], progress=False)


@pytest.mark.parametrize("arguments, message", [
    ({"patience": 0}, "'patience'"),
    ({"min_delta": -1.0}, "'min_delta'"),
    ({"mode": "lowest"}, "'mode'"),
    ({"mode": ["min"]}, "'mode' parameter must be one of"),  # before: unhashable TypeError
])
def test_early_stopping_checks_its_arguments(arguments, message):
    with pytest.raises(ConfigError, match=message):
        EarlyStopping(**arguments)


# --- ModelCheckpoint -------------------------------------------------------------------

def test_model_checkpoint_writes_the_best_epoch(tmp_path):
    X, y, X_val, y_val = diverging_validation()
    model = classifier()
    recorder = WeightRecorder()
    path = tmp_path / "best.npz"
    checkpoint = ModelCheckpoint(path)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.2), X, y,
                  X_val=X_val, y_val=y_val, epochs=6, batch_size=20,
                  callbacks=[recorder, checkpoint], progress=False, rng=0)
    best_epoch = int(np.argmin(history.val_loss))
    assert best_epoch < 5  # otherwise "save every epoch" would pass this test too
    assert checkpoint.best_epoch == best_epoch and checkpoint.last_saved == str(path)
    assert_state_equal(load(path), recorder.weights[best_epoch])


def test_model_checkpoint_every_epoch_with_formatted_paths_and_optimizer(tmp_path):
    X, y = blobs(40)
    model = classifier()
    optimizer = Adam(model.parameters(), lr=0.01)
    recorder = WeightRecorder()
    pattern = str(tmp_path / "epoch-{epoch:02d}-{train_loss:.3f}.npz")
    checkpoint = ModelCheckpoint(pattern, monitor="train_loss", save_best_only=False,
                                 save_optimizer=True)
    history = fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=3, batch_size=20,
                  callbacks=[recorder, checkpoint], progress=False, rng=0)
    for epoch in range(3):
        path = pattern.format(epoch=epoch + 1, train_loss=history.train_loss[epoch])
        assert_state_equal(load(path), recorder.weights[epoch])
    assert_state_equal(load(optimizer_path(checkpoint.last_saved)), optimizer.state_dict())
    assert len(list(tmp_path.iterdir())) == 6


def test_optimizer_path():
    assert optimizer_path("run/best.npz") == "run/best.optimizer.npz"
    assert optimizer_path("best") == "best.optimizer"


def test_model_checkpoint_checks_mode_and_repr():
    with pytest.raises(ConfigError, match="'mode'"):
        ModelCheckpoint("x.npz", mode="best")
    text = repr(ModelCheckpoint("x.npz", monitor="val_acc"))
    assert "mode='max'" in text and "save_best_only=True" in text
    assert repr(EarlyStopping()).startswith("EarlyStopping(monitor='val_loss', patience=5")


def test_model_checkpoint_path_with_an_unknown_field_is_explained(tmp_path):
    X, y = blobs(20)
    model = classifier()
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_los}.npz"), monitor="train_loss")
    with pytest.raises(ConfigError, match="cannot fill in the path.*val_los"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1,
            callbacks=[checkpoint], progress=False)
