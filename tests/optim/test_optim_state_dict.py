"""Optimizer state_dict: flat plain arrays, exact round trip with parameter groups,
bit-identical resume, the format before groups still read, clear errors."""

import numpy as np
import pytest
from optim_references import legacy_checkpoint  # tests/optim/

from minnet.core import Parameter
from minnet.errors import ConfigError, StateDictError
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 4), (4,), ()]
CONFIGS = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    (Adagrad, dict(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1)),
    (RMSprop, dict(lr=0.01, momentum=0.5)),
    (RMSprop, dict(lr=0.01, centered=True, weight_decay=0.1)),
    (Adam, dict(lr=0.01, weight_decay=0.1)),
    (Adam, dict(lr=0.01, amsgrad=True)),
    (AdamW, dict(lr=0.01, betas=(0.8, 0.99))),
]
IDS = [f"{cls.__name__}-{kwargs}" for cls, kwargs in CONFIGS]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.normal(size=shape).astype(dtype)) for shape in SHAPES]


def grouped(cls, kwargs, params):
    """Two groups: the first with the given options, the second with its own lr."""
    return cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], **kwargs)


def train(optimizer, params, rng, steps, skip=()):
    for step in range(steps):
        optimizer.zero_grad()
        for index, param in enumerate(params):
            if (step, index) not in skip:
                param.add_grad(rng.normal(size=param.shape))
        optimizer.step()


def save_and_load(state_dict, path):
    """Through a real .npz file, read back without pickle."""
    np.savez(path, **state_dict)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
def test_state_dict_is_flat_and_plain(cls, kwargs):
    params = make_params()
    optimizer = grouped(cls, kwargs, params)
    train(optimizer, params, np.random.default_rng(1), steps=2, skip={(0, 2), (1, 2)})
    state = optimizer.state_dict()
    assert all(isinstance(key, str) for key in state)
    assert all(isinstance(value, np.ndarray) and value.dtype != object
               for value in state.values())
    assert state["type"] == cls.__name__
    np.testing.assert_array_equal(state["param_groups.0.params"], [0])
    np.testing.assert_array_equal(state["param_groups.1.params"], [1, 2])
    assert state["param_groups.0.lr"] == kwargs["lr"] and state["param_groups.1.lr"] == 0.05
    for key in cls.hyperparameter_names:
        np.testing.assert_array_equal(state[f"param_groups.1.{key}"],
                                      optimizer.param_groups[1][key])
    assert not any(key.startswith("state.2.") for key in state)  # never reached: no state
    for name, buffer in optimizer.state[0].items():
        if name == "step":
            assert state["state.0.step"] == 2 and state["state.0.step"].dtype == np.int64
        else:
            state[f"state.0.{name}"][...] = 123.0  # a copy, not a view
            assert not np.any(buffer == 123.0)
    state_keys = {key for key in state if key.startswith("state.")}
    assert state_keys == {f"state.{i}.{name}" for i in range(3) for name in optimizer.state[i]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
def test_resume_with_groups_is_bit_identical(cls, kwargs, dtype, tmp_path):
    params = make_params(dtype=dtype)
    optimizer = grouped(cls, kwargs, params)
    train(optimizer, params, np.random.default_rng(1), steps=3, skip={(1, 2), (2, 0)})
    saved = save_and_load(optimizer.state_dict(), tmp_path / "optimizer.npz")

    copies = [Parameter(param.data.copy()) for param in params]
    resumed = cls([{"params": copies[:1]}, {"params": copies[1:]}], lr=0.5)
    resumed.load_state_dict(saved)
    for ours, theirs in zip(resumed.param_groups, optimizer.param_groups, strict=True):
        assert {k: v for k, v in ours.items() if k != "params"} == \
               {k: v for k, v in theirs.items() if k != "params"}

    train(optimizer, params, np.random.default_rng(2), steps=2, skip={(0, 1)})
    train(resumed, copies, np.random.default_rng(2), steps=2, skip={(0, 1)})
    for original, copy in zip(params, copies, strict=True):
        assert copy.data.dtype == dtype
        np.testing.assert_array_equal(original.data, copy.data)
    for key, value in optimizer.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[key], value)


def test_resume_differs_without_loading():
    # The resume test above would be vacuous if a fresh optimizer behaved the same.
    params = make_params()
    optimizer = Adam(params, lr=0.01)
    train(optimizer, params, np.random.default_rng(1), steps=3)
    copies = [Parameter(param.data.copy()) for param in params]
    fresh = Adam(copies, lr=0.01)
    train(optimizer, params, np.random.default_rng(2), steps=2)
    train(fresh, copies, np.random.default_rng(2), steps=2)
    assert not np.array_equal(params[0].data, copies[0].data)


def test_schedule_keys_and_a_zero_lr_survive_a_round_trip():
    optimizer = SGD(make_params(), lr=0.1)
    optimizer._set_scheduled_lr(0.0)
    optimizer.param_groups[0].setdefault("initial_lr", 0.1)
    fresh = SGD(make_params(), lr=0.3)
    fresh.load_state_dict(optimizer.state_dict())
    assert fresh.lr == 0.0 and fresh.param_groups[0]["initial_lr"] == 0.1
    plain = SGD(make_params(), lr=0.3).state_dict()
    fresh.load_state_dict(plain)  # the saved groups replace the current ones whole
    assert "initial_lr" not in fresh.param_groups[0] and fresh.lr == 0.3


@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("adam", Adam), ("rmsprop", RMSprop),
                                       ("adagrad", Adagrad)])
def test_a_state_dict_of_the_format_before_groups_resumes_as_the_old_code_did(name, cls):
    saved = legacy_checkpoint(name)  # by minnet before parameter groups
    assert "lr" in saved["optimizer"] and "step" in saved["optimizer"]
    params = [Parameter(value) for _, value in sorted(saved["params"].items())]
    optimizer = cls(params, lr=0.5)
    optimizer.load_state_dict(saved["optimizer"])
    grads = saved["grads"]
    for step in range(2):
        optimizer.zero_grad()
        for index, param in enumerate(params):
            param.add_grad(grads[f"{step}.{index}"])
        optimizer.step()
    for index, param in enumerate(params):
        np.testing.assert_array_equal(param.data, saved["after"][str(index)])


def test_a_legacy_state_dict_saved_before_any_step_gives_no_state():
    legacy = {"type": np.array("SGD"), "lr": np.array(0.1), "step": np.array(0),
              "momentum": np.array(0.9), "nesterov": np.array(False),
              "weight_decay": np.array(0.0), "state.0.momentum_buffer": np.zeros((3, 4)),
              "state.1.momentum_buffer": np.zeros(4), "state.2.momentum_buffer": np.zeros(())}
    optimizer = SGD(make_params(), lr=0.5, momentum=0.9, dampening=0.5)
    optimizer.load_state_dict(legacy)
    assert optimizer.state == [{}, {}, {}] and optimizer.dampening == 0.0
    del legacy["step"]
    with pytest.raises(StateDictError, match=r'Missing key\(s\) in state_dict: "step"'):
        optimizer.load_state_dict(legacy)


def loaded_state():
    optimizer = Adam(make_params(), lr=0.01)
    train(optimizer, optimizer.params, np.random.default_rng(1), steps=1)
    return optimizer.state_dict()


def test_wrong_optimizer_type_raises():
    with pytest.raises(StateDictError, match="saved by 'Adam', not by AdamW"):
        AdamW(make_params()).load_state_dict(loaded_state())
    with pytest.raises(StateDictError, match="saved by 'Adam', not by SGD"):
        SGD(make_params(), lr=0.1).load_state_dict(loaded_state())


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("state.1.exp_avg_sq"), r'Missing key\(s\) in state_dict: '
                                            r'"state.1.exp_avg_sq"'),
    (lambda s: s.pop("state.1.step"), r'Missing key\(s\) in state_dict: "state.1.step"'),
    (lambda s: s.pop("param_groups.0.betas"), r'Missing key\(s\) in state_dict: '
                                              r'"param_groups.0.betas"'),
    (lambda s: s.update({"state.3.exp_avg": np.zeros(3)}),
     r'Unexpected key\(s\) in state_dict: "state.3.exp_avg"'),
    (lambda s: s.update({"state.0.momentum_buffer": np.zeros((3, 4))}),
     r'Unexpected key\(s\) in state_dict: "state.0.momentum_buffer"'),
    (lambda s: s.update({"param_groups.0.maximize": np.array(False)}),
     r'Unexpected key\(s\) in state_dict: "param_groups.0.maximize"'),
    (lambda s: s.update({"state.0.exp_avg": np.zeros((4, 3))}),
     r"size mismatch for state.0.exp_avg: copying a value with shape \(4, 3\).*is \(3, 4\)"),
    (lambda s: s.update({"param_groups.0.params": np.array([0, 1])}),
     r"size mismatch for param_groups.0.params"),
    (lambda s: s.update({"param_groups.0.params": np.array([2, 1, 0])}),
     r"'param_groups.0.params' holds the parameter indices \[2, 1, 0\], this optimizer's "
     r"group 0 holds \[0, 1, 2\]"),
    (lambda s: s.update({"param_groups.1.lr": np.array(0.1)}),
     r"holds parameter groups \['0', '1'\], this optimizer has 1 group\(s\)"),
    (lambda s: s.update({"state.0.exp_avg": np.full((3, 4), "x")}),
     r"'state.0.exp_avg' holds an array of dtype <U1, expected a numeric array"),
    (lambda s: s.update({"state.0.step": np.array(1.5)}),
     r"'state.0.step' holds an array of dtype float64, expected an integer array"),
    (lambda s: s.update({"state.0.exp_avg": np.zeros((3, 4), complex)}),
     r"'state.0.exp_avg' holds an array of dtype complex128"),
    (lambda s: s.update({"param_groups.0.lr": np.array(None)}),
     r"'param_groups.0.lr' holds an array of dtype object"),
    # before: AttributeError ('int' object has no attribute 'startswith') and NumPy's ValueError
    (lambda s: s.update({3: np.zeros(2)}), r"expected a dict of str -> ndarray .*got the key 3"),
    (lambda s: s.update({"state.0.exp_avg": [[1.0], [2.0, 3.0]]}),
     r"'state.0.exp_avg' holds a ragged sequence of type list, not an array"),
])
def test_bad_state_dicts_raise_and_change_nothing(change, message):
    state = loaded_state()
    change(state)
    optimizer = Adam(make_params(), lr=0.02)
    train(optimizer, optimizer.params, np.random.default_rng(3), steps=1)
    before = optimizer.state_dict()
    with pytest.raises(StateDictError, match=message):
        optimizer.load_state_dict(state)
    for key, value in optimizer.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("key, value, message", [
    ("param_groups.0.betas", np.array([0.9, 1.5]), r"Adam: the 'betas\[1\]' parameter"),
    ("param_groups.0.lr", np.array(-1.0), r"Adam: the 'lr' parameter"),
    ("param_groups.0.amsgrad", np.array(2.0), r"Adam: the 'amsgrad' parameter must be a bool"),
    ("state.0.step", np.array(-1), r"Adam: the 'state.0.step' parameter must be an int >= 0"),
])
def test_invalid_saved_values_raise_config_error_and_change_nothing(key, value, message):
    state = loaded_state()
    state[key] = value
    optimizer = Adam(make_params(), lr=0.02)
    before = optimizer.state_dict()
    with pytest.raises(ConfigError, match=message):
        optimizer.load_state_dict(state)
    for name, saved in optimizer.state_dict().items():
        np.testing.assert_array_equal(saved, before[name])


def test_not_a_dict_raises():
    with pytest.raises(StateDictError, match="expected a dict"):
        Adam(make_params()).load_state_dict([1, 2])


def test_sgd_state_follows_what_was_stepped():
    plain = SGD(make_params(), lr=0.1)
    train(plain, plain.params, np.random.default_rng(0), steps=1)
    assert not any(key.startswith("state.") for key in plain.state_dict())
    with_momentum = SGD(make_params(), lr=0.1, momentum=0.9)
    with_momentum.load_state_dict(plain.state_dict())
    assert with_momentum.momentum == 0.0 and with_momentum.state == [{}, {}, {}]
    state = plain.state_dict()
    state["param_groups.0.momentum"] = np.array(0.9)  # no buffer yet: a first momentum step
    with_momentum.load_state_dict(state)
    assert with_momentum.momentum == 0.9
