"""The monitor's gradient check (monitor/fresh.py): what backward produced against what
optimizer.step() sees, on real hand-written loops."""

import copy

import numpy as np
import pytest
from test_monitor import data, mlp

from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.watch import watch
from minnet.losses import CrossEntropyLoss, RegularizedLoss
from minnet.optim import SGD, Adam, clip_grad_norm_


def run(order, steps=30, model=None, optimizer=None, loss_fn=None, clip=None):
    """A loop whose four calls run in ``order``; returns the watcher's records and report."""
    model = model or mlp()
    optimizer = optimizer or SGD(model.parameters(), lr=0.05)
    loss_fn = loss_fn or CrossEntropyLoss()
    X, y = data()
    with watch(model, optimizer, loss_fn) as watcher:
        for _ in range(steps):
            for statement in order:
                if statement == "zero_grad":
                    optimizer.zero_grad()
                elif statement == "forward":
                    loss_fn(model(X), y)
                elif statement == "backward":
                    model.backward(loss_fn.backward())
                    if clip is not None:
                        clip_grad_norm_(model.parameters(), clip)
                else:
                    optimizer.step()
    return watcher.records, watcher.report()


RIGHT = ("zero_grad", "forward", "backward", "step")


def codes(report):
    return [finding.code for finding in report.problems("warning")]


@pytest.mark.parametrize("clip", [None, 0.01])
def test_a_correct_loop_sees_the_fresh_gradient(clip):
    records, report = run(RIGHT, clip=clip)  # clipping rescales: the same direction
    check = records["gradient_check"]
    assert check["step"] == [0, 1, 2, 10, 20]
    np.testing.assert_allclose(check["cosine"], 1.0)
    assert check["stale_norm"] == [0.0] * 5 and min(check["backward_norm"]) > 0
    assert "step_before_backward" not in records["events"]
    assert records["info"]["model_weights_in_optimizer"] == records["info"]["model_weights"] == 3
    assert "optimizer-not-updating" not in codes(report)
    assert "grads-not-zeroed" not in codes(report)


def test_a_regularized_loss_penalty_counts_as_fresh():
    model = mlp()
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-2)
    records, _ = run(RIGHT, model=model, loss_fn=loss_fn)
    np.testing.assert_allclose(records["gradient_check"]["cosine"], 1.0)


def test_zero_grad_between_backward_and_step():
    records, report = run(("forward", "backward", "zero_grad", "step"))
    check = records["gradient_check"]
    assert check["optimizer_norm"] == [0.0] * 5 and min(check["backward_norm"]) > 0
    assert codes(report)[0] == "optimizer-not-updating"
    assert "lr-too-low" not in codes(report) and "update-ratio-low" not in codes(report)


def test_step_before_backward():
    records, report = run(("zero_grad", "step", "forward", "backward"))
    assert records["events"]["step_before_backward"]["step"] == [0]
    (finding,) = [f for f in report.findings if f.code == "optimizer-not-updating"]
    assert "before backward()" in finding.explanation
    assert finding.evidence["step_before_first_backward"] == "yes"


def test_an_optimizer_built_on_another_copy():
    model = mlp()
    optimizer = Adam(copy.deepcopy(model).parameters(), lr=1e-2)
    records, report = run(RIGHT, model=model, optimizer=optimizer)
    assert records["info"]["model_weights_in_optimizer"] == 0
    assert codes(report)[0] == "optimizer-not-updating"
    assert "grads-not-zeroed" not in codes(report)


def test_a_forgotten_zero_grad_shows_stale_values_at_step():
    records, _ = run(("forward", "backward", "step"), steps=12)
    check = records["gradient_check"]
    stale = np.array(check["stale_norm"]) / np.array(check["backward_norm"])
    assert stale[0] == 0 and min(stale[1:]) > 0.5  # a full batch: the old ones are as big


def test_without_an_optimizer_there_is_no_gradient_check():
    model, loss_fn = mlp(), CrossEntropyLoss()
    X, y = data()
    with Monitor(model, None, loss_fn) as monitor:
        for _ in range(3):
            model.zero_grad()
            loss_fn(model(X), y)
            model.backward(loss_fn.backward())
    assert "gradient_check" not in monitor.records
