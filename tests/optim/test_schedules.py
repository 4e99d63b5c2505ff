"""Learning-rate schedules against their closed forms, plus checks and state dicts."""

import math

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ConfigError, StateDictError
from minnet.optim.plateau import ReduceLROnPlateau
from minnet.optim.schedules import CosineAnnealingLR, ExponentialLR, LinearWarmup, StepLR
from minnet.optim.sgd import SGD


def make_optimizer(lr=0.1):
    return SGD([Parameter(np.ones(3))], lr=lr, momentum=0.9)


def lr_sequence(schedule, steps):
    """The lr at t = 0 (after construction), 1, ..., steps."""
    lrs = [schedule.optimizer.lr]
    for _ in range(steps):
        schedule.step()
        assert schedule.get_last_lr() == schedule.optimizer.lr
        lrs.append(schedule.optimizer.lr)
    return np.array(lrs)


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (7, 0.9), (2, 1.5)])
def test_step_lr_closed_form(step_size, gamma):
    schedule = StepLR(make_optimizer(0.2), step_size=step_size, gamma=gamma)
    t = np.arange(31)
    expected = 0.2 * gamma ** (t // step_size)
    np.testing.assert_allclose(lr_sequence(schedule, 30), expected, rtol=1e-13)


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
    np.testing.assert_allclose(lrs, expected, rtol=1e-13, atol=1e-17)
    assert lrs[0] == 0.1
    assert lrs[T_max] == pytest.approx(eta_min, abs=1e-17)


def test_cosine_to_zero_sets_lr_zero_and_the_optimizer_still_steps():
    optimizer = make_optimizer(0.1)
    schedule = CosineAnnealingLR(optimizer, T_max=4)
    for _ in range(4):
        schedule.step()
    assert optimizer.lr == 0.0
    param = optimizer.params[0]
    before = param.data.copy()
    param.grad[...] = 1.0
    optimizer.step()
    np.testing.assert_array_equal(param.data, before)


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
    assert schedule.base_lr == 0.1
    lrs = lr_sequence(schedule, 40)
    expected = []
    for t in range(41):
        if t < 5:
            expected.append(0.1 * (t + 1) / 5)
        else:
            expected.append(1e-3 + (0.1 - 1e-3) * (1 + math.cos(math.pi * (t - 5) / 20)) / 2)
    np.testing.assert_allclose(lrs, expected, rtol=1e-13)
    assert cosine.last_epoch == 35
    assert cosine.get_last_lr() == optimizer.lr


def test_linear_warmup_then_step_lr():
    optimizer = make_optimizer(1.0)
    schedule = LinearWarmup(optimizer, 2, after=StepLR(optimizer, step_size=3, gamma=0.5))
    expected = [0.5, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    np.testing.assert_allclose(lr_sequence(schedule, 8), expected, rtol=1e-15)


def test_schedule_records_the_optimizers_current_lr_as_base():
    optimizer = make_optimizer(0.1)
    optimizer.lr = 0.4
    schedule = StepLR(optimizer, step_size=1, gamma=0.5)
    assert schedule.base_lr == 0.4
    schedule.step()
    assert optimizer.lr == 0.2


def test_closed_form_overrides_an_lr_set_by_hand():
    optimizer = make_optimizer(0.1)
    schedule = ExponentialLR(optimizer, gamma=0.5)
    optimizer.lr = 0.9
    schedule.step()
    assert optimizer.lr == 0.05


# --- ReduceLROnPlateau --------------------------------------------------------

def plateau_lrs(metrics, **kwargs):
    optimizer = make_optimizer(1.0)
    schedule = ReduceLROnPlateau(optimizer, **kwargs)
    lrs = []
    for metric in metrics:
        schedule.step(metric)
        assert schedule.get_last_lr() == optimizer.lr
        lrs.append(optimizer.lr)
    return lrs


def test_plateau_reduces_after_patience_plus_one_bad_epochs_and_not_before():
    # epoch 0 improves on inf; epochs 1, 2 are bad (patience 2); epoch 3 is the third bad one.
    lrs = plateau_lrs([5.0, 5.0, 6.0, 5.0, 5.0, 5.0, 5.0], factor=0.5, patience=2)
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_plateau_improvement_resets_the_count():
    lrs = plateau_lrs([5.0, 6.0, 6.0, 4.0, 6.0, 6.0, 6.0], factor=0.1, patience=2)
    assert lrs == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1]


def test_plateau_relative_threshold():
    # 1% better than best is not enough with threshold=0.05: every epoch after the first is bad.
    lrs = plateau_lrs([1.0, 0.99, 0.98, 0.97], factor=0.5, patience=1, threshold=0.05)
    assert lrs == [1.0, 1.0, 0.5, 0.5]
    lrs = plateau_lrs([1.0, 0.9, 0.8, 0.7], factor=0.5, patience=1, threshold=0.05)
    assert lrs == [1.0, 1.0, 1.0, 1.0]


def test_plateau_mode_max():
    lrs = plateau_lrs([0.5, 0.6, 0.6, 0.6], factor=0.5, patience=1, mode="max")
    assert lrs == [1.0, 1.0, 1.0, 0.5]


def test_plateau_min_lr_floor_and_nan_counts_as_bad():
    lrs = plateau_lrs([1.0, float("nan"), float("nan"), 2.0], factor=0.1, patience=0,
                      min_lr=0.05)
    assert lrs == [1.0, 0.1, 0.05, 0.05]


def test_plateau_step_needs_a_metric():
    schedule = ReduceLROnPlateau(make_optimizer())
    with pytest.raises(ConfigError, match=r"scheduler.step\(val_loss\)"):
        schedule.step()
    with pytest.raises(ConfigError, match="expected the metric as a float"):
        schedule.step("low")
    with pytest.raises(ConfigError, match="expected the metric as a float"):
        schedule.step(np.ones(2))
    schedule.step(np.float32(0.5))
    assert schedule.best == 0.5


# --- argument checks ------------------------------------------------------------

BAD = [
    (StepLR, dict(step_size=0), "step_size"),
    (StepLR, dict(step_size=2.0), "step_size"),
    (StepLR, dict(step_size=2, gamma=0.0), "gamma"),
    (ExponentialLR, dict(gamma=-0.5), "gamma"),
    (CosineAnnealingLR, dict(T_max=0), "T_max"),
    (CosineAnnealingLR, dict(T_max=10, eta_min=-1.0), "eta_min"),
    (LinearWarmup, dict(warmup_steps=0), "warmup_steps"),
    (LinearWarmup, dict(warmup_steps=3, after="cosine"), "after"),
    (ReduceLROnPlateau, dict(factor=1.0), "factor"),
    (ReduceLROnPlateau, dict(factor=0.0), "factor"),
    (ReduceLROnPlateau, dict(factor=1.5), "factor"),
    (ReduceLROnPlateau, dict(patience=-1), "patience"),
    (ReduceLROnPlateau, dict(mode="avg"), "mode"),
    (ReduceLROnPlateau, dict(threshold=-0.1), "threshold"),
    (ReduceLROnPlateau, dict(min_lr=-1.0), "min_lr"),
]


@pytest.mark.parametrize("cls, kwargs, name", BAD,
                         ids=[f"{c.__name__}-{k}" for c, k, _ in BAD])
def test_bad_argument_raises_naming_schedule_and_parameter(cls, kwargs, name):
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: the '{name}' parameter .*got"):
        cls(make_optimizer(), **kwargs)


def test_schedule_needs_an_optimizer():
    with pytest.raises(ConfigError, match="StepLR: expected an optimizer .*got list"):
        StepLR([Parameter(np.ones(2))], step_size=2)


def test_warmup_after_must_share_the_optimizer_and_be_closed_form():
    optimizer = make_optimizer()
    with pytest.raises(ConfigError, match="same optimizer"):
        LinearWarmup(optimizer, 3, after=CosineAnnealingLR(make_optimizer(), T_max=5))
    with pytest.raises(ConfigError, match="got ReduceLROnPlateau"):
        LinearWarmup(optimizer, 3, after=ReduceLROnPlateau(optimizer))


# --- state dicts ---------------------------------------------------------------------

def build(kind, optimizer):
    if kind == "step":
        return StepLR(optimizer, step_size=3, gamma=0.5)
    if kind == "exponential":
        return ExponentialLR(optimizer, gamma=0.9)
    if kind == "cosine":
        return CosineAnnealingLR(optimizer, T_max=12, eta_min=1e-4)
    if kind == "warmup":
        return LinearWarmup(optimizer, 4, after=CosineAnnealingLR(optimizer, T_max=10))
    return ReduceLROnPlateau(optimizer, factor=0.5, patience=1)


def advance(schedule, steps, rng):
    for _ in range(steps):
        if isinstance(schedule, ReduceLROnPlateau):
            schedule.step(float(rng.uniform(1.0, 2.0)))
        else:
            schedule.step()


@pytest.mark.parametrize("kind", ["step", "exponential", "cosine", "warmup", "plateau"])
def test_schedule_resume_gives_the_same_lrs(kind, tmp_path):
    optimizer = make_optimizer(0.1)
    schedule = build(kind, optimizer)
    advance(schedule, 6, np.random.default_rng(0))
    state = schedule.state_dict()
    assert all(isinstance(value, np.ndarray) and value.dtype != object
               for value in state.values())
    np.savez(tmp_path / "schedule.npz", **state)
    with np.load(tmp_path / "schedule.npz", allow_pickle=False) as archive:
        saved = {key: archive[key] for key in archive.files}

    other = SGD([Parameter(np.ones(3))], lr=0.7, momentum=0.9)
    resumed = build(kind, other)
    other.load_state_dict(optimizer.state_dict())
    resumed.load_state_dict(saved)
    assert resumed.get_last_lr() == schedule.get_last_lr()
    lrs, resumed_lrs = [], []
    for sched, lr_list in ((schedule, lrs), (resumed, resumed_lrs)):
        rng = np.random.default_rng(1)
        for _ in range(8):
            advance(sched, 1, rng)
            lr_list.append(sched.optimizer.lr)
    assert lrs == resumed_lrs
    assert len(set(lrs)) > 1  # the schedule really moves over these steps


def test_schedule_state_dict_errors():
    optimizer = make_optimizer()
    state = StepLR(optimizer, step_size=3).state_dict()
    with pytest.raises(StateDictError, match="saved by 'StepLR', not by ExponentialLR"):
        ExponentialLR(optimizer, gamma=0.5).load_state_dict(state)
    del state["gamma"]
    with pytest.raises(StateDictError, match=r'Missing key\(s\) in state_dict: "gamma"'):
        StepLR(optimizer, step_size=3).load_state_dict(state)
    warmup = LinearWarmup(optimizer, 2, after=StepLR(optimizer, step_size=3))
    with pytest.raises(StateDictError, match=r'Missing key\(s\).*"after.type"'):
        warmup.load_state_dict(LinearWarmup(optimizer, 2).state_dict())
    bad = StepLR(optimizer, step_size=3).state_dict()
    bad["step_size"] = np.array(0)
    schedule = StepLR(optimizer, step_size=5)
    with pytest.raises(ConfigError, match="StepLR: the 'step_size' parameter"):
        schedule.load_state_dict(bad)
    assert schedule.step_size == 5
