"""PyTorch as an oracle: same gradients, same weights; same schedule, same lrs."""

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LinearWarmup,
    ReduceLROnPlateau,
    RMSprop,
    StepLR,
    clip_grad_norm_,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.3, eps=1e-4)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.9)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.3)),
]
MINNET = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS, ids=[f"{n}-{k}" for n, k in OPTIMIZERS])
def test_same_gradients_give_same_weights(name, kwargs):
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    params = [Parameter(w) for w in weights]
    tensors = [torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True) for w in weights]
    ours = MINNET[name](params, **kwargs)
    theirs = getattr(torch.optim, name)(tensors, **kwargs)
    for _ in range(5):
        for param, tensor in zip(params, tensors, strict=True):
            grad = rng.normal(size=param.shape)
            param.grad[...] = grad
            tensor.grad = torch.tensor(grad)
        ours.step()
        theirs.step()
    for param, tensor in zip(params, tensors, strict=True):
        np.testing.assert_allclose(param.data, tensor.detach().numpy(), rtol=1e-12, atol=1e-14)


def make_pair(lr=0.1):
    ours = SGD([Parameter(np.ones(2))], lr=lr)
    theirs = torch.optim.SGD([torch.ones(2, dtype=torch.float64, requires_grad=True)], lr=lr)
    return ours, theirs


def compare_lrs(ours, theirs, steps, atol=1e-16):
    our_lrs, their_lrs = [ours.get_last_lr()], [theirs.get_last_lr()[0]]
    for _ in range(steps):
        ours.optimizer.step()  # no gradient: the weights stay; torch wants this order
        theirs.optimizer.step()
        ours.step()
        theirs.step()
        our_lrs.append(ours.get_last_lr())
        their_lrs.append(theirs.get_last_lr()[0])
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12, atol=atol)


@pytest.mark.parametrize("kind", ["step", "exponential", "cosine", "cosine-eta-min"])
def test_schedules_match_torch(kind):
    ours_opt, theirs_opt = make_pair()
    sched = torch.optim.lr_scheduler
    if kind == "step":
        ours, theirs = StepLR(ours_opt, 3, 0.5), sched.StepLR(theirs_opt, 3, 0.5)
    elif kind == "exponential":
        ours, theirs = ExponentialLR(ours_opt, 0.9), sched.ExponentialLR(theirs_opt, 0.9)
    elif kind == "cosine":
        ours, theirs = CosineAnnealingLR(ours_opt, 10), sched.CosineAnnealingLR(theirs_opt, 10)
    else:
        ours = CosineAnnealingLR(ours_opt, 7, eta_min=1e-3)
        theirs = sched.CosineAnnealingLR(theirs_opt, 7, eta_min=1e-3)
    compare_lrs(ours, theirs, steps=30)


def test_warmup_then_cosine_matches_torch_sequential_lr():
    ours_opt, theirs_opt = make_pair()
    ours = LinearWarmup(ours_opt, 5, after=CosineAnnealingLR(ours_opt, T_max=20))
    sched = torch.optim.lr_scheduler
    warmup = sched.LinearLR(theirs_opt, start_factor=1 / 5, end_factor=1.0, total_iters=4)
    cosine = sched.CosineAnnealingLR(theirs_opt, T_max=20)
    theirs = sched.SequentialLR(theirs_opt, [warmup, cosine], milestones=[5])
    compare_lrs(ours, theirs, steps=30, atol=1e-15)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_matches_torch(mode):
    ours_opt, theirs_opt = make_pair(lr=1.0)
    ours = ReduceLROnPlateau(ours_opt, factor=0.5, patience=2, mode=mode, threshold=0.01,
                             min_lr=0.01)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        theirs_opt, factor=0.5, patience=2, mode=mode, threshold=0.01, min_lr=0.01)
    rng = np.random.default_rng(0)
    metrics = np.cumsum(rng.normal(size=60))
    for metric in metrics:
        ours.step(float(metric))
        theirs.step(float(metric))
        assert ours_opt.lr == theirs_opt.param_groups[0]["lr"]
    assert ours_opt.lr < 1.0


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    params = [Parameter(np.zeros_like(g)) for g in grads]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for param, tensor, grad in zip(params, tensors, grads, strict=True):
        param.grad[...] = grad
        tensor.grad = torch.tensor(grad)
    ours = clip_grad_norm_(params, max_norm)
    theirs = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert ours == pytest.approx(float(theirs), rel=1e-14)
    for param, tensor in zip(params, tensors, strict=True):
        np.testing.assert_allclose(param.grad, tensor.grad.numpy(), rtol=1e-14)
