"""Parameters that no backward reached since zero_grad(), and frozen ones, are skipped
entirely (PyTorch skips a None grad): no momentum, no weight decay, and Adam's and
Adagrad's step counts are each parameter's own."""

import numpy as np
import pytest
from optim_references import reference_adagrad, reference_adam  # tests/optim/

from minnet.core import Parameter
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop

ALL = [(SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
       (Adam, dict(lr=0.1, weight_decay=0.1)), (AdamW, dict(lr=0.1, weight_decay=0.1)),
       (RMSprop, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
       (Adagrad, dict(lr=0.1, weight_decay=0.1))]


def run(optimizer, params, reached_per_step, rng):
    """One step per entry; only the parameters in the entry get a gradient."""
    grads = {index: [] for index in range(len(params))}
    for reached in reached_per_step:
        optimizer.zero_grad()
        for index in reached:
            grad = rng.normal(size=params[index].shape)
            params[index].add_grad(grad)
            grads[index].append(grad)
        optimizer.step()
    return grads


@pytest.mark.parametrize("cls, kwargs", ALL, ids=[cls.__name__ for cls, _ in ALL])
def test_a_parameter_never_reached_never_moves(cls, kwargs):
    params = [Parameter(np.ones(3)), Parameter(np.ones(2))]
    optimizer = cls(params, **kwargs)
    run(optimizer, params, [{0}, {0}, {0}], np.random.default_rng(0))
    np.testing.assert_array_equal(params[1].data, np.ones(2))  # no weight decay either
    assert optimizer.state[1] == {}
    assert not np.allclose(params[0].data, 1.0)


@pytest.mark.parametrize("cls, kwargs", ALL, ids=[cls.__name__ for cls, _ in ALL])
def test_a_parameter_reached_once_does_not_keep_moving_on_momentum(cls, kwargs):
    params = [Parameter(np.ones(3)), Parameter(np.ones(2))]
    optimizer = cls(params, **kwargs)
    run(optimizer, params, [{0, 1}], np.random.default_rng(0))
    after_first = params[1].data.copy()
    run(optimizer, params, [{0}, {0}], np.random.default_rng(1))
    np.testing.assert_array_equal(params[1].data, after_first)


def test_a_frozen_parameter_with_a_gradient_written_into_it_is_skipped():
    frozen = Parameter(np.ones(2), requires_grad=False)
    frozen.grad[...] = 5.0  # written by hand: has_grad sees it, requires_grad wins
    optimizer = SGD([frozen], lr=0.1, weight_decay=0.1)
    optimizer.step()
    np.testing.assert_array_equal(frozen.data, np.ones(2))


def test_zero_grad_then_no_backward_moves_nothing():
    param = Parameter(np.ones(2))
    optimizer = SGD([param], lr=0.1, momentum=0.9)
    param.add_grad(np.ones(2))
    optimizer.step()
    moved = param.data.copy()
    optimizer.zero_grad()
    optimizer.step()  # today's gradient is None in PyTorch's terms: no momentum step
    np.testing.assert_array_equal(param.data, moved)


@pytest.mark.parametrize("cls, decoupled", [(Adam, False), (AdamW, True)])
def test_adam_counts_steps_per_parameter_for_its_bias_correction(cls, decoupled):
    # Parameter 1 is reached on steps 1 and 4 only: its updates are Adam's t = 1 and 2.
    params = [Parameter(np.ones(3)), Parameter(np.full(2, 2.0))]
    optimizer = cls(params, lr=0.1, weight_decay=0.05)
    grads = run(optimizer, params, [{0, 1}, {0}, {0}, {0, 1}], np.random.default_rng(0))
    expected = reference_adam(np.full(2, 2.0), grads[1], lr=0.1, weight_decay=0.05,
                              decoupled=decoupled)
    np.testing.assert_allclose(params[1].data, expected, rtol=1e-13)
    assert optimizer.state[0]["step"] == 4 and optimizer.state[1]["step"] == 2


def test_adagrad_counts_steps_per_parameter_for_its_lr_decay():
    params = [Parameter(np.ones(3)), Parameter(np.full(2, 2.0))]
    optimizer = Adagrad(params, lr=0.5, lr_decay=0.5)
    grads = run(optimizer, params, [{0}, {0}, {0, 1}, {0, 1}], np.random.default_rng(0))
    assert optimizer.state[1]["step"] == 2
    expected = reference_adagrad(np.full(2, 2.0), grads[1], lr=0.5, lr_decay=0.5)
    np.testing.assert_allclose(params[1].data, expected, rtol=1e-13)
