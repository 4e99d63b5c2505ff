"""The learning-rate range test: it flags rates far too high or too low, never the usual ones."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.data.generators import spiral
from minnet.diagnostics.sanity.lr_range import ABOVE_SUGGESTION_FACTOR, lr_range_test
from minnet.layers.activations import ReLU, Tanh
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss, RegularizedLoss
from minnet.optim import SGD, Adam


def mlp(inputs, outputs, activation=ReLU, init="he", seed=0, hidden=64):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(inputs, hidden, init=init, rng=rng), activation(),
                      Linear(hidden, outputs, init=init, rng=rng))


@pytest.fixture(scope="module")
def spiral_data():
    X, y = spiral(100, 3, rng=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.fixture(scope="module")
def mnist_data():
    from minnet.data.mnist1d import mnist1d

    data = mnist1d(num_samples=1000)
    return data.X_train, data.y_train


def codes(findings):
    return [finding.code for finding in findings]


@pytest.mark.parametrize("make_optimizer", [lambda p: SGD(p, lr=100.0),
                                            lambda p: SGD(p, lr=10.0, momentum=0.9),
                                            lambda p: Adam(p, lr=10.0)])
def test_lr_too_high_fires(make_optimizer, mnist_data):
    X, y = mnist_data
    model = mlp(40, 10)
    optimizer = make_optimizer(model.parameters())
    findings, records = lr_range_test(model, CrossEntropyLoss(), X, y, optimizer)
    assert codes(findings) == ["lr-too-high"]
    evidence = findings[0].evidence
    assert findings[0].where == "optimizer"
    assert evidence["lr"] == optimizer.lr >= evidence["divergence_lr"]
    assert len(records["lr_range"]["lr"]) < 100  # the sweep stopped where the loss exploded


@pytest.mark.parametrize("make_optimizer", [lambda p: SGD(p, lr=1e-8),
                                            lambda p: SGD(p, lr=1e-7, momentum=0.9),
                                            lambda p: Adam(p, lr=1e-8)])
def test_lr_too_low_fires(make_optimizer, mnist_data):
    X, y = mnist_data
    model = mlp(40, 10)
    findings, _ = lr_range_test(model, CrossEntropyLoss(), X, y,
                                make_optimizer(model.parameters()))
    assert codes(findings) == ["lr-too-low"]
    evidence = findings[0].evidence
    assert evidence["lr"] < evidence["suggested_lr"] / 1000


HEALTHY_RATES = [lambda p: Adam(p, lr=1e-3), lambda p: Adam(p, lr=1e-2),
                 lambda p: SGD(p, lr=0.01), lambda p: SGD(p, lr=0.1),
                 lambda p: SGD(p, lr=0.1, momentum=0.9)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rate", range(len(HEALTHY_RATES)))
@pytest.mark.parametrize("activation, init", [(ReLU, "he"), (Tanh, "pytorch")])
def test_usual_rates_are_never_flagged(activation, init, rate, seed, spiral_data, mnist_data):
    for (X, y), width in ((spiral_data, 2), (mnist_data, 40)):
        classes = int(y.max()) + 1
        model = mlp(width, classes, activation, init, seed, hidden=100)
        optimizer = HEALTHY_RATES[rate](model.parameters())
        findings, records = lr_range_test(model, CrossEntropyLoss(), X, y, optimizer, rng=seed)
        # Never a warning; at most the hint that says how far above the suggestion it is.
        assert [f for f in findings if f.severity != "info"] == []
        for finding in findings:
            factor = optimizer.lr / records["lr_range"]["suggested_lr"]
            assert finding.code == "lr-too-high" and factor > ABOVE_SUGGESTION_FACTOR
            assert f"{factor:.0f}x above" in finding.explanation


def test_records_hold_the_sweep_and_the_suggestion(mnist_data):
    X, y = mnist_data
    model = mlp(40, 10)
    findings, records = lr_range_test(model, CrossEntropyLoss(), X, y, start=1e-6, end=10.0,
                                      steps=60)
    assert findings == []  # no user optimizer: nothing to compare, only the sweep
    sweep = records["lr_range"]
    rates = np.array(sweep["lr"])
    assert rates[0] == pytest.approx(1e-6)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e7) ** (1 / 59))
    assert len(sweep["loss"]) == len(sweep["raw_loss"]) == len(rates)
    assert all(np.isfinite(sweep["loss"]))
    assert rates[0] < sweep["suggested_lr"] < sweep["divergence_lr"]
    assert min(sweep["loss"]) < 0.9 * sweep["loss"][0]


def test_sweep_reaches_a_rate_beyond_its_end(mnist_data):
    X, y = mnist_data
    model = mlp(40, 10)
    optimizer = SGD(model.parameters(), lr=50.0)
    findings, records = lr_range_test(model, CrossEntropyLoss(), X, y, optimizer, end=1e-3)
    assert codes(findings) == ["lr-too-high"]
    assert records["lr_range"]["divergence_lr"] > 1e-3


def test_user_optimizer_and_model_are_untouched(spiral_data):
    X, y = spiral_data
    model = mlp(2, 3)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-4)
    optimizer = Adam(model.parameters(), lr=1e-2)
    weights = [param.data.copy() for param in model.parameters()]
    state = optimizer.state_dict()
    lr_range_test(model, loss_fn, X, y, optimizer)
    assert optimizer.lr == 1e-2
    for key, value in optimizer.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    for before, param in zip(weights, model.parameters()):
        np.testing.assert_array_equal(before, param.data)
        assert not np.any(param.grad)


class HandWrittenSGD:
    """Not a minnet Optimizer: only ``params``, a settable ``lr``, ``step`` and ``zero_grad``."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        for param in self.params:
            param.data -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            param.grad.fill(0)


def test_any_optimizer_with_a_settable_lr_works(mnist_data):
    X, y = mnist_data
    model = mlp(40, 10)
    findings, records = lr_range_test(model, CrossEntropyLoss(), X, y,
                                      HandWrittenSGD(model.parameters(), lr=1e-9))
    assert codes(findings) == ["lr-too-low"]
    high = HandWrittenSGD(model.parameters(), lr=200.0)
    assert codes(lr_range_test(model, CrossEntropyLoss(), X, y, high)[0]) == ["lr-too-high"]
    assert high.lr == 200.0
