"""fit(), the doctor and watch() with parameter groups of different lr and weight decay,
and fit() with chained schedules."""

import numpy as np
import pytest

import minnet as mn
from minnet.core import Sequential
from minnet.layers import Linear, ReLU
from minnet.optim import SGD, Adam, ExponentialLR, StepLR


def grouped(model, optimizer_class=SGD, **options):
    return optimizer_class([{"params": model[0].parameters(), "lr": 0.05, "weight_decay": 1e-3},
                            {"params": model[2].parameters()}], lr=0.01, **options)


def small_model():
    return Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 3, rng=1))


def test_fit_trains_with_groups_of_different_lr_and_records_the_first(rng):
    X, y = mn.data.spiral(n_per_class=30, n_classes=3, rng=0)
    model = small_model()
    optimizer = grouped(model, momentum=0.9)
    history = mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, epochs=3, progress=False)
    assert history.lr == [0.05, 0.05, 0.05]
    assert history.train_loss[-1] < history.train_loss[0]


def test_fit_steps_a_list_of_schedules_in_order(rng):
    X, y = mn.data.spiral(n_per_class=20, n_classes=3, rng=0)
    model = small_model()
    optimizer = SGD(model.parameters(), lr=0.1)
    schedules = [ExponentialLR(optimizer, gamma=0.5), StepLR(optimizer, step_size=2, gamma=0.1)]
    history = mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, epochs=4, progress=False,
                     scheduler=schedules)
    # epoch e uses 0.1 * 0.5**e * 0.1**(e // 2): the two schedules compose
    np.testing.assert_allclose(history.lr, [0.1, 0.05, 0.0025, 0.00125])
    with pytest.raises(mn.ConfigError, match="different optimizer"):
        mn.fit(model, mn.CrossEntropyLoss(), optimizer, X, y, progress=False,
               scheduler=[schedules[0], StepLR(SGD(model.parameters(), lr=0.1), 2)])


@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
def test_the_doctor_and_watch_accept_groups_of_different_settings(optimizer_class):
    X, y = mn.data.spiral(n_per_class=40, n_classes=3, rng=0)
    model = small_model()
    optimizer = grouped(model, optimizer_class)
    report = mn.doctor(model, mn.CrossEntropyLoss(), X, y, optimizer=optimizer, rng=0)
    assert report.records["info"]["optimizer"] == optimizer_class.__name__
    loss_fn = mn.CrossEntropyLoss()
    with mn.watch(model, optimizer, loss_fn) as watcher:
        for X_batch, y_batch in mn.data.DataLoader(X, y, batch_size=32, rng=0):
            optimizer.zero_grad()
            loss_fn(model(X_batch), y_batch)
            model.backward(loss_fn.backward())
            optimizer.step()
    assert isinstance(watcher.report(), mn.Report)
