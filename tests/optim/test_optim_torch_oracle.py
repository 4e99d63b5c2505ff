"""PyTorch as an oracle for the optimizers: same gradients, same weights, in float64.

Every optimizer with every option, parameter groups with their own lr and
weight decay, and parameters that no backward reached on some steps (a None
grad in torch, ``has_grad`` False in minnet); and clip_grad_norm_ for each
norm type.
"""

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.kernels import use_backend
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop, clip_grad_norm_

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

MINNET = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}
OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=1.0, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.2)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.3, eps=1e-4)),
    ("Adagrad", dict(lr=0.2, lr_decay=0.1)),
    ("Adagrad", dict(lr=0.2, weight_decay=0.05, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.2, lr_decay=0.5, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.8, momentum=0.7, centered=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.02, betas=(0.5, 0.9), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.3)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
]
IDS = [f"{name}-{kwargs}" for name, kwargs in OPTIMIZERS]
SHAPES = [(4, 3), (3,), ()]


def make_pair(seed=0):
    """A generator, and minnet and torch parameters with equal float64 values."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=shape) for shape in SHAPES]
    params = [Parameter(w) for w in weights]
    tensors = [torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True) for w in weights]
    return rng, params, tensors


def set_grads(rng, params, tensors, reached=None):
    """The same random gradient in both; parameters outside ``reached`` get none."""
    for index, (param, tensor) in enumerate(zip(params, tensors, strict=True)):
        param.zero_grad()
        tensor.grad = None
        if reached is None or index in reached:
            grad = rng.normal(size=param.shape)
            param.add_grad(grad)
            tensor.grad = torch.tensor(grad)


def assert_same_weights(params, tensors):
    for param, tensor in zip(params, tensors, strict=True):
        np.testing.assert_allclose(param.data, tensor.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("name, kwargs", OPTIMIZERS, ids=IDS)
def test_same_gradients_give_same_weights(name, kwargs, backend):
    rng, params, tensors = make_pair()
    ours = MINNET[name](params, **kwargs)
    theirs = getattr(torch.optim, name)(tensors, **kwargs)
    with use_backend(backend):
        for _ in range(6):
            set_grads(rng, params, tensors)
            ours.step()
            theirs.step()
    assert_same_weights(params, tensors)
    assert not np.allclose(params[0].data, make_pair()[1][0].data)


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS, ids=IDS)
def test_parameters_not_reached_on_some_steps_are_skipped_as_torch_does(name, kwargs):
    # Parameter 1 gets a gradient on steps 0 and 3 only, parameter 2 never after step 1:
    # no momentum, no weight decay, and (Adam, Adagrad) its own step count.
    rng, params, tensors = make_pair(1)
    ours = MINNET[name](params, **kwargs)
    theirs = getattr(torch.optim, name)(tensors, **kwargs)
    schedule = [{0, 1, 2}, {0, 2}, {0}, {0, 1}, {0}, {0, 1}]
    for reached in schedule:
        set_grads(rng, params, tensors, reached)
        ours.step()
        theirs.step()
    assert_same_weights(params, tensors)


@pytest.mark.parametrize("name, defaults, group_options", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01), [dict(lr=0.02), dict(weight_decay=0)]),
    ("SGD", dict(lr=0.1), [dict(momentum=0.5, nesterov=True), dict(dampening=0.2,
                                                                  momentum=0.9)]),
    ("Adam", dict(lr=0.01, weight_decay=0.1), [dict(lr=0.001, weight_decay=0.0),
                                               dict(betas=(0.5, 0.9), amsgrad=True)]),
    ("AdamW", dict(lr=0.01), [dict(weight_decay=0.0), dict(lr=0.05, weight_decay=0.5)]),
    ("RMSprop", dict(lr=0.01), [dict(centered=True), dict(momentum=0.5, weight_decay=0.1)]),
    ("Adagrad", dict(lr=0.1), [dict(lr_decay=0.1), dict(weight_decay=0.2, lr=0.3)]),
])
def test_parameter_groups_with_their_own_options(name, defaults, group_options):
    rng, params, tensors = make_pair(2)
    split = [[0], [1, 2]]
    ours = MINNET[name]([{"params": [params[i] for i in indices], **options}
                         for indices, options in zip(split, group_options, strict=True)],
                        **defaults)
    theirs = getattr(torch.optim, name)(
        [{"params": [tensors[i] for i in indices], **options}
         for indices, options in zip(split, group_options, strict=True)], **defaults)
    for reached in [{0, 1, 2}, {0, 2}, {1, 2}, {0, 1, 2}, {0}]:
        set_grads(rng, params, tensors, reached)
        ours.step()
        theirs.step()
    assert_same_weights(params, tensors)
    for our_group, their_group in zip(ours.param_groups, theirs.param_groups, strict=True):
        for key, value in our_group.items():
            if key != "params":
                assert value == their_group[key], key


def test_add_param_group_matches_torch():
    rng, params, tensors = make_pair(3)
    ours = Adam(params[:1], lr=0.01)
    theirs = torch.optim.Adam(tensors[:1], lr=0.01)
    set_grads(rng, params, tensors, {0})
    ours.step()
    theirs.step()
    ours.add_param_group({"params": params[1:], "lr": 0.05, "amsgrad": True})
    theirs.add_param_group({"params": tensors[1:], "lr": 0.05, "amsgrad": True})
    for _ in range(3):
        set_grads(rng, params, tensors)
        ours.step()
        theirs.step()
    assert_same_weights(params, tensors)


@pytest.mark.parametrize("norm_type", [1, 2.0, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)), rng.normal(size=(3,)), rng.normal(size=(2, 2))]
    params = [Parameter(np.zeros_like(g)) for g in grads]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for index, (param, tensor, grad) in enumerate(zip(params, tensors, grads, strict=True)):
        if index != 2:  # the last parameter has no gradient: both skip it
            param.add_grad(grad)
            tensor.grad = torch.tensor(grad)
    ours = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
    assert ours == pytest.approx(float(theirs), rel=1e-14)
    for param, tensor in zip(params[:2], tensors[:2], strict=True):
        np.testing.assert_allclose(param.grad, tensor.grad.numpy(), rtol=1e-14)
    assert not params[2].grad.any() and tensors[2].grad is None
