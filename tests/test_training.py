"""fit(), evaluate() and predict(): the step, the records, modes, schedules, progress, errors."""

import math
import subprocess
import sys

import numpy as np
import pytest

from minnet.callbacks import Callback, EarlyStopping
from minnet.core import Module, Sequential
from minnet.data.generators import spiral
from minnet.data.loader import DataLoader
from minnet.errors import ConfigError, ShapeError
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.optim import SGD, Adam, ReduceLROnPlateau, StepLR
from minnet.training import NonFiniteLossWarning, evaluate, fit, predict


def classifier(seed=0, inputs=2, hidden=32, classes=3):
    return Sequential(Linear(inputs, hidden, rng=seed), ReLU(),
                      Linear(hidden, classes, rng=seed + 1))


def blobs(n=100, seed=0):
    """Three well-separated classes in 2-D (N, 2) with int labels (N,)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]])
    return centres[y] + 0.3 * rng.standard_normal((n, 2)), y


class Probe(Module):
    """Identity layer that records the mode of every forward pass."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, grad_out):
        return grad_out


class Recorder(Callback):
    """Keeps what on_batch_end shows, and a copy of the weights after each epoch."""

    def __init__(self):
        self.batches, self.weights = [], []

    def on_batch_end(self, step, logs):
        self.batches.append(dict(logs, step=step))

    def on_epoch_end(self, epoch, logs):
        self.weights.append(self.state.model.state_dict())


# --- it learns, and it is the hand-written loop ----------------------------------

def test_fit_learns_the_spiral():
    X, y = spiral(n_per_class=100, n_classes=3, rng=0)
    model = classifier(0, hidden=64)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X, y,
                  epochs=60, batch_size=32, progress=False, rng=0)
    assert evaluate(model, CrossEntropyLoss(), X, y)["accuracy"] >= 0.9
    assert history.train_loss[-1] < history.train_loss[0] / 3


@pytest.mark.parametrize("shuffle", [False, True])
def test_fit_is_exactly_the_hand_written_loop(shuffle):
    X, y = blobs()
    model_fit, model_hand = classifier(3), classifier(3)
    optimizer_fit = SGD(model_fit.parameters(), lr=0.1, momentum=0.9)
    fit(model_fit, CrossEntropyLoss(), optimizer_fit, X, y, epochs=3, batch_size=16,
        shuffle=shuffle, progress=False, rng=7)
    loss_fn, optimizer = CrossEntropyLoss(), SGD(model_hand.parameters(), lr=0.1, momentum=0.9)
    loader = DataLoader(X, y, batch_size=16, shuffle=shuffle, rng=7)
    for _ in range(3):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            out = model_hand(X_batch)
            loss_fn(out, y_batch)
            model_hand.backward(loss_fn.backward())
            optimizer.step()
    for key, value in model_fit.state_dict().items():
        assert np.array_equal(value, model_hand.state_dict()[key]), key


def test_step_order_is_zero_grad_forward_backward_step():
    events = []

    class Spy(Module):
        def forward(self, x):
            events.append("forward")
            return x

        def backward(self, grad_out):
            events.append("backward")
            return grad_out

    class SpyOptimizer:
        lr = 0.1

        def zero_grad(self):
            events.append("zero_grad")

        def step(self):
            events.append("step")

    X, y = blobs(10)
    fit(Sequential(Linear(2, 3, rng=0), Spy()), CrossEntropyLoss(), SpyOptimizer(), X, y,
        epochs=2, batch_size=4, progress=False)
    assert events == ["zero_grad", "forward", "backward", "step"] * 6


# --- History content ------------------------------------------------------------

def test_history_records_every_epoch_and_step():
    X, y = blobs(100)
    X_val, y_val = blobs(40, seed=1)
    model = classifier()
    optimizer = SGD(model.parameters(), lr=0.1)
    recorder = Recorder()
    history = fit(model, CrossEntropyLoss(), optimizer, X, y, X_val=X_val, y_val=y_val,
                  epochs=5, batch_size=32, scheduler=StepLR(optimizer, step_size=2, gamma=0.5),
                  callbacks=[recorder], progress=False, rng=0)
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "epoch_time"):
        assert len(history.history[key]) == 5, key
    assert history.lr == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert optimizer.lr == 0.025  # 0.1 * 0.5 ** (5 // 2): 5 steps, one after each epoch
    assert len(history.step_loss) == 5 * 4  # batches of 32, 32, 32, 4
    assert history.stopped_reason is None
    assert all(t > 0 for t in history.epoch_time)
    for epoch in range(5):
        batches = recorder.batches[4 * epoch: 4 * epoch + 4]
        sizes = np.array([b["batch_size"] for b in batches])
        assert sizes.tolist() == [32, 32, 32, 4]
        losses = np.array(history.step_loss[4 * epoch: 4 * epoch + 4])
        assert history.train_loss[epoch] == pytest.approx(np.sum(losses * sizes) / 100)
        correct = sum(np.sum(b["output"].argmax(axis=1) == b["y_batch"]) for b in batches)
        assert history.train_acc[epoch] == pytest.approx(correct / 100)
    last = evaluate(model, CrossEntropyLoss(), X_val, y_val)
    assert history.val_loss[-1] == pytest.approx(last["loss"])
    assert history.val_acc[-1] == pytest.approx(last["accuracy"])


def test_without_validation_and_for_regression_the_keys_are_absent():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    model = Sequential(Linear(3, 1, rng=0))
    history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.05), X, y, epochs=3,
                  batch_size=10, progress=False, rng=0)
    assert set(history.history) == {"train_loss", "lr", "epoch_time"}
    with pytest.raises(AttributeError, match="no validation data"):
        _ = history.val_loss
    with pytest.raises(AttributeError, match="accuracy"):
        _ = history.train_acc
    assert set(evaluate(model, MSELoss(), X, y)) == {"loss"}


@pytest.mark.parametrize("make_loss", [
    lambda model: BCEWithLogitsLoss(),
    lambda model: RegularizedLoss(BCEWithLogitsLoss(), model, l2=1e-3),
])
def test_binary_accuracy_thresholds_logits_at_zero(make_loss):
    X, labels = blobs(60)
    y = (labels == 0).astype(float).reshape(-1, 1)
    model = Sequential(Linear(2, 1, rng=0))
    history = fit(model, make_loss(model), SGD(model.parameters(), lr=0.5), X, y,
                  X_val=X, y_val=y, epochs=20, batch_size=60, shuffle=False, progress=False)
    expected = np.mean((predict(model, X) > 0) == (y == 1))
    assert history.val_acc[-1] == pytest.approx(expected)
    assert history.val_acc[-1] > 0.9


def test_regularized_cross_entropy_gets_argmax_accuracy():
    X, y = blobs(40)
    model = classifier()
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-2)
    history = fit(model, loss_fn, SGD(model.parameters(), lr=0.1), X, y, epochs=2,
                  progress=False, rng=0)
    assert len(history.train_acc) == 2


# --- modes ----------------------------------------------------------------------

@pytest.mark.parametrize("initially_training", [True, False])
def test_train_mode_for_steps_eval_mode_for_validation_and_modes_restored(initially_training):
    X, y = blobs(20)
    probe = Probe()
    model = Sequential(Linear(2, 3, rng=0), probe)
    model.train(initially_training)
    model[0].training = not initially_training  # a mixed state must come back as it was
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, X_val=X, y_val=y,
        epochs=2, batch_size=10, progress=False)
    assert probe.modes == [True, True, False] * 2  # 2 steps, then 1 validation batch
    assert model.training is initially_training and probe.training is initially_training
    assert model[0].training is (not initially_training)


@pytest.mark.parametrize("progress", [False, True])
def test_modes_are_restored_when_training_fails(progress):
    class Boom(Callback):
        def on_batch_end(self, step, logs):
            raise RuntimeError("boom")

    X, y = blobs(20)
    model = classifier().eval()
    with pytest.raises(RuntimeError, match="boom"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
            callbacks=[Boom()], progress=progress)
    assert not any(module.training for module in model.modules())


def test_evaluate_and_predict_use_eval_mode_and_restore_it():
    X, y = blobs(30)
    probe = Probe()
    model = Sequential(classifier(), probe)
    scores = evaluate(model, CrossEntropyLoss(), X, y, batch_size=7)
    outputs = predict(model, X, batch_size=7)
    assert probe.modes == [False] * 10 and model.training and probe.training
    full = model(X)
    np.testing.assert_allclose(outputs, full, rtol=1e-12)
    assert scores["loss"] == pytest.approx(CrossEntropyLoss()(full, y), rel=1e-12)
    assert scores["accuracy"] == pytest.approx(np.mean(full.argmax(axis=1) == y))


# --- schedules --------------------------------------------------------------------

class PlateauSpy(ReduceLROnPlateau):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = []

    def step(self, metric):
        self.metrics.append(metric)
        return super().step(metric)


def test_scheduler_is_stepped_once_after_each_epoch():
    seen = []  # (optimizer steps taken so far, lr) at each scheduler step

    class StepLRSpy(StepLR):
        def step(self):
            seen.append((observer.state.step, self.optimizer.lr))
            return super().step()

    observer = Callback()  # fit hands it the trainer state
    X, y = blobs(30)
    model = classifier()
    optimizer = SGD(model.parameters(), lr=1.0)
    fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=3, batch_size=10, progress=False,
        scheduler=StepLRSpy(optimizer, step_size=1, gamma=0.5), callbacks=[observer])
    assert seen == [(3, 1.0), (6, 0.5), (9, 0.25)]


@pytest.mark.parametrize("validate", [True, False])
def test_reduce_on_plateau_gets_the_validation_or_training_loss(validate):
    X, y = blobs(40)
    model = classifier()
    optimizer = SGD(model.parameters(), lr=0.1)
    scheduler = PlateauSpy(optimizer, patience=1)
    extra = {"X_val": X[:10], "y_val": y[:10]} if validate else {}
    history = fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=3, scheduler=scheduler,
                  progress=False, **extra)
    expected = history.val_loss if validate else history.train_loss
    assert scheduler.metrics == expected


def test_scheduler_of_another_optimizer_is_refused():
    X, y = blobs(10)
    model = classifier()
    other = SGD(classifier(5).parameters(), lr=0.1)
    with pytest.raises(ConfigError, match="different optimizer"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
            scheduler=StepLR(other, step_size=1), progress=False)


# --- progress ---------------------------------------------------------------------

def test_progress_false_prints_nothing(capsys):
    X, y = blobs(40)
    model = classifier()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, X_val=X, y_val=y,
        epochs=3, progress=False, callbacks=[EarlyStopping(patience=2)])
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_true_shows_a_bar_with_the_loss(capsys):
    X, y = blobs(40)
    model = classifier()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
        batch_size=10)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss=" in err and "8/8" in err


def test_import_minnet_does_not_import_matplotlib_or_tqdm():
    code = ("import sys, minnet, minnet.training, minnet.callbacks, minnet.checkpoint; "
            "bad = [m for m in ('matplotlib', 'tqdm') if m in sys.modules]; print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


# --- non-finite loss -----------------------------------------------------------------

class PoisonAfter(Module):
    """Identity until its `limit`-th forward call, then NaN outputs."""

    def __init__(self, limit):
        super().__init__()
        self.limit, self.calls = limit, 0

    def forward(self, x):
        self.calls += 1
        return x if self.calls < self.limit else np.full_like(x, np.nan)

    def backward(self, grad_out):
        return grad_out


def test_non_finite_loss_stops_with_a_warning_and_keeps_the_last_finite_weights():
    X, y = blobs(100)
    model = Sequential(Linear(2, 3, rng=0), PoisonAfter(limit=6))
    recorder = Recorder()
    with pytest.warns(NonFiniteLossWarning, match="epoch 2, step 2 of 4") as caught:
        history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
                      epochs=5, batch_size=32, callbacks=[recorder], progress=False)
    assert caught[0].filename == __file__  # the warning points at the caller of fit()
    assert history.stopped_reason == "non-finite loss (nan) at epoch 2, step 2 of 4"
    assert len(history) == 1 and len(history.lr) == 1
    assert len(history.step_loss) == 6 and math.isnan(history.step_loss[-1])
    assert all(math.isfinite(loss) for loss in history.step_loss[:-1])
    assert len(recorder.batches) == 5  # the poisoned step never happened
    after_step_five = recorder.batches[-1]["step"]
    assert after_step_five == 4
    assert np.all(np.isfinite(model[0].weight.data))


# --- bad arguments ---------------------------------------------------------------------

@pytest.mark.parametrize("change, error, message", [
    ({"epochs": 0}, ConfigError, "fit\\(\\).*'epochs'.*>= 1"),
    ({"epochs": 2.5}, ConfigError, "'epochs'.*int"),
    ({"batch_size": 0}, ConfigError, "fit\\(\\).*'batch_size'"),
    ({"y": np.zeros(9, dtype=int)}, ShapeError, "len\\(X\\)=10 and len\\(y\\)=9"),
    ({"X_val": np.zeros((4, 2))}, ConfigError, "fit\\(\\): X_val was given without y_val"),
    ({"y_val": np.zeros(4, dtype=int)}, ConfigError, "fit\\(\\): y_val was given without X_val"),
    ({"X_val": np.zeros((4, 2)), "y_val": np.zeros(3, dtype=int)}, ShapeError, "len\\(X_val\\)"),
    ({"callbacks": [EarlyStopping]}, ConfigError, "forget the parentheses"),
    ({"callbacks": ["early"]}, ConfigError, "Callback instance"),
    ({"optimizer": None}, ConfigError, "optimizer must be"),
    ({"loss_fn": np.mean}, ConfigError, "loss_fn must be"),
    ({"model": lambda x: x}, ConfigError, "model must be a minnet Module"),
    ({"scheduler": 3}, ConfigError, "scheduler must have a step"),
    ({"X": np.float64(1.0)}, ShapeError, "expected X of shape \\(N, ...\\), got a scalar"),
    # before: TypeError ('NoneType' is not iterable), NumPy's ambiguous truth value and
    # 'inhomogeneous shape' ValueErrors
    ({"callbacks": None}, ConfigError, "fit\\(\\): callbacks must be a list of Callback"),
    ({"progress": np.array([1, 0])}, ConfigError, "fit\\(\\): the 'progress' parameter"),
    ({"X": [[1.0, 2.0], [3.0]]}, ShapeError, "fit\\(\\): expected X as a rectangular array"),
])
def test_bad_arguments_raise(change, error, message):
    X, y = blobs(10)
    model = classifier()
    arguments = {"model": model, "loss_fn": CrossEntropyLoss(),
                 "optimizer": SGD(model.parameters(), lr=0.1), "X": X, "y": y,
                 "progress": False}
    arguments.update(change)
    positional = [arguments.pop(k) for k in ("model", "loss_fn", "optimizer", "X", "y")]
    with pytest.raises(error, match=message):
        fit(*positional, **arguments)


def test_evaluate_and_predict_check_their_arguments():
    X, y = blobs(10)
    model = classifier()
    with pytest.raises(ShapeError, match="evaluate\\(\\)"):
        evaluate(model, CrossEntropyLoss(), X, y[:5])
    with pytest.raises(ConfigError, match="batch_size"):
        evaluate(model, CrossEntropyLoss(), X, y, batch_size=0)
    with pytest.raises(ConfigError, match="predict\\(\\)"):
        predict(lambda x: x, X)
    with pytest.raises(ShapeError, match="predict\\(\\)"):
        predict(model, np.zeros((0, 2)))
    with pytest.raises(ShapeError, match="predict\\(\\): expected X as a rectangular"):
        predict(model, [[1.0, 2.0], [3.0]])  # before: NumPy's 'inhomogeneous shape'
    with pytest.raises(ShapeError, match="evaluate\\(\\): expected y as a rectangular"):
        evaluate(model, CrossEntropyLoss(), X[:2], [[0], [1, 1]])
