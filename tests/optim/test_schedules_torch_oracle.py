"""PyTorch as an oracle for the schedules: same lrs (and momenta), step after step.

Every schedule alone and over two parameter groups, pairs of schedules on
one optimizer (PyTorch's chainable form multiplies their effects),
ReduceLROnPlateau with cooldown and absolute thresholds, and OneCycleLR's
lr and momentum.
"""

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ConfigError
from minnet.optim import (
    SGD,
    Adam,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearWarmup,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
sched = torch.optim.lr_scheduler

SCHEDULES = {
    "step": (lambda o: StepLR(o, 3, 0.5), lambda o: sched.StepLR(o, 3, 0.5)),
    "multistep": (lambda o: MultiStepLR(o, [4, 9, 9, 20], 0.3),
                  lambda o: sched.MultiStepLR(o, [4, 9, 9, 20], 0.3)),
    "exponential": (lambda o: ExponentialLR(o, 0.9), lambda o: sched.ExponentialLR(o, 0.9)),
    "cosine": (lambda o: CosineAnnealingLR(o, 10), lambda o: sched.CosineAnnealingLR(o, 10)),
    "cosine-eta-min": (lambda o: CosineAnnealingLR(o, 7, eta_min=1e-3),
                       lambda o: sched.CosineAnnealingLR(o, 7, eta_min=1e-3)),
    "lambda": (lambda o: LambdaLR(o, lambda t: 1 / (1 + t)),
               lambda o: sched.LambdaLR(o, lambda t: 1 / (1 + t))),
    "restarts": (lambda o: CosineAnnealingWarmRestarts(o, 4),
                 lambda o: sched.CosineAnnealingWarmRestarts(o, 4)),
    "restarts-mult": (lambda o: CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=1e-3),
                      lambda o: sched.CosineAnnealingWarmRestarts(o, 3, T_mult=2,
                                                                  eta_min=1e-3)),
}
CHAINS = [("exponential", "step"), ("step", "exponential"), ("cosine", "exponential"),
          ("multistep", "step"), ("cosine", "multistep"), ("lambda", "exponential"),
          ("restarts", "step")]


def make_optimizers(lrs=(0.1,), momentum=0.9):
    ours = SGD([{"params": [Parameter(np.ones(2))], "lr": lr} for lr in lrs], lr=lrs[0],
               momentum=momentum)
    theirs = torch.optim.SGD([{"params": [torch.ones(2, dtype=torch.float64,
                                                     requires_grad=True)], "lr": lr}
                              for lr in lrs], lr=lrs[0], momentum=momentum)
    return ours, theirs


def compare(ours, theirs, steps=30, rtol=1e-12, atol=1e-15):
    """Step both optimizers and schedules ``steps`` times; compare every group's lr."""
    ours_opt, theirs_opt = ours[0].optimizer, theirs[0].optimizer
    our_lrs = [[group["lr"] for group in ours_opt.param_groups]]
    their_lrs = [[group["lr"] for group in theirs_opt.param_groups]]
    for _ in range(steps):
        ours_opt.step()  # no gradient: no weight moves; torch wants this order
        theirs_opt.step()
        for schedule in ours:
            schedule.step()
        for schedule in theirs:
            schedule.step()
        our_lrs.append([group["lr"] for group in ours_opt.param_groups])
        their_lrs.append([group["lr"] for group in theirs_opt.param_groups])
        assert ours[-1].get_last_lr() == pytest.approx(theirs[-1].get_last_lr(), rel=rtol,
                                                       abs=atol)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=rtol, atol=atol)
    return np.array(our_lrs)


@pytest.mark.parametrize("lrs", [(0.1,), (0.1, 0.02)], ids=["one-group", "two-groups"])
@pytest.mark.parametrize("kind", SCHEDULES)
def test_each_schedule_matches_torch(kind, lrs):
    ours_opt, theirs_opt = make_optimizers(lrs)
    build_ours, build_theirs = SCHEDULES[kind]
    lrs_seen = compare([build_ours(ours_opt)], [build_theirs(theirs_opt)])
    assert len(np.unique(lrs_seen[:, 0])) > 2  # the schedule really moves
    assert ours_opt.param_groups[0]["initial_lr"] == theirs_opt.param_groups[0]["initial_lr"]


@pytest.mark.parametrize("first, second", CHAINS, ids=[f"{a}+{b}" for a, b in CHAINS])
def test_two_schedules_on_one_optimizer_compose_as_in_torch(first, second):
    ours_opt, theirs_opt = make_optimizers((0.1, 0.03))
    ours = [SCHEDULES[first][0](ours_opt), SCHEDULES[second][0](ours_opt)]
    theirs = [SCHEDULES[first][1](theirs_opt), SCHEDULES[second][1](theirs_opt)]
    compare(ours, theirs)


def test_a_composition_that_drives_the_lr_negative_is_an_error_not_a_negative_lr():
    # Past T_max, PyTorch's recursive cosine (eta_min > 0) composed with a decay goes
    # below 0 and torch then steps with a negative lr (gradient ascent); minnet refuses.
    ours_opt, theirs_opt = make_optimizers((0.1, 0.03))
    ours = [CosineAnnealingLR(ours_opt, 7, eta_min=1e-3), MultiStepLR(ours_opt, [4, 9, 9], 0.3)]
    theirs = [sched.CosineAnnealingLR(theirs_opt, 7, eta_min=1e-3),
              sched.MultiStepLR(theirs_opt, [4, 9, 9], 0.3)]
    compare(ours, theirs, steps=10)
    for schedule in theirs:
        schedule.step()
    assert min(group["lr"] for group in theirs_opt.param_groups) < 0
    with pytest.raises(ConfigError, match=r"CosineAnnealingLR.step: computed the lr -.*"
                                          r"param_groups\[1\] at step 11"):
        ours[0].step()
    assert ours[0].last_epoch == 10 and ours_opt.param_groups[1]["lr"] > 0  # nothing moved


def test_exponential_and_step_give_the_product_of_their_decays():
    ours_opt, theirs_opt = make_optimizers()
    ours = [ExponentialLR(ours_opt, 0.9), StepLR(ours_opt, 3, 0.5)]
    theirs = [sched.ExponentialLR(theirs_opt, 0.9), sched.StepLR(theirs_opt, 3, 0.5)]
    lrs = compare(ours, theirs, steps=10)
    t = np.arange(11)
    np.testing.assert_allclose(lrs[:, 0], 0.1 * 0.9 ** t * 0.5 ** (t // 3), rtol=1e-13)


def test_warmup_alone_composes_like_torch_linear_lr():
    ours_opt, theirs_opt = make_optimizers((0.1, 0.05))
    ours = [LinearWarmup(ours_opt, 5), CosineAnnealingLR(ours_opt, T_max=20)]
    theirs = [sched.LinearLR(theirs_opt, start_factor=1 / 5, end_factor=1.0, total_iters=4),
              sched.CosineAnnealingLR(theirs_opt, T_max=20)]
    compare(ours, theirs)


@pytest.mark.parametrize("after", ["cosine", "step"])
def test_warmup_then_after_matches_torch_sequential_lr(after):
    ours_opt, theirs_opt = make_optimizers((0.1, 0.05))
    if after == "cosine":
        ours_after, theirs_after = (CosineAnnealingLR(ours_opt, T_max=20),
                                    sched.CosineAnnealingLR(theirs_opt, T_max=20))
    else:
        ours_after, theirs_after = StepLR(ours_opt, 4, 0.5), sched.StepLR(theirs_opt, 4, 0.5)
    ours = LinearWarmup(ours_opt, 5, after=ours_after)
    warmup = sched.LinearLR(theirs_opt, start_factor=1 / 5, end_factor=1.0, total_iters=4)
    theirs = sched.SequentialLR(theirs_opt, [warmup, theirs_after], milestones=[5])
    compare([ours], [theirs])


def test_restarts_with_fractional_epochs_match_torch():
    ours_opt, theirs_opt = make_optimizers((0.1, 0.05))
    ours = CosineAnnealingWarmRestarts(ours_opt, 3, T_mult=2, eta_min=1e-3)
    theirs = sched.CosineAnnealingWarmRestarts(theirs_opt, 3, T_mult=2, eta_min=1e-3)
    for epoch in range(12):
        for batch in range(4):
            ours.step(epoch + batch / 4)
            theirs.step(epoch + batch / 4)
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    assert (ours.T_i, ours.last_epoch) == (theirs.T_i, theirs.last_epoch)


PLATEAU = [dict(factor=0.5, patience=2, mode="min", threshold=0.01, min_lr=0.01),
           dict(factor=0.5, patience=2, mode="max", threshold=0.01),
           dict(factor=0.3, patience=1, mode="min", threshold=0.5, threshold_mode="abs",
                cooldown=3),
           dict(factor=0.5, patience=0, mode="max", threshold=0.2, threshold_mode="abs",
                cooldown=2, min_lr=[0.05, 0.001]),
           dict(factor=0.9, patience=0, eps=0.02)]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_matches_torch(kwargs):
    ours_opt, theirs_opt = make_optimizers((1.0, 0.1))
    ours = ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = sched.ReduceLROnPlateau(theirs_opt, **kwargs)
    metrics = np.cumsum(np.random.default_rng(0).normal(size=60))
    for metric in metrics:
        ours.step(float(metric))
        theirs.step(float(metric))
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert (ours.num_bad_epochs, ours.cooldown_counter) == (theirs.num_bad_epochs,
                                                                theirs.cooldown_counter)
    assert ours.get_last_lr()[0] < 1.0


ONE_CYCLE = [dict(), dict(anneal_strategy="linear"), dict(three_phase=True),
             dict(pct_start=0.5, div_factor=10.0, final_div_factor=100.0,
                  base_momentum=0.8, max_momentum=0.9),
             dict(cycle_momentum=False)]


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("kwargs", ONE_CYCLE, ids=[str(k) for k in ONE_CYCLE])
def test_one_cycle_lr_and_momentum_match_torch(kwargs, optimizer):
    weights = [np.ones(2), np.ones(3)]
    params = [Parameter(w) for w in weights]
    tensors = [torch.ones(w.shape, dtype=torch.float64, requires_grad=True) for w in weights]
    if optimizer == "SGD":
        ours_opt = SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1, momentum=0.9)
        theirs_opt = torch.optim.SGD([{"params": [tensors[0]]}, {"params": [tensors[1]]}],
                                     lr=0.1, momentum=0.9)
    else:
        ours_opt = Adam([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
        theirs_opt = torch.optim.Adam([{"params": [tensors[0]]}, {"params": [tensors[1]]}],
                                      lr=0.1)
    ours = OneCycleLR(ours_opt, max_lr=[1.0, 0.5], total_steps=40, **kwargs)
    theirs = sched.OneCycleLR(theirs_opt, max_lr=[1.0, 0.5], total_steps=40, **kwargs)
    key = "momentum" if optimizer == "SGD" else "betas"
    for _ in range(41):  # construction, then total_steps steps (the last is allowed)
        for our_group, their_group in zip(ours_opt.param_groups, theirs_opt.param_groups,
                                          strict=True):
            # At t = total_steps torch's linear strategy goes below 0; minnet stops at 0.
            their_lr = max(their_group["lr"], 0.0)
            assert our_group["lr"] == pytest.approx(their_lr, rel=1e-12, abs=1e-16)
            assert np.allclose(our_group[key], their_group[key], rtol=1e-12, atol=0)
            for name in ("initial_lr", "max_lr", "min_lr"):
                assert our_group[name] == their_group[name]
        ours_opt.step()
        theirs_opt.step()
        if theirs.last_epoch < 40:
            ours.step()
            theirs.step()
