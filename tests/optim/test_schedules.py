"""Learning-rate schedules: closed forms when alone, PyTorch's chainable rules when
composed, initial_lr and base_lrs over groups, get_last_lr lists, argument checks."""

import math

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ArgumentError, ConfigError
from minnet.optim import (
    SGD,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearWarmup,
    MultiStepLR,
    ReduceLROnPlateau,
    StepLR,
)


def make_optimizer(lr=0.1, groups=1):
    return SGD([{"params": [Parameter(np.ones(3))], "lr": lr / 2 ** index}
                for index in range(groups)], lr=lr, momentum=0.9)


def lr_sequence(schedule, steps):
    """The lr of group 0 at t = 0 (after construction), 1, ..., steps."""
    groups = schedule.optimizer.param_groups
    lrs = [groups[0]["lr"]]
    for _ in range(steps):
        schedule.step()
        assert schedule.get_last_lr() == [group["lr"] for group in groups]
        lrs.append(groups[0]["lr"])
    return np.array(lrs)


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (7, 0.9), (2, 1.5)])
def test_step_lr_closed_form(step_size, gamma):
    schedule = StepLR(make_optimizer(0.2), step_size=step_size, gamma=gamma)
    t = np.arange(31)
    expected = 0.2 * gamma ** (t // step_size)
    np.testing.assert_allclose(lr_sequence(schedule, 30), expected, rtol=1e-13)


def test_multistep_lr_closed_form_with_a_repeated_milestone():
    schedule = MultiStepLR(make_optimizer(1.0), milestones=[6, 2, 6], gamma=0.5)
    assert schedule.milestones == (2, 6, 6)
    expected = [1, 1, 0.5, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125]
    np.testing.assert_allclose(lr_sequence(schedule, 8), expected, rtol=1e-15)


@pytest.mark.parametrize("gamma", [0.5, 0.95, 1.0])
def test_exponential_lr_closed_form(gamma):
    schedule = ExponentialLR(make_optimizer(0.3), gamma=gamma)
    expected = 0.3 * gamma ** np.arange(41)
    np.testing.assert_allclose(lr_sequence(schedule, 40), expected, rtol=1e-13)


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (25, 1e-3), (1, 0.01)])
def test_cosine_annealing_closed_form_past_t_max(T_max, eta_min):
    schedule = CosineAnnealingLR(make_optimizer(0.1), T_max=T_max, eta_min=eta_min)
    t = np.arange(2 * T_max + 4)
    expected = eta_min + (0.1 - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2
    lrs = lr_sequence(schedule, len(t) - 1)
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-17)
    assert lrs[0] == 0.1
    assert lrs[T_max] == pytest.approx(eta_min, abs=1e-17)


def test_lambda_lr_one_function_and_one_per_group():
    optimizer = make_optimizer(0.4, groups=2)
    schedule = LambdaLR(optimizer, lambda t: 1 / (t + 1))
    assert schedule.get_last_lr() == [0.4, 0.2]
    schedule.step()
    assert schedule.get_last_lr() == [0.2, 0.1]
    optimizer = make_optimizer(0.4, groups=2)
    schedule = LambdaLR(optimizer, [lambda t: 0.5 ** t, lambda t: t + 1])
    for _ in range(3):
        schedule.step()
    assert schedule.get_last_lr() == [0.4 * 0.125, 0.2 * 4]


def test_cosine_to_zero_sets_lr_zero_and_the_optimizer_still_steps():
    optimizer = make_optimizer(0.1)
    schedule = CosineAnnealingLR(optimizer, T_max=4)
    for _ in range(4):
        schedule.step()
    assert optimizer.lr == pytest.approx(0.0, abs=1e-18)
    param = optimizer.params[0]
    before = param.data.copy()
    param.add_grad(np.ones(3))
    optimizer.step()
    np.testing.assert_allclose(param.data, before, atol=1e-17)


@pytest.mark.parametrize("warmup_steps", [1, 4, 10])
def test_linear_warmup_alone(warmup_steps):
    schedule = LinearWarmup(make_optimizer(0.6), warmup_steps=warmup_steps)
    t = np.arange(3 * warmup_steps + 2)
    expected = np.where(t < warmup_steps, 0.6 * (t + 1) / warmup_steps, 0.6)
    np.testing.assert_allclose(lr_sequence(schedule, len(t) - 1), expected, rtol=1e-14)


def test_linear_warmup_then_cosine():
    optimizer = make_optimizer(0.1)
    cosine = CosineAnnealingLR(optimizer, T_max=20, eta_min=1e-3)
    schedule = LinearWarmup(optimizer, warmup_steps=5, after=cosine)
    assert schedule.base_lrs == [0.1] and cosine.base_lrs == [0.1]
    lrs = lr_sequence(schedule, 40)
    expected = [0.1 * (t + 1) / 5 if t < 5 else
                1e-3 + (0.1 - 1e-3) * (1 + math.cos(math.pi * (t - 5) / 20)) / 2
                for t in range(41)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert cosine.last_epoch == 35 and schedule.last_epoch == 40
    assert cosine.get_last_lr() == [optimizer.lr]


def test_linear_warmup_then_step_lr():
    optimizer = make_optimizer(1.0)
    schedule = LinearWarmup(optimizer, 2, after=StepLR(optimizer, step_size=3, gamma=0.5))
    expected = [0.5, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    np.testing.assert_allclose(lr_sequence(schedule, 8), expected, rtol=1e-15)


# --- chaining, initial_lr, groups (PyTorch's rules) ---------------------------------

def test_two_schedules_on_one_optimizer_multiply():
    # The last schedule stepped used to win; PyTorch's chainable form multiplies.
    optimizer = SGD([Parameter(np.ones(3))], lr=1.0)
    exponential, step = ExponentialLR(optimizer, 0.9), StepLR(optimizer, 2, 0.5)
    for t in range(1, 7):
        exponential.step()
        step.step()
        assert optimizer.lr == pytest.approx(0.9 ** t * 0.5 ** (t // 2), rel=1e-14)


def test_warmup_composes_with_a_schedule_stepped_with_it():
    optimizer = make_optimizer(1.0)
    warmup, decay = LinearWarmup(optimizer, 4), ExponentialLR(optimizer, 0.5)
    for t in range(1, 8):
        warmup.step()
        decay.step()
        assert optimizer.lr == pytest.approx(min(t + 1, 4) / 4 * 0.5 ** t, rel=1e-14)


def test_an_lr_set_by_hand_carries_on():
    optimizer = make_optimizer(0.1)
    schedule = ExponentialLR(optimizer, gamma=0.5)
    optimizer.lr = 0.9
    schedule.step()
    assert optimizer.lr == 0.45


def test_initial_lr_is_recorded_once_and_base_lrs_come_from_it():
    optimizer = make_optimizer(0.4, groups=2)
    first = StepLR(optimizer, step_size=1, gamma=0.5)
    assert [group["initial_lr"] for group in optimizer.param_groups] == [0.4, 0.2]
    first.step()
    second = ExponentialLR(optimizer, gamma=0.9)  # built later: keeps the recorded lrs
    assert second.base_lrs == [0.4, 0.2] == first.base_lrs
    assert optimizer.param_groups[0]["initial_lr"] == 0.4
    assert second.get_last_lr() == [0.2, 0.1]  # construction leaves the lr as it is


def test_get_last_lr_is_a_list_with_one_lr_per_group():
    schedule = StepLR(SGD([Parameter(np.ones(3))], lr=0.4), step_size=1, gamma=0.5)
    assert schedule.get_last_lr() == [0.4]  # a list even for one group, as PyTorch's
    optimizer = make_optimizer(0.4, groups=3)
    schedule = StepLR(optimizer, step_size=1, gamma=0.5)
    schedule.step()
    last = schedule.get_last_lr()
    assert last == [0.2, 0.1, 0.05]
    last[0] = 123.0  # a copy
    assert schedule.get_last_lr()[0] == 0.2


@pytest.mark.parametrize("build", [lambda o: StepLR(o, 2), lambda o: ReduceLROnPlateau(o)])
def test_a_group_added_after_the_schedule_is_a_clear_error(build):
    optimizer = make_optimizer()
    schedule = build(optimizer)
    optimizer.add_param_group({"params": [Parameter(np.ones(2))]})
    with pytest.raises(ConfigError, match=r"\.step: the optimizer has 2 parameter groups, but "
                                          r"had 1 when this schedule was built"):
        schedule.step(1.0) if isinstance(schedule, ReduceLROnPlateau) else schedule.step()


def test_a_refused_lr_leaves_the_schedule_as_it_was():
    optimizer = make_optimizer(0.1)
    schedule = LambdaLR(optimizer, lambda t: 1.0 if t < 2 else -1.0)
    schedule.step()
    with pytest.raises(ConfigError, match=r"LambdaLR: lr_lambda for param_groups\[0\] returned "
                                          r"-1.0 at step 2; it must return a finite float >= 0"):
        schedule.step()
    assert schedule.last_epoch == 1 and optimizer.lr == 0.1


def test_an_lr_overflowing_to_inf_is_an_error():
    schedule = ExponentialLR(make_optimizer(1e300), gamma=1e10)
    with pytest.raises(ConfigError, match=r"ExponentialLR.step: computed the lr inf for "
                                          r"param_groups\[0\] at step 1"):
        schedule.step()


# --- argument checks ------------------------------------------------------------

BAD = [
    (StepLR, dict(step_size=0), "step_size"),
    (StepLR, dict(step_size=2.0), "step_size"),
    (StepLR, dict(step_size=2, gamma=0.0), "gamma"),
    (MultiStepLR, dict(milestones=5), "milestones"),
    (MultiStepLR, dict(milestones=[3, -1]), "milestones"),
    (MultiStepLR, dict(milestones=[3, 4.5]), "milestones"),
    (MultiStepLR, dict(milestones=[3], gamma=-1.0), "gamma"),
    (ExponentialLR, dict(gamma=-0.5), "gamma"),
    (CosineAnnealingLR, dict(T_max=0), "T_max"),
    (CosineAnnealingLR, dict(T_max=10, eta_min=-1.0), "eta_min"),
    (LambdaLR, dict(lr_lambda=0.5), "lr_lambda"),
    (LambdaLR, dict(lr_lambda=[abs, 0.5]), r"lr_lambda\[1\]"),
    (LinearWarmup, dict(warmup_steps=0), "warmup_steps"),
    (LinearWarmup, dict(warmup_steps=3, after="cosine"), "after"),
    (ReduceLROnPlateau, dict(factor=1.0), "factor"),
    (ReduceLROnPlateau, dict(factor=0.0), "factor"),
    (ReduceLROnPlateau, dict(factor=1.5), "factor"),
    (ReduceLROnPlateau, dict(patience=-1), "patience"),
    (ReduceLROnPlateau, dict(mode="avg"), "mode"),
    (ReduceLROnPlateau, dict(threshold=-0.1), "threshold"),
    (ReduceLROnPlateau, dict(min_lr=-1.0), "min_lr"),
    (ReduceLROnPlateau, dict(min_lr=[0.1, -1.0]), r"min_lr\[1\]"),
    (ReduceLROnPlateau, dict(threshold_mode="relative"), "threshold_mode"),
    (ReduceLROnPlateau, dict(cooldown=-1), "cooldown"),
    (ReduceLROnPlateau, dict(cooldown=1.5), "cooldown"),
    (ReduceLROnPlateau, dict(eps=-1e-8), "eps"),
    (CosineAnnealingWarmRestarts, dict(T_0=0), "T_0"),
    (CosineAnnealingWarmRestarts, dict(T_0=2.5), "T_0"),
    (CosineAnnealingWarmRestarts, dict(T_0=2, T_mult=0), "T_mult"),
    (CosineAnnealingWarmRestarts, dict(T_0=2, eta_min=-0.1), "eta_min"),
]


@pytest.mark.parametrize("cls, kwargs, name", BAD, ids=[f"{c.__name__}-{k}" for c, k, _ in BAD])
def test_bad_argument_raises_naming_schedule_and_parameter(cls, kwargs, name):
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: the '{name}' parameter .*"):
        cls(make_optimizer(groups=2), **kwargs)


def test_lambda_list_must_have_one_function_per_group():
    with pytest.raises(ConfigError, match=r"LambdaLR: the 'lr_lambda' parameter has 1 values, "
                                          r"the optimizer has 2 parameter group\(s\)"):
        LambdaLR(make_optimizer(groups=2), [abs])


def test_schedule_needs_an_optimizer():
    with pytest.raises(ConfigError, match="StepLR: expected an optimizer .*got list"):
        StepLR([Parameter(np.ones(2))], step_size=2)


def test_warmup_after_must_share_the_optimizer_and_need_no_metric():
    optimizer = make_optimizer()
    with pytest.raises(ConfigError, match="same optimizer"):
        LinearWarmup(optimizer, 3, after=CosineAnnealingLR(make_optimizer(), T_max=5))
    with pytest.raises(ConfigError, match="without a metric .*got ReduceLROnPlateau"):
        LinearWarmup(optimizer, 3, after=ReduceLROnPlateau(optimizer))


@pytest.mark.parametrize("build, message", [
    (lambda optimizer: StepLR(optimizer, 2, gama=0.5), "StepLR: unknown argument 'gama'; did "
     "you mean 'gamma'?"),
    (lambda optimizer: CosineAnnealingLR(optimizer, T_max=5, last_epoch=-1), "CosineAnnealingLR: "
     "unknown argument 'last_epoch'"),
    (lambda optimizer: ReduceLROnPlateau(optimizer, 0.1, 10, "min", 1e-4, 0.0, "rel"),
     "ReduceLROnPlateau: too many positional arguments"),
])
def test_a_wrong_argument_is_an_argument_error_naming_the_schedule(build, message):
    """Before: Python's 'StepLR.__init__() got an unexpected keyword argument' (no
    MinnetError)."""
    with pytest.raises(ArgumentError) as info:
        build(make_optimizer())
    assert str(info.value).startswith(message)
