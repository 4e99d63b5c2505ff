"""The readable references of exercises without a minnet.functional pair agree with minnet."""

import numpy as np
import pytest

import minnet as mn
from minnet.exercises.solutions.adam_adamw import adam_step
from minnet.exercises.solutions.sgd_step import sgd_step
from minnet.exercises.solutions.two_layer_net import two_layer_net_backward, two_layer_net_forward
from minnet.optim import SGD, Adam, AdamW
from minnet.parameter import Parameter

STEPS = 4


def gradients(seed, shape):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), [rng.standard_normal(shape) for _ in range(STEPS)]


@pytest.mark.parametrize("momentum, weight_decay, nesterov",
                         [(0.0, 0.0, False), (0.9, 0.01, False), (0.9, 0.1, True)])
def test_sgd_step_follows_minnet_sgd(momentum, weight_decay, nesterov):
    start, grads = gradients(0, (3, 4))
    param = Parameter(start.copy())
    optimizer = SGD([param], lr=0.1, momentum=momentum, weight_decay=weight_decay,
                    nesterov=nesterov)
    mine, velocity = start.copy(), np.zeros_like(start)
    for grad in grads:
        param.grad[...] = grad
        optimizer.step()
        mine, velocity = sgd_step(mine, grad, velocity, 0.1, momentum, weight_decay, nesterov)
    np.testing.assert_allclose(mine, param.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer_class, decoupled", [(Adam, False), (AdamW, True)])
def test_adam_step_follows_minnet_adam_and_adamw(optimizer_class, decoupled):
    start, grads = gradients(1, (5,))
    param = Parameter(start.copy())
    optimizer = optimizer_class([param], lr=0.01, weight_decay=0.1)
    mine, m, v, t = start.copy(), np.zeros_like(start), np.zeros_like(start), 0
    for grad in grads:
        param.grad[...] = grad
        optimizer.step()
        mine, m, v, t = adam_step(mine, grad, m, v, t, lr=0.01, weight_decay=0.1,
                                  decoupled=decoupled)
    assert t == STEPS
    np.testing.assert_allclose(mine, param.data, rtol=1e-12, atol=1e-14)


def test_two_layer_net_matches_minnets_layers():
    rng = np.random.default_rng(2)
    x, target = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    model = mn.Sequential(mn.Linear(4, 5), mn.ReLU(), mn.Linear(5, 3))
    first, last = model[0], model[2]
    loss_fn = mn.CrossEntropyLoss()
    loss = loss_fn(model(x), target)
    model.zero_grad()
    model.backward(loss_fn.backward())
    reg = 0.0
    mine, cache = two_layer_net_forward(x, target, first.weight.data, first.bias.data,
                                        last.weight.data, last.bias.data, reg)
    assert mine == pytest.approx(float(loss), rel=1e-12)
    for ours, theirs in zip(two_layer_net_backward(1.0, cache),
                            (first.weight, first.bias, last.weight, last.bias)):
        np.testing.assert_allclose(ours, theirs.grad, rtol=1e-10, atol=1e-12)
