"""Sanity routines: each finding fires on a broken setup and stays silent on healthy ones.

Healthy setups run the four routines with 3 seeds each; broken setups run
only the routine they break. The user's model, loss and optimizer must come
back exactly as they were. The gradient check has its own file
(test_model_gradcheck.py), the learning-rate range test too (test_lr_range.py).
"""

import copy

import numpy as np
import pytest
from doctor_helpers import mlp

from minnet.core import Module, Parameter, Sequential
from minnet.data.generators import spiral, xor
from minnet.diagnostics.sanity import initial_loss_check, run_sanity
from minnet.diagnostics.sanity.gradcheck import gradcheck_model
from minnet.diagnostics.sanity.overfit import overfit_batch
from minnet.errors import ConfigError
from minnet.layers import GRU, BatchNorm1d, Dropout, Embedding, ReLU, Tanh
from minnet.layers.linear import Linear
from minnet.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.mnist1d_models import build_cnn, build_mlp
from minnet.optim import SGD, Adam

# --- models and data -------------------------------------------------------------




class DetachedLinear(Module):
    """A dense layer whose backward never adds into its parameters' gradients."""

    def __init__(self, fan_in, fan_out, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = Parameter(rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / fan_in))
        self.bias = Parameter(np.zeros(fan_out))

    def forward(self, x):
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad_out):
        return grad_out @ self.weight.data


class TimesZero(Module):
    """Multiplies its input by 0 (a correct backward): the model cannot see X."""

    def forward(self, x):
        return x * 0.0

    def backward(self, grad_out):
        return grad_out * 0.0


@pytest.fixture(scope="module")
def spiral_data():
    return spiral(40, 3, rng=0)


@pytest.fixture(scope="module")
def xor_data():
    return xor(200, rng=0)


@pytest.fixture(scope="module")
def mnist_data():
    from minnet.data.mnist1d import mnist1d

    data = mnist1d(num_samples=1000)
    return data.X_train, data.y_train


def problems(findings):
    return [(f.code, f.severity, f.where, f.evidence) for f in findings
            if f.severity in ("warning", "error")]


# --- healthy setups: silent ---------------------------------------------------------


def _bn_dropout(seed):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(40, 64, rng=rng), BatchNorm1d(64), ReLU(), Dropout(0.2, rng=rng),
                      Linear(64, 64, rng=rng), BatchNorm1d(64), ReLU(), Dropout(0.2, rng=rng),
                      Linear(64, 10, rng=rng))


HEALTHY = {
    "spiral-he-relu-adam": ("spiral", lambda s: mlp([2, 64, 3], ReLU, "he", s),
                            lambda p: Adam(p, lr=1e-2)),
    "spiral-pytorch-tanh-sgd": ("spiral", lambda s: mlp([2, 64, 3], Tanh, "pytorch", s),
                                lambda p: SGD(p, lr=0.1, momentum=0.9)),
    "xor-he-tanh-sgd": ("xor", lambda s: mlp([2, 32, 32, 2], Tanh, "he", s),
                        lambda p: SGD(p, lr=0.1, momentum=0.9)),
    "xor-pytorch-relu-adam": ("xor", lambda s: mlp([2, 32, 2], ReLU, "pytorch", s),
                              lambda p: Adam(p, lr=1e-2)),
    "mnist1d-residual-mlp": ("mnist", lambda s: build_mlp(rng=s),
                             lambda p: Adam(p, lr=1e-2)),
    "mnist1d-bn-dropout": ("mnist", _bn_dropout, lambda p: SGD(p, lr=0.1, momentum=0.9)),
    "mnist1d-cnn": ("mnist", lambda s: build_cnn(rng=s),
                    lambda p: Adam(p, lr=1e-2)),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_healthy_setups_are_silent(name, seed, request):
    data, build, make_optimizer = HEALTHY[name]
    X, y = request.getfixturevalue(f"{data}_data")
    model = build(seed)
    findings, records = run_sanity(model, CrossEntropyLoss(), X, y,
                                   make_optimizer(model.parameters()), rng=seed)
    assert problems(findings) == []
    assert records["gradcheck"]["checked"] > 0  # it did check something
    assert set(records) >= {"gradcheck", "overfit", "lr_range"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_healthy_recurrent_model_on_phrases_is_silent(seed):
    from minnet.data.phrases import toy_phrases

    data = toy_phrases(400, rng=seed)
    rng = np.random.default_rng(seed)
    model = Sequential(Embedding(len(data.vocab), 16, rng=rng), GRU(16, 24, rng=rng),
                       Linear(24, 2, rng=rng))
    findings, records = run_sanity(model, CrossEntropyLoss(), data.X, data.y,
                                   Adam(model.parameters(), lr=1e-2), rng=seed)
    assert problems(findings) == []
    assert records["gradcheck"]["checked"] > 0


# --- initial loss ---------------------------------------------------------------------


@pytest.mark.parametrize("activation", [ReLU, Tanh])
def test_initial_loss_fires_on_init_ten_times_too_large(activation, spiral_data):
    X, y = spiral_data
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = mlp([2, 64, 64, 3], activation, "he" if activation is ReLU else "xavier", scale=10)
    findings = initial_loss_check(model, CrossEntropyLoss(), X, y)
    assert [f.code for f in findings] == ["initial-loss-off"]
    evidence = findings[0].evidence
    assert evidence["ratio"] > 1.5 and evidence["logit_spread"] > 2.5
    assert evidence["ln_C"] == pytest.approx(np.log(3))


@pytest.mark.parametrize("loss_fn", [CrossEntropyLoss(), CrossEntropyLoss(label_smoothing=0.1)])
@pytest.mark.parametrize("init", ["he", "pytorch", "xavier"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_initial_loss_silent_on_healthy_inits(init, seed, loss_fn, xor_data, mnist_data):
    for X, y, sizes in [(*xor_data, [2, 64, 64, 2]), (*mnist_data, [40, 100, 100, 10])]:
        model = mlp(sizes, ReLU, init, seed)
        assert initial_loss_check(model, loss_fn, X, y, rng=seed) == []


def test_initial_loss_uses_the_data_loss_of_a_regularized_loss(spiral_data):
    X, y = spiral_data
    model = mlp([2, 64, 3], scale=1.0)
    heavy_penalty = RegularizedLoss(CrossEntropyLoss(), model, l2=100.0)
    assert initial_loss_check(model, heavy_penalty, X, y) == []
    big = mlp([2, 64, 3], scale=10.0)
    assert [f.code for f in initial_loss_check(big, RegularizedLoss(CrossEntropyLoss(), big),
                                               X, y)] == ["initial-loss-off"]


def test_initial_loss_bce_reference_is_ln2_and_mse_is_skipped(xor_data):
    X, y = xor_data
    target = y.reshape(-1, 1).astype(float)
    assert initial_loss_check(mlp([2, 32, 1]), BCEWithLogitsLoss(), X, target) == []
    findings = initial_loss_check(mlp([2, 32, 1], scale=10), BCEWithLogitsLoss(), X, target)
    assert [f.code for f in findings] == ["initial-loss-off"]
    assert findings[0].evidence["ln_2"] == pytest.approx(np.log(2))
    assert initial_loss_check(mlp([2, 32, 1], scale=10), MSELoss(), X, target) == []


def test_initial_loss_far_below_the_label_entropy_fires():
    # Inputs that spell out the label and a model that reads them: not a fresh model.
    y = np.arange(300) % 3
    X = 20.0 * np.eye(3)[y]
    model = Sequential(Linear(3, 3))
    model[0].weight.data[:] = np.eye(3)
    findings = initial_loss_check(model, CrossEntropyLoss(), X, y)
    assert [f.code for f in findings] == ["initial-loss-off"]
    assert findings[0].evidence["loss"] < 0.5 * findings[0].evidence["label_entropy"]


# --- overfitting one batch, ignoring the input ---------------------------------------


def test_cannot_overfit_when_no_gradient_reaches_the_weights(mnist_data):
    X, y = mnist_data
    model = Sequential(DetachedLinear(40, 10))
    findings, records = overfit_batch(model, CrossEntropyLoss(), X, y, steps=50)
    assert [f.code for f in findings] == ["cannot-overfit-batch"]
    evidence = findings[0].evidence
    assert evidence["best_accuracy"] < 1 and evidence["loss_ratio"] > 0.2
    assert "Adam(lr=0.01)" in evidence["optimizers"]
    assert len(records["overfit"]["loss"]) == len(records["overfit"]["step"]) > 50


def test_ignores_input_names_the_layer_that_drops_it(mnist_data):
    X, y = mnist_data
    model = Sequential(TimesZero(), Linear(40, 32, rng=0), ReLU(), Linear(32, 10, rng=1))
    findings, records = overfit_batch(model, CrossEntropyLoss(), X, y, steps=100)
    found = {f.code: f for f in findings}
    assert "ignores-input" in found
    assert found["ignores-input"].where == "0 (TimesZero)"
    evidence = found["ignores-input"].evidence
    assert evidence["loss_real_input"] >= 0.9 * evidence["loss_input_free"]
    assert "input_free_loss" in records["overfit"]


def test_overfit_falls_back_to_adam_when_the_users_rate_is_tiny(spiral_data):
    X, y = spiral_data
    model = mlp([2, 64, 3])
    findings, records = overfit_batch(model, CrossEntropyLoss(), X, y,
                                      SGD(model.parameters(), lr=1e-8))
    assert findings == []
    assert records["overfit"]["optimizer"].startswith("Adam")
    assert records["overfit"]["accuracy"][-1] == 1.0


def test_overfit_regression_records_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = np.sin(X[:, :1]) + X[:, 1:2] ** 2
    model = mlp([5, 32, 1], Tanh, "xavier")
    findings, records = overfit_batch(model, MSELoss(), X, y, Adam(model.parameters(), 1e-2))
    assert findings == []
    assert records["overfit"]["accuracy"] == []
    assert records["overfit"]["loss"][-1] < records["overfit"]["loss"][0]


# --- the user's objects, run_sanity -------------------------------------------------


def test_user_objects_are_left_exactly_as_they_were(spiral_data):
    X, y = spiral_data
    model = Sequential(Linear(2, 32, rng=0), ReLU(), Dropout(0.3, rng=5),
                       Linear(32, 3, rng=1))
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-3)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):  # give the optimizer some state and the grads some values
        optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()
    model.eval()
    calls = []
    model.register_forward_hook(lambda module, x, out: calls.append(1))
    before = (copy.deepcopy(model.state_dict()), [p.grad.copy() for p in model.parameters()],
              [m.training for m in model.modules()], optimizer.state_dict(),
              model[2].rng.bit_generator.state, loss_fn.data_loss, optimizer.lr)
    default_state = np.random.get_state()[1].copy()
    run_sanity(model, loss_fn, X, y, optimizer, rng=0)
    after = (model.state_dict(), [p.grad for p in model.parameters()],
             [m.training for m in model.modules()], optimizer.state_dict(),
             model[2].rng.bit_generator.state, loss_fn.data_loss, optimizer.lr)
    for old, new in zip(before[0].values(), after[0].values()):
        np.testing.assert_array_equal(old, new)
    for old, new in zip(before[1], after[1]):
        np.testing.assert_array_equal(old, new)
    assert before[2] == after[2]
    for key in before[3]:
        np.testing.assert_array_equal(before[3][key], after[3][key])
    assert before[4:] == after[4:]
    assert calls == []  # the user's hooks do not see the sanity runs
    np.testing.assert_array_equal(np.random.get_state()[1], default_state)


def test_run_sanity_is_reproducible_and_checks_its_arguments(xor_data):
    X, y = xor_data
    model = mlp([2, 16, 2])
    first = run_sanity(model, CrossEntropyLoss(), X, y, checks=("overfit",), rng=3)[1]
    second = run_sanity(model, CrossEntropyLoss(), X, y, checks=("overfit",), rng=3)[1]
    assert first == second and set(first) == {"overfit"}
    with pytest.raises(ConfigError, match="unknown checks"):
        run_sanity(model, CrossEntropyLoss(), X, y, checks=("overfit", "vibes"))


def test_run_sanity_skips_bad_data_and_ignores_non_finite_rows(xor_data):
    X, y = xor_data
    model = mlp([2, 16, 2])
    findings, records = run_sanity(model, CrossEntropyLoss(), X, y + 5,
                                   checks=("initial_loss", "gradcheck"))
    assert findings == []
    assert set(records["sanity_skipped"]) == {"initial_loss", "gradcheck"}
    X_nan = X.copy()
    X_nan[::7, 0] = np.nan  # a few broken rows: the data checks report them
    findings, _ = run_sanity(model, CrossEntropyLoss(), X_nan, y, Adam(model.parameters(), 1e-2))
    assert problems(findings) == []
    findings, records = run_sanity(model, CrossEntropyLoss(), X * np.nan, y,
                                   checks=("initial_loss",))
    assert findings == [] and "initial_loss" in records["sanity_skipped"]


def test_run_sanity_reports_a_backward_that_returns_nothing(mnist_data):
    X, y = mnist_data

    class ForgetsToReturn(DetachedLinear):
        def backward(self, grad_out):
            super().backward(grad_out)  # the input gradient is computed, never returned

    model = Sequential(Linear(40, 32, rng=0), ReLU(), ForgetsToReturn(32, 10))
    findings, records = run_sanity(model, CrossEntropyLoss(), X, y)
    # (its base class never fills its parameters' gradients either)
    assert {problem[:3] for problem in problems(findings)} == {
        ("gradcheck-failed", "error", "2 (ForgetsToReturn)"),
        ("gradcheck-failed", "error", "2.weight"), ("gradcheck-failed", "error", "2.bias")}
    assert set(records["sanity_skipped"]) == {"overfit", "lr_range"}


def test_the_routines_are_importable_from_sanity():
    from minnet.diagnostics import sanity

    assert sanity.overfit_batch is overfit_batch
    assert sanity.gradcheck_model is gradcheck_model
    from minnet.diagnostics.sanity.lr_range import lr_range_test

    assert sanity.lr_range_test is lr_range_test
    with pytest.raises(AttributeError):
        sanity.no_such_routine  # noqa: B018
