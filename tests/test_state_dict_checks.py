"""load_state_dict refuses values it cannot load, naming the key, and changes nothing then."""

import numpy as np
import pytest

import minnet as mn
from minnet import errors
from minnet.core import Sequential
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d


def model_and_state():
    model = Sequential(Linear(3, 3, rng=0), BatchNorm1d(3))
    return model, model.state_dict()


BAD_VALUES = [
    ("0.weight", None, r"0.weight: expected a float array of shape \(3, 3\), got None"),
    ("0.bias", np.array([1.0, None, 2.0], dtype=object), "0.bias.*Python objects"),
    ("0.bias", np.ones(3, dtype=complex), "0.bias.*complex numbers"),
    ("0.bias", np.array(["a", "b", "c"]), "0.bias.*strings"),
    ("1.running_mean", [[1.0, 2.0], [3.0]], "1.running_mean.*ragged|1.running_mean.*list"),
    ("1.num_batches_tracked", np.array(1.5),
     "1.num_batches_tracked: expected an integer array.*1.5.*not a whole number"),
    ("1.num_batches_tracked", np.array(np.nan), "1.num_batches_tracked.*not a whole number"),
    ("1.num_batches_tracked", np.array(-1), "1.num_batches_tracked.*negative"),
    ("1.running_var", -np.ones(3), "1.running_var.*negative"),
]


@pytest.mark.parametrize("key, value, match", BAD_VALUES)
@pytest.mark.parametrize("strict", [True, False])
def test_a_bad_value_is_a_state_dict_error_naming_the_key(key, value, match, strict):
    model, state = model_and_state()
    before = model.state_dict()
    state[key] = value
    with pytest.raises(errors.StateDictError, match=match):
        model.load_state_dict(state, strict=strict)
    after = model.state_dict()
    for name in before:  # nothing changed, not even the keys checked before the bad one
        np.testing.assert_array_equal(after[name], before[name])


def test_every_problem_is_reported_at_once():
    model, state = model_and_state()
    state["0.weight"] = None
    state["1.running_var"] = -np.ones(3)
    state["1.num_batches_tracked"] = np.array(0.5)
    with pytest.raises(errors.StateDictError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert all(key in message for key in ("0.weight", "1.running_var", "1.num_batches_tracked"))


def test_whole_numbers_of_any_numeric_kind_load_into_the_counter():
    model, state = model_and_state()
    for value in (np.array(7.0), np.array(7, dtype=np.int32), np.array(7, dtype=np.uint8)):
        state["1.num_batches_tracked"] = value
        model.load_state_dict(state)
        counter = model[1].num_batches_tracked
        assert counter.dtype == np.int64 and counter == 7


def test_ints_and_bools_load_into_float_parameters():
    model, state = model_and_state()
    state["0.bias"] = np.array([1, 0, 2])
    model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].bias.data, [1.0, 0.0, 2.0])


def test_nan_running_statistics_load_as_pytorch_lets_them():
    # A model trained on an inf input carries NaN statistics; loading them is
    # not an error (the doctor reports non-finite values), a negative variance is.
    model, state = model_and_state()
    state["1.running_var"] = np.array([np.nan, 1.0, 2.0])
    model.load_state_dict(state)
    assert np.isnan(model[1].running_var[0])


@pytest.mark.parametrize("given, match", [
    (Linear(3, 3, rng=0), "got Linear.*pass other.state_dict"),
    ([("weight", np.ones((3, 3)))], "got list"),
    (None, "got NoneType"),
])
def test_something_that_is_not_a_dict_is_refused(given, match):
    with pytest.raises(errors.StateDictError, match=match):
        Linear(3, 3, rng=0).load_state_dict(given)


def test_a_checkpoint_loads_into_the_model_that_wrote_it(tmp_path):
    model, _ = model_and_state()
    model(np.arange(6.0).reshape(2, 3))  # moves the running statistics
    model.backward(np.ones((2, 3)))
    mn.save(model, tmp_path / "m.npz")
    fresh, _ = model_and_state()
    fresh.load_state_dict(mn.load(tmp_path / "m.npz"))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value)
