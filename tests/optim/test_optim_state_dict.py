"""Optimizer state_dict: flat plain arrays, exact round trip, bit-identical resume, clear errors."""

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ConfigError, StateDictError
from minnet.optim.adagrad import Adagrad
from minnet.optim.adam import Adam, AdamW
from minnet.optim.rmsprop import RMSprop
from minnet.optim.sgd import SGD

SHAPES = [(3, 4), (4,)]
CONFIGS = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (Adagrad, dict(lr=0.1)),
    (RMSprop, dict(lr=0.01, momentum=0.5)),
    (Adam, dict(lr=0.01, weight_decay=0.1)),
    (AdamW, dict(lr=0.01, betas=(0.8, 0.99))),
]
IDS = [f"{cls.__name__}-{kwargs}" for cls, kwargs in CONFIGS]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.normal(size=shape).astype(dtype)) for shape in SHAPES]


def train(optimizer, params, rng, steps):
    for _ in range(steps):
        for param in params:
            param.grad[...] = rng.normal(size=param.shape)
        optimizer.step()


def save_and_load(state_dict, path):
    """Through a real .npz file, read back without pickle."""
    np.savez(path, **state_dict)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
def test_state_dict_is_flat_and_plain(cls, kwargs):
    params = make_params()
    optimizer = cls(params, **kwargs)
    train(optimizer, params, np.random.default_rng(1), steps=2)
    state = optimizer.state_dict()
    assert all(isinstance(key, str) for key in state)
    assert all(isinstance(value, np.ndarray) and value.dtype != object
               for value in state.values())
    assert state["type"] == cls.__name__
    assert state["step"] == 2
    assert state["lr"] == kwargs["lr"]
    for name, buffer in optimizer.state[0].items():
        state[f"state.0.{name}"][...] = 123.0  # a copy, not a view
        assert not np.any(buffer == 123.0)
    state_keys = {key for key in state if key.startswith("state.")}
    assert state_keys == {f"state.{i}.{name}" for i in range(2) for name in optimizer.state[i]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
def test_resume_is_bit_identical(cls, kwargs, dtype, tmp_path):
    params = make_params(dtype=dtype)
    optimizer = cls(params, **kwargs)
    train(optimizer, params, np.random.default_rng(1), steps=3)
    saved = save_and_load(optimizer.state_dict(), tmp_path / "optimizer.npz")

    copies = [Parameter(param.data.copy()) for param in params]
    defaults = {"lr": 0.5} if cls is SGD else {}  # hyperparameters come from the dict
    resumed = cls(copies, **defaults)
    resumed.load_state_dict(saved)
    assert resumed.hyperparameters() == optimizer.hyperparameters()
    assert resumed.lr == optimizer.lr

    train(optimizer, params, np.random.default_rng(2), steps=2)
    train(resumed, copies, np.random.default_rng(2), steps=2)
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


def test_lr_zero_set_by_a_schedule_survives_a_round_trip():
    params = make_params()
    optimizer = SGD(params, lr=0.1)
    optimizer._set_scheduled_lr(0.0)
    state = optimizer.state_dict()
    fresh = SGD(make_params(), lr=0.1)
    fresh.load_state_dict(state)
    assert fresh.lr == 0.0


def loaded_state():
    optimizer = Adam(make_params(), lr=0.01)
    train(optimizer, optimizer.params, np.random.default_rng(1), steps=1)
    return optimizer.state_dict()


def test_wrong_optimizer_type_raises():
    with pytest.raises(StateDictError, match="saved by 'Adam', not by AdamW"):
        AdamW(make_params()).load_state_dict(loaded_state())
    with pytest.raises(StateDictError, match="saved by 'Adam', not by SGD"):
        SGD(make_params(), lr=0.1).load_state_dict(loaded_state())


def test_missing_key_raises():
    state = loaded_state()
    del state["state.1.exp_avg_sq"]
    with pytest.raises(StateDictError,
                       match=r'Missing key\(s\) in state_dict: "state.1.exp_avg_sq"'):
        Adam(make_params()).load_state_dict(state)


def test_missing_hyperparameter_raises():
    state = loaded_state()
    del state["betas"]
    with pytest.raises(StateDictError, match=r'Missing key\(s\) in state_dict: "betas"'):
        Adam(make_params()).load_state_dict(state)


def test_unexpected_key_raises():
    state = loaded_state()
    state["state.2.exp_avg"] = np.zeros(3)
    with pytest.raises(StateDictError, match=r'Unexpected key\(s\) in state_dict: "state.2'):
        Adam(make_params()).load_state_dict(state)


def test_misshaped_state_raises():
    state = loaded_state()
    state["state.0.exp_avg"] = np.zeros((4, 3))
    with pytest.raises(StateDictError, match=r"size mismatch for state.0.exp_avg: copying a "
                                             r"value with shape \(4, 3\).*is \(3, 4\)"):
        Adam(make_params()).load_state_dict(state)


def test_string_array_in_numeric_slot_raises():
    state = loaded_state()
    state["state.0.exp_avg"] = np.full((3, 4), "x")
    with pytest.raises(StateDictError, match="'state.0.exp_avg' holds an array of dtype <U1"):
        Adam(make_params()).load_state_dict(state)


def test_not_a_dict_raises():
    with pytest.raises(StateDictError, match="expected a dict"):
        Adam(make_params()).load_state_dict([1, 2])


def test_invalid_saved_value_raises_and_changes_nothing():
    state = loaded_state()
    state["betas"] = np.array([0.9, 1.5])
    optimizer = Adam(make_params(), lr=0.02)
    before = optimizer.state_dict()
    with pytest.raises(ConfigError, match=r"Adam: the 'betas\[1\]' parameter"):
        optimizer.load_state_dict(state)
    state = loaded_state()
    state["lr"] = np.array(-1.0)
    with pytest.raises(ConfigError, match="Adam: the 'lr' parameter"):
        optimizer.load_state_dict(state)
    for key, value in optimizer.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_sgd_state_keys_follow_the_saved_momentum():
    plain = SGD(make_params(), lr=0.1)
    with_momentum = SGD(make_params(), lr=0.1, momentum=0.9)
    assert "state.0.momentum_buffer" not in plain.state_dict()
    with_momentum.load_state_dict(plain.state_dict())
    assert with_momentum.momentum == 0.0
    assert "state.0.momentum_buffer" not in with_momentum.state_dict()
    state = plain.state_dict()
    state["momentum"] = np.array(0.9)  # now the buffers are missing
    with pytest.raises(StateDictError, match="Missing key.*state.0.momentum_buffer"):
        SGD(make_params(), lr=0.1).load_state_dict(state)
