"""train-in-eval-mode: training steps taken with the model (dropout, batch norm) in eval mode."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.data import spiral
from minnet.diagnostics.rules import events
from minnet.diagnostics.watch import watch
from minnet.layers import BatchNorm1d, Dropout, Linear, ReLU
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam


def model_with(*middle, seed=0):
    return Sequential(Linear(2, 16, rng=seed), *middle, ReLU(), Linear(16, 3, rng=seed + 1))


def watched_loop(model, setup, steps=30, seed=0):
    """``steps`` training steps under watch(); ``setup(model)`` runs once before them."""
    X, y = spiral(50, 3, rng=seed)
    rng = np.random.default_rng(seed)
    optimizer, loss_fn = Adam(model.parameters(), lr=1e-2), CrossEntropyLoss()
    with watch(model, optimizer, loss_fn) as watcher:
        setup(model)
        for _ in range(steps):
            batch = rng.choice(len(X), 32, replace=False)
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch])
            model.backward(loss_fn.backward())
            optimizer.step()
    return [f for f in watcher.report().problems() if f.code == "train-in-eval-mode"]


@pytest.mark.parametrize("layer", [Dropout(0.3), BatchNorm1d(16)], ids=["dropout", "batchnorm"])
def test_training_after_model_eval_is_caught(layer):
    [finding] = watched_loop(model_with(layer), lambda model: model.eval())
    assert finding.severity == "warning" and finding.step == 0
    assert finding.evidence["training_steps_in_eval_mode"] == 30
    assert type(layer).__name__ in finding.evidence["in_eval_mode"]


def test_training_in_training_mode_is_quiet():
    model = model_with(BatchNorm1d(16), Dropout(0.3))
    assert watched_loop(model, lambda model: model.train()) == []


def test_frozen_batch_norm_inside_a_training_model_is_deliberate_and_quiet():
    model = model_with(BatchNorm1d(16), Dropout(0.3))

    def freeze(model):
        model.train()
        model[1].eval()  # fine-tuning with frozen batch-norm statistics

    assert watched_loop(model, freeze) == []


def test_a_model_without_dropout_or_batch_norm_is_quiet_in_eval_mode():
    assert watched_loop(model_with(), lambda model: model.eval()) == []  # eval changes nothing


def test_the_rule_needs_consecutive_steps():
    def records(steps):
        return {"events": {"train_in_eval_mode": {"step": steps,
                                                  "modules": ["1 (Dropout)"] * len(steps)}}}
    assert events.train_in_eval_mode(records([4, 9, 14])) == []  # one step now and then
    assert events.train_in_eval_mode(records([4, 5])) == []
    [finding] = events.train_in_eval_mode(records([1, 4, 5, 6]))
    assert finding.step == 4 and finding.where == "1 (Dropout)"
    assert events.train_in_eval_mode({}) == []
