"""doctor(): one report from every check, healthy setups clean, the user's objects untouched."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.data import spiral, xor
from minnet.diagnostics.doctor import doctor, monitored_run
from minnet.diagnostics.watch import watch
from minnet.errors import ConfigError
from minnet.layers import BatchNorm1d, Dropout, Linear, ReLU, Softmax
from minnet.losses import CrossEntropyLoss, RegularizedLoss
from minnet.optim import SGD, Adam

SEEDS = (0, 1, 2)


def problem(name, seed):
    if name == "spiral":
        return spiral(100, 3, rng=seed) + spiral(30, 3, rng=seed + 100)
    return xor(300, rng=seed) + xor(90, rng=seed + 100)


def mlp(classes, seed, init="he"):
    return Sequential(Linear(2, 32, init=init, rng=seed), ReLU(),
                      Linear(32, 32, init=init, rng=seed + 1), ReLU(),
                      Linear(32, classes, init=init, rng=seed + 2))


def problems(report):
    return [(f.code, f.severity, f.where) for f in report.problems()]


@pytest.mark.parametrize("name, optimizer_name, init", [
    ("spiral", None, "he"), ("spiral", "sgd", "pytorch"), ("xor", "adam", "he")])
@pytest.mark.parametrize("seed", SEEDS)
def test_healthy_setups_come_back_clean(name, optimizer_name, init, seed):
    X, y, X_val, y_val = problem(name, seed)
    model = mlp(int(y.max()) + 1, seed, init)
    optimizer = {None: None, "sgd": lambda: SGD(model.parameters(), lr=0.1, momentum=0.9),
                 "adam": lambda: Adam(model.parameters(), lr=3e-3)}[optimizer_name]
    report = doctor(model, CrossEntropyLoss(), X, y, X_val=X_val, y_val=y_val,
                    optimizer=optimizer() if optimizer else None, rng=seed)
    assert problems(report) == []
    assert len(report.records["loss"]["train"]) >= 150
    assert report.records["loss"]["val"]  # evaluated during the run


def test_the_users_model_and_optimizer_are_left_exactly_as_they_were():
    X, y, X_val, y_val = problem("spiral", 0)
    model = Sequential(Linear(2, 32, rng=0), BatchNorm1d(32), ReLU(), Dropout(0.2, rng=0),
                       Linear(32, 3, rng=1))
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=1e-3)
    for _ in range(3):  # some training: optimizer state, running statistics, gradients
        optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()
    model[3].eval()  # a mixed mode, to be kept
    before = {
        "state": {key: value.copy() for key, value in model.state_dict().items()},
        "grads": [p.grad.copy() for p in model.parameters()],
        "modes": [m.training for m in model.modules()],
        "optimizer": optimizer.state_dict(),
        "rng": model[3].rng.bit_generator.state,
        "params": [id(p.data) for p in model.parameters()],
    }
    doctor(model, loss_fn, X, y, X_val=X_val, y_val=y_val, optimizer=optimizer, rng=0)
    state = model.state_dict()
    assert all(np.array_equal(state[key], value) for key, value in before["state"].items())
    assert all(np.array_equal(p.grad, g) for p, g in zip(model.parameters(), before["grads"]))
    assert [m.training for m in model.modules()] == before["modes"]
    after = optimizer.state_dict()
    assert all(np.array_equal(after[key], value) for key, value in before["optimizer"].items())
    assert model[3].rng.bit_generator.state == before["rng"]
    assert [id(p.data) for p in model.parameters()] == before["params"]
    assert "step" not in optimizer.__dict__ and "forward" not in loss_fn.__dict__


def test_a_watcher_on_the_users_model_does_not_see_the_doctor():
    X, y, _, _ = problem("xor", 0)
    model, loss_fn = mlp(2, 0), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=3e-3)
    with watch(model, optimizer, loss_fn) as watcher:
        doctor(model, loss_fn, X, y, optimizer=optimizer, rng=0, checks=("monitor",))
    assert watcher.step == 0 and watcher.records["loss"]["train"] == []


def test_the_doctor_runs_inside_watch_with_every_check_and_finds_the_same():
    # Regression: the sanity routines copied the loss with watch()'s wrapper still on it,
    # so the copy's forward ran the user's loss and its backward crashed on a stale cache.
    X, y, _, _ = problem("spiral", 0)
    reports, steps = [], []
    for watched in (False, True):
        model, loss_fn = mlp(3, 0), CrossEntropyLoss()
        optimizer = Adam(model.parameters(), lr=1e-2)
        watcher = watch(model, optimizer, loss_fn)
        if watched:
            watcher.attach()
        for _ in range(2):  # the user's own steps, seen by the watcher
            optimizer.zero_grad()
            loss_fn(model(X), y)
            model.backward(loss_fn.backward())
            optimizer.step()
        reports.append(doctor(model, loss_fn, X, y, optimizer=optimizer, rng=0))
        steps.append(watcher.step)
        watcher.detach()
    outside, inside = reports
    assert [str(f) for f in inside.findings] == [str(f) for f in outside.findings]
    assert inside.records["gradcheck"] == outside.records["gradcheck"]
    assert inside.records["lr_range"] == outside.records["lr_range"]
    assert steps == [0, 2]  # the watcher saw the user's two steps and none of the doctor's


def broken(case, seed=0):
    """(model, loss_fn, optimizer) with one mistake each."""
    model = mlp(3, seed)
    if case == "regularization x1000":
        return model, RegularizedLoss(CrossEntropyLoss(), model, l2=1.0), None
    if case == "lr x100":
        return model, CrossEntropyLoss(), SGD(model.parameters(), lr=10.0, momentum=0.9)
    if case == "lr x1e-4":
        return model, CrossEntropyLoss(), SGD(model.parameters(), lr=1e-5, momentum=0.9)
    if case == "softmax before the loss":
        return model.append(Softmax()), CrossEntropyLoss(), None
    if case == "dead relu":
        for layer in (model[0], model[2]):
            layer.bias.data -= 10.0
        return model, CrossEntropyLoss(), None
    raise ValueError(case)


@pytest.mark.parametrize("case, code", [
    ("regularization x1000", "regularization-dominates"),
    ("lr x100", "lr-too-high"),
    ("lr x1e-4", "lr-too-low"),
    ("softmax before the loss", "softmax-before-loss"),
    ("dead relu", "dead-relu"),
])
def test_the_monitored_run_finds_the_mistake(case, code):
    X, y, X_val, y_val = problem("spiral", 0)
    model, loss_fn, optimizer = broken(case)
    report = doctor(model, loss_fn, X, y, X_val=X_val, y_val=y_val, optimizer=optimizer, rng=0,
                    checks=("monitor",))
    found = report.by_code(code)
    assert found and found[0].severity in ("warning", "error") and found[0].step is not None


def test_non_finite_inputs_are_found_by_the_data_checks_and_the_run():
    X, y, _, _ = problem("spiral", 0)
    X = X.copy()
    X[5, 0] = np.inf
    report = doctor(mlp(3, 0), CrossEntropyLoss(), X, y, rng=0, checks=("monitor",))
    found = report.by_code("non-finite")
    assert len(found) == 1 and found[0].where == "X" and report.has_errors


def test_monitored_run_length_and_records():
    X, y, X_val, y_val = problem("xor", 0)
    records = monitored_run(mlp(2, 0), CrossEntropyLoss(), X, y, X_val, y_val, steps=40, rng=0)
    assert records["info"]["steps"] == 40 and len(records["loss"]["train"]) == 40
    assert records["loss"]["val_step"][0] == 0 and len(records["loss"]["val"]) > 5
    default = monitored_run(mlp(2, 0), CrossEntropyLoss(), X[:50], y[:50], rng=0)
    assert default["info"]["steps"] == 150  # at least 150 steps on a tiny data set


def test_doctor_checks_its_arguments():
    X, y, X_val, y_val = problem("xor", 0)
    model, loss_fn = mlp(2, 0), CrossEntropyLoss()
    with pytest.raises(ConfigError, match="checks"):
        doctor(model, loss_fn, X, y, checks=("lint", "spelling"))
    with pytest.raises(ConfigError, match="same number"):
        doctor(model, loss_fn, X, y[:-1])
    with pytest.raises(ConfigError, match="both"):
        doctor(model, loss_fn, X, y, X_val=X_val)
    with pytest.raises(ConfigError, match="Module"):
        doctor("model", loss_fn, X, y)
    with pytest.raises(ConfigError, match="steps"):
        doctor(model, loss_fn, X, y, steps=0)


def test_user_state_puts_back_what_a_check_would_have_changed():
    from minnet.diagnostics.doctor import _UserState

    X, y, _, _ = problem("spiral", 0)
    model = Sequential(Linear(2, 8, rng=0), BatchNorm1d(8), ReLU(), Dropout(0.5, rng=0),
                       Linear(8, 3, rng=1))
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model.parameters(), lr=1e-3)
    model.eval()
    saved = _UserState(model, optimizer)
    state, optimizer_state = model.state_dict(), optimizer.state_dict()
    rng_state = model[3].rng.bit_generator.state
    model.train()  # a careless check: train a few steps on the user's objects
    for _ in range(2):
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()
    assert not np.array_equal(model.state_dict()["1.running_mean"], state["1.running_mean"])
    saved.restore()
    assert all(np.array_equal(model.state_dict()[key], value) for key, value in state.items())
    assert all(not p.grad.any() for p in model.parameters())
    assert not any(m.training for m in model.modules())
    assert all(np.array_equal(optimizer.state_dict()[key], value)
               for key, value in optimizer_state.items())
    assert model[3].rng.bit_generator.state == rng_state


def test_doctor_is_reproducible_and_leaves_the_default_stream_alone():
    from minnet.random import default_generator

    X, y, X_val, y_val = problem("xor", 0)
    state = default_generator().bit_generator.state
    first = doctor(mlp(2, 0), CrossEntropyLoss(), X, y, checks=("monitor",))
    second = doctor(mlp(2, 0), CrossEntropyLoss(), X, y, checks=("monitor",))
    assert first.records["loss"]["train"] == second.records["loss"]["train"]
    assert default_generator().bit_generator.state == state
