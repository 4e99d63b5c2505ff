"""The doctor on every loss and loss option: healthy setups come back clean, none crashes."""

import numpy as np
import pytest

import minnet as mn
from minnet.core import Sequential
from minnet.layers import Conv1d, Linear, LogSoftmax, ReLU, Sigmoid, Tanh
from minnet.optim import Adam


def spiral():
    return mn.data.spiral(n_per_class=60, n_classes=3, rng=0)


def classifier(last=None):
    layers = [Linear(2, 32, rng=0), ReLU(), Linear(32, 3, rng=1)]
    return Sequential(*layers, *([last] if last is not None else []))


def multiclass(loss_fn, transform=None, last=None):
    X, y = spiral()
    return classifier(last), loss_fn, X, (transform(y) if transform else y)


def ignore_some(y):
    y = y.copy()
    y[::7] = -100  # padding positions, say
    return y


def one_hot_soft(y):
    return 0.9 * np.eye(3)[y] + 0.1 / 3


def binary(loss_fn, last=None):
    X, y = spiral()
    layers = [Linear(2, 32, rng=0), ReLU(), Linear(32, 1, rng=1)]
    model = Sequential(*layers, *([last] if last is not None else []))
    return model, loss_fn, X, (y == 0).astype(float).reshape(-1, 1)


def regression(loss_fn):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    y = np.tanh(X @ np.array([[1.0], [-2.0], [0.5]]))
    return Sequential(Linear(3, 32, rng=0), Tanh(), Linear(32, 1, rng=1)), loss_fn, X, y


def per_position():
    """Conv1d logits (N, C, L) against class ids (N, L): cross-entropy over d1."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2, 8))
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = Sequential(Conv1d(2, 16, 3, padding=1, rng=0), ReLU(),
                       Conv1d(16, 2, 3, padding=1, rng=1))
    return model, mn.CrossEntropyLoss(), X, y


SETUPS = {
    "ce-weight": lambda: multiclass(mn.CrossEntropyLoss(weight=np.array([1.0, 2.0, 1.0]))),
    "ce-ignore-index": lambda: multiclass(mn.CrossEntropyLoss(), ignore_some),
    "ce-label-smoothing": lambda: multiclass(mn.CrossEntropyLoss(label_smoothing=0.1)),
    "ce-probability-targets": lambda: multiclass(mn.CrossEntropyLoss(), one_hot_soft),
    "ce-sum": lambda: multiclass(mn.CrossEntropyLoss(reduction="sum")),
    "ce-per-position": per_position,
    "nll-log-softmax": lambda: multiclass(mn.NLLLoss(), last=LogSoftmax()),
    "bce-sigmoid": lambda: binary(mn.BCELoss(), last=Sigmoid()),
    "bce-logits-pos-weight": lambda: binary(mn.BCEWithLogitsLoss(pos_weight=np.array([2.0]))),
    "l1": lambda: regression(mn.L1Loss()),
    "smooth-l1": lambda: regression(mn.SmoothL1Loss()),
    "huber": lambda: regression(mn.HuberLoss(delta=0.5)),
}


@pytest.mark.parametrize("name", SETUPS)
def test_a_healthy_setup_with_this_loss_comes_back_clean(name):
    model, loss_fn, X, y = SETUPS[name]()
    optimizer = Adam(model.parameters(), lr=1e-2)
    report = mn.doctor(model, loss_fn, X, y, optimizer=optimizer, rng=0)
    alarms = [f"{f.code} ({f.severity}): {f.evidence}" for f in report.findings
              if f.severity in ("warning", "error")]
    assert not alarms, alarms


def test_the_initial_loss_check_knows_nll_and_a_summed_loss():
    """ln C for NLLLoss after LogSoftmax; N ln C for reduction='sum' is not 'off'."""
    X, y = spiral()
    for loss_fn, last in [(mn.NLLLoss(), LogSoftmax()), (mn.CrossEntropyLoss(reduction="sum"),
                                                          None)]:
        model = classifier(last)
        model[2].weight.data *= 30  # confident, wrong logits at the start
        codes = {f.code for f in mn.doctor(model, loss_fn, X, y, rng=0,
                                           checks=("sanity",)).findings}
        assert "initial-loss-off" in codes, loss_fn


@pytest.mark.parametrize("call", [
    lambda m, l, X, y: mn.fit(m, l, Adam(m.parameters()), X, y, progress=False),
    lambda m, l, X, y: mn.evaluate(m, l, X, y),
    lambda m, l, X, y: mn.doctor(m, l, X, y),
], ids=["fit", "evaluate", "doctor"])
def test_a_loss_without_reduction_is_refused_up_front(call):
    X, y = spiral()
    with pytest.raises(mn.ConfigError, match="reduction='none'"):
        call(classifier(), mn.CrossEntropyLoss(reduction="none"), X, y)
