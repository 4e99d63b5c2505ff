"""ReduceLROnPlateau, CosineAnnealingWarmRestarts and OneCycleLR against hand-computed
values, and every argument check."""

import math

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ConfigError
from minnet.optim import (
    SGD,
    Adagrad,
    Adam,
    CosineAnnealingWarmRestarts,
    OneCycleLR,
    ReduceLROnPlateau,
)


def make_optimizer(lr=1.0, groups=1, cls=SGD, **kwargs):
    return cls([{"params": [Parameter(np.ones(3))], "lr": lr / 2 ** index}
                for index in range(groups)], lr=lr, **kwargs)


# --- ReduceLROnPlateau --------------------------------------------------------

def plateau_lrs(metrics, groups=1, **kwargs):
    optimizer = make_optimizer(1.0, groups)
    schedule = ReduceLROnPlateau(optimizer, **kwargs)
    lrs = []
    for metric in metrics:
        schedule.step(metric)
        assert schedule.get_last_lr() == [group["lr"] for group in optimizer.param_groups]
        lrs.append(optimizer.param_groups[0]["lr"] if groups == 1 else schedule.get_last_lr())
    return lrs


def test_plateau_reduces_after_patience_plus_one_bad_epochs_and_not_before():
    # epoch 0 improves on inf; epochs 1, 2 are bad (patience 2); epoch 3 is the third bad one.
    lrs = plateau_lrs([5.0, 5.0, 6.0, 5.0, 5.0, 5.0, 5.0], factor=0.5, patience=2)
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_plateau_improvement_resets_the_count():
    lrs = plateau_lrs([5.0, 6.0, 6.0, 4.0, 6.0, 6.0, 6.0], factor=0.1, patience=2)
    assert lrs == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1]


def test_plateau_relative_and_absolute_thresholds():
    # 1% better than best is not enough with threshold=0.05: every epoch after the first is bad.
    assert plateau_lrs([1.0, 0.99, 0.98, 0.97], factor=0.5, patience=1,
                       threshold=0.05) == [1.0, 1.0, 0.5, 0.5]
    assert plateau_lrs([1.0, 0.9, 0.8, 0.7], factor=0.5, patience=1,
                       threshold=0.05) == [1.0, 1.0, 1.0, 1.0]
    # "abs": a metric must be below best - 0.15 = 0.85 to improve; 0.9 and 0.88 are not.
    assert plateau_lrs([1.0, 0.9, 0.88, 0.86], factor=0.5, patience=1, threshold=0.15,
                       threshold_mode="abs") == [1.0, 1.0, 0.5, 0.5]
    assert plateau_lrs([1.0, 0.9, 0.88, 0.86], factor=0.5, patience=1, threshold=0.05,
                       threshold_mode="rel") == [1.0, 1.0, 1.0, 0.5]


def test_plateau_mode_max():
    assert plateau_lrs([0.5, 0.6, 0.6, 0.6], factor=0.5, patience=1,
                       mode="max") == [1.0, 1.0, 1.0, 0.5]


def test_plateau_cooldown_ignores_bad_epochs_after_a_reduction():
    lrs = plateau_lrs([1.0] + [2.0] * 8, factor=0.5, patience=0, cooldown=2)
    # reduce at epoch 1; epochs 2, 3 are cooldown; reduce at 4; cooldown 5, 6; reduce at 7.
    assert lrs == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125]


def test_plateau_min_lr_per_group_floor_and_nan_counts_as_bad():
    lrs = plateau_lrs([1.0, float("nan"), float("nan"), 2.0], groups=2, factor=0.1,
                      patience=0, min_lr=[0.05, 0.04])
    assert lrs == [[1.0, 0.5], [0.1, 0.05], [0.05, 0.04], [0.05, 0.04]]


def test_plateau_skips_a_reduction_of_eps_or_less():
    assert plateau_lrs([1.0, 2.0, 2.0], factor=0.9, patience=0, eps=0.2) == [1.0, 1.0, 1.0]
    assert plateau_lrs([1.0, 2.0, 2.0], factor=0.9, patience=0, eps=0.05) == [1.0, 0.9, 0.81]


def test_plateau_step_needs_a_metric():
    schedule = ReduceLROnPlateau(make_optimizer())
    with pytest.raises(ConfigError, match=r"scheduler.step\(val_loss\)"):
        schedule.step()
    with pytest.raises(ConfigError, match="expected the metric as a float"):
        schedule.step("low")
    with pytest.raises(ConfigError, match="expected the metric as a float"):
        schedule.step(np.ones(2))
    with pytest.raises(ConfigError, match="expected the metric as a float"):
        schedule.step([[1.0], [2.0, 3.0]])  # before: NumPy's 'inhomogeneous shape' ValueError
    schedule.step(np.float32(0.5))
    assert schedule.best == 0.5 and schedule.last_epoch == 1


def test_plateau_sets_no_initial_lr_as_pytorch():
    optimizer = make_optimizer()
    ReduceLROnPlateau(optimizer)
    assert "initial_lr" not in optimizer.param_groups[0]


# --- CosineAnnealingWarmRestarts ----------------------------------------------

def restart_lr(t_cur, period, base=1.0, eta_min=0.0):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / period)) / 2


@pytest.mark.parametrize("T_0, T_mult, eta_min", [(3, 1, 0.0), (2, 2, 0.01), (1, 3, 0.1)])
def test_warm_restarts_closed_form(T_0, T_mult, eta_min):
    optimizer = make_optimizer(1.0)
    schedule = CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)
    expected, t_cur, period = [], 0, T_0
    for _ in range(25):
        expected.append(restart_lr(t_cur, period, eta_min=eta_min))
        t_cur += 1
        if t_cur == period:
            t_cur, period = 0, period * T_mult
    lrs = [optimizer.lr]
    for _ in range(24):
        schedule.step()
        lrs.append(optimizer.lr)
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)
    assert lrs.count(1.0) >= 2  # it restarted


def test_warm_restarts_take_a_fractional_epoch():
    optimizer = make_optimizer(1.0)
    schedule = CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2)
    schedule.step(2.5)  # the second period (length 4) started at epoch 2
    assert (schedule.T_i, schedule.T_cur, schedule.last_epoch) == (4, 0.5, 2)
    assert optimizer.lr == pytest.approx(restart_lr(0.5, 4), rel=1e-14)
    for epoch in (-1, float("nan"), "3", True):
        with pytest.raises(ConfigError, match="epoch must be a float >= 0"):
            schedule.step(epoch)


# --- OneCycleLR ----------------------------------------------------------------------

def test_one_cycle_two_phases_by_hand():
    optimizer = make_optimizer(0.1, momentum=0.9)
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=10)  # phase ends: 2, 9
    group = optimizer.param_groups[0]
    assert group["lr"] == pytest.approx(1.0 / 25) and group["momentum"] == 0.95
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.04, 1.0, 0.04 / 1e4)
    lrs, momenta = [group["lr"]], [group["momentum"]]
    for _ in range(10):
        schedule.step()
        lrs.append(group["lr"])
        momenta.append(group["momentum"])
    assert lrs[1] == pytest.approx(0.04 + (1.0 - 0.04) / 2, rel=1e-14)  # halfway up
    assert lrs[2] == pytest.approx(1.0, rel=1e-14) and momenta[2] == pytest.approx(0.85)
    assert lrs[9] == pytest.approx(0.04 / 1e4, rel=1e-12) and momenta[9] == pytest.approx(0.95)
    assert max(lrs) == lrs[2]
    with pytest.raises(ConfigError, match=r"OneCycleLR.step: tried to step 11 times, but "
                                          r"total_steps is 10"):
        schedule.step()
    assert schedule.last_epoch == 10


def test_one_cycle_cycles_adams_beta1_and_keeps_beta2():
    optimizer = make_optimizer(0.1, cls=Adam, betas=(0.9, 0.99))
    schedule = OneCycleLR(optimizer, max_lr=0.5, epochs=2, steps_per_epoch=5)
    assert schedule.total_steps == 10 and optimizer.betas == (0.95, 0.99)
    for _ in range(2):
        schedule.step()
    assert optimizer.betas == pytest.approx((0.85, 0.99))


def test_one_cycle_without_momentum_cycling_leaves_momentum_alone():
    optimizer = make_optimizer(0.1, cls=Adagrad)
    OneCycleLR(optimizer, max_lr=0.5, total_steps=10, cycle_momentum=False)
    with pytest.raises(ConfigError, match=r"OneCycleLR: cycle_momentum=True needs an optimizer "
                                          r"with momentum .*got Adagrad; pass "
                                          r"cycle_momentum=False"):
        OneCycleLR(make_optimizer(0.1, cls=Adagrad), max_lr=0.5, total_steps=10)


ONE_CYCLE_BAD = [
    (dict(max_lr=1.0), r"give total_steps, or both epochs and steps_per_epoch"),
    (dict(max_lr=1.0, epochs=2), r"give total_steps, or both epochs and steps_per_epoch"),
    (dict(max_lr=1.0, total_steps=0), r"the 'total_steps' parameter must be an int >= 1"),
    (dict(max_lr=0.0, total_steps=10), r"the 'max_lr' parameter must be a float"),
    (dict(max_lr=[1.0], total_steps=10), r"the 'max_lr' parameter has 1 values, the "
                                         r"optimizer has 2"),
    (dict(max_lr=1.0, total_steps=10, pct_start=1.5), r"the 'pct_start' parameter"),
    (dict(max_lr=1.0, total_steps=10, pct_start=0.1), r"total_steps=10 with pct_start=0.1 "
                                                      r"gives a phase of zero steps"),
    (dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"), r"the 'anneal_strategy'"),
    (dict(max_lr=1.0, total_steps=10, max_momentum=1.0), r"the 'max_momentum' parameter"),
    (dict(max_lr=1.0, total_steps=10, base_momentum=[0.8, -0.1]),
     r"the 'base_momentum\[1\]' parameter"),
    (dict(max_lr=1.0, total_steps=10, div_factor=0), r"the 'div_factor' parameter"),
    (dict(max_lr=1.0, total_steps=10, three_phase="yes"), r"the 'three_phase' parameter"),
]


@pytest.mark.parametrize("kwargs, message", ONE_CYCLE_BAD, ids=range(len(ONE_CYCLE_BAD)))
def test_one_cycle_bad_arguments_raise_and_change_nothing(kwargs, message):
    optimizer = make_optimizer(0.1, groups=2, momentum=0.9)
    before = [dict(group) for group in optimizer.param_groups]
    with pytest.raises(ConfigError, match=rf"^OneCycleLR: {message}"):
        OneCycleLR(optimizer, **kwargs)
    assert [dict(group) for group in optimizer.param_groups] == before


def test_one_cycle_momentum_the_optimizer_refuses_changes_nothing():
    optimizer = make_optimizer(0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ConfigError, match="nesterov"):
        OneCycleLR(optimizer, max_lr=1.0, total_steps=10, base_momentum=0.0)
    assert optimizer.momentum == 0.9 and "max_lr" not in optimizer.param_groups[0]


# --- argument checks (the others are in test_schedules.py) ---------------------

def test_plateau_min_lr_list_needs_one_per_group():
    with pytest.raises(ConfigError, match=r"the 'min_lr' parameter has 3 values, the "
                                          r"optimizer has 2 parameter group\(s\)"):
        ReduceLROnPlateau(make_optimizer(groups=2), min_lr=[0.1, 0.1, 0.1])
