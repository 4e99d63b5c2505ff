"""Schedule state dicts: flat and npz-able, bit-identical resume with parameter groups
(with the optimizer's state dict), the format before groups still read, clear errors."""

import numpy as np
import pytest
from optim_references import legacy_checkpoint  # tests/optim/

from minnet.core import Parameter
from minnet.errors import ConfigError, StateDictError
from minnet.optim import (
    SGD,
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

BUILDERS = {
    "step": lambda o: StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: MultiStepLR(o, [2, 8, 8, 11], gamma=0.5),
    "exponential": lambda o: ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: CosineAnnealingLR(o, T_max=12, eta_min=1e-4),
    "lambda": lambda o: LambdaLR(o, lambda t: 0.9 ** t),
    "warmup": lambda o: LinearWarmup(o, 4, after=CosineAnnealingLR(o, T_max=10)),
    "restarts": lambda o: CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "one-cycle": lambda o: OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20),
    "plateau": lambda o: ReduceLROnPlateau(o, factor=0.5, patience=1, cooldown=1,
                                           min_lr=[0.0, 0.01]),
}


def make_optimizer(lr=0.1):
    return SGD([{"params": [Parameter(np.ones(3))]},
                {"params": [Parameter(np.ones(2))], "lr": lr / 4}], lr=lr, momentum=0.9)


def advance(schedule, steps, rng):
    for _ in range(steps):
        if isinstance(schedule, ReduceLROnPlateau):
            schedule.step(float(rng.uniform(1.0, 2.0)))
        else:
            schedule.step()


def through_npz(state, path):
    np.savez(path, **state)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize("kind", BUILDERS)
def test_schedule_resume_gives_the_same_lrs(kind, tmp_path):
    optimizer = make_optimizer()
    schedule = BUILDERS[kind](optimizer)
    advance(schedule, 6, np.random.default_rng(0))
    state = schedule.state_dict()
    assert all(isinstance(value, np.ndarray) and value.dtype != object
               for value in state.values())
    saved = through_npz(state, tmp_path / "schedule.npz")
    saved_optimizer = through_npz(optimizer.state_dict(), tmp_path / "optimizer.npz")

    other = make_optimizer(lr=0.7)
    resumed = BUILDERS[kind](other)  # PyTorch's order: build, then load both
    other.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved)
    assert resumed.get_last_lr() == schedule.get_last_lr()
    lrs, resumed_lrs = [], []
    for sched, lr_list in ((schedule, lrs), (resumed, resumed_lrs)):
        rng = np.random.default_rng(1)
        for _ in range(8):
            advance(sched, 1, rng)
            lr_list.append(sched.get_last_lr())
    assert lrs == resumed_lrs
    assert len({lr[0] for lr in lrs}) > 1  # the schedule really moves over these steps


@pytest.mark.parametrize("name, build", [
    ("step", lambda o: StepLR(o, 2, 0.5)),
    ("warmup", lambda o: LinearWarmup(o, 3, after=CosineAnnealingLR(o, T_max=6))),
    ("plateau", lambda o: ReduceLROnPlateau(o, factor=0.5, patience=1)),
])
def test_a_schedule_state_dict_of_the_format_before_groups_resumes_as_before(name, build):
    saved = legacy_checkpoint(name)  # by minnet before parameter groups
    assert "base_lr" in saved["schedule"] or "min_lr" in saved["schedule"]
    optimizer = SGD([Parameter(np.ones(2))], lr=0.1)
    schedule = build(optimizer)
    optimizer.load_state_dict(saved["optimizer"])
    schedule.load_state_dict(saved["schedule"])
    metrics = [0.99, 1.2, 1.3, 0.5, 0.6]  # make_legacy_checkpoints.METRICS[4:]
    lrs = []
    for metric in metrics:
        schedule.step(metric) if name == "plateau" else schedule.step()
        lrs.append(optimizer.lr)
    np.testing.assert_allclose(lrs, saved["lrs"], rtol=1e-13)


def test_schedule_state_dict_errors():
    optimizer = make_optimizer()
    state = StepLR(optimizer, step_size=3).state_dict()
    with pytest.raises(StateDictError, match="saved by 'StepLR', not by ExponentialLR"):
        ExponentialLR(optimizer, gamma=0.5).load_state_dict(state)
    with pytest.raises(StateDictError, match="expected a dict"):
        ExponentialLR(optimizer, gamma=0.5).load_state_dict(None)
    missing = dict(state)
    del missing["gamma"]
    with pytest.raises(StateDictError, match=r'Missing key\(s\) in state_dict: "gamma"'):
        StepLR(optimizer, step_size=3).load_state_dict(missing)
    one_group = StepLR(SGD([Parameter(np.ones(2))], lr=0.1), step_size=3).state_dict()
    with pytest.raises(StateDictError, match=r"size mismatch for base_lrs: copying a value "
                                             r"with shape \(1,\).*is \(2,\)"):
        StepLR(optimizer, step_size=3).load_state_dict(one_group)
    text = dict(state, gamma=np.array("0.1"))
    with pytest.raises(StateDictError, match="'gamma' holds an array of dtype <U3"):
        StepLR(optimizer, step_size=3).load_state_dict(text)
    warmup = LinearWarmup(optimizer, 2, after=StepLR(optimizer, step_size=3))
    with pytest.raises(StateDictError, match=r'Missing key\(s\).*"after.type"'):
        warmup.load_state_dict(LinearWarmup(optimizer, 2).state_dict())
    bad = dict(state, step_size=np.array(0))
    schedule = StepLR(optimizer, step_size=5)
    with pytest.raises(ConfigError, match="StepLR: the 'step_size' parameter"):
        schedule.load_state_dict(bad)
    assert schedule.step_size == 5
    negative = dict(state, base_lrs=np.array([0.1, -1.0]))
    with pytest.raises(ConfigError, match="StepLR: the 'base_lrs' parameter"):
        schedule.load_state_dict(negative)
    assert schedule.base_lrs == [0.1, 0.025]


def test_lambda_state_dict_holds_no_function():
    state = LambdaLR(make_optimizer(), lambda t: 0.5).state_dict()
    assert set(state) == {"type", "last_epoch", "base_lrs", "last_lr"}


@pytest.mark.parametrize("kind, key, value, message", [
    ("plateau", "best", np.array(True), r"ReduceLROnPlateau: the 'best' value must be a float"),
    ("plateau", "cooldown_counter", np.array(-1), r"the 'cooldown_counter' parameter must be "
                                                  r"an int >= 0"),
    ("plateau", "min_lrs", np.array([0.0, -0.1]), r"the 'min_lrs' parameter"),
    ("restarts", "T_cur", np.array(-1.0), r"CosineAnnealingWarmRestarts: the 'T_cur' parameter"),
    ("restarts", "T_i", np.array(0), r"CosineAnnealingWarmRestarts: the 'T_i' parameter"),
    ("one-cycle", "anneal_strategy", np.array("exp"), r"OneCycleLR: the 'anneal_strategy'"),
    ("multistep", "milestones", np.array([2, -8, 8, 11]), r"MultiStepLR: the 'milestones'"),
])
def test_invalid_saved_counters_raise_config_error_and_change_nothing(kind, key, value, message):
    schedule = BUILDERS[kind](make_optimizer())
    advance(schedule, 2, np.random.default_rng(0))
    state = schedule.state_dict()
    state[key] = value
    before = schedule.state_dict()
    with pytest.raises(ConfigError, match=message):
        schedule.load_state_dict(state)
    for name, saved in schedule.state_dict().items():
        np.testing.assert_array_equal(saved, before[name])


def test_schedule_state_dict_with_a_foreign_key_or_a_ragged_value():
    """Before: AttributeError and NumPy's 'inhomogeneous shape' ValueError."""
    schedule = StepLR(make_optimizer(), step_size=3)
    state = schedule.state_dict()
    with pytest.raises(StateDictError, match="got the key None"):
        schedule.load_state_dict({**state, None: np.zeros(1)})
    with pytest.raises(StateDictError, match="'base_lrs' holds a ragged sequence"):
        schedule.load_state_dict({**state, "base_lrs": [[0.1], [0.1, 0.2]]})
