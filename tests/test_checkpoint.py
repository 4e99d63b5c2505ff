"""Checkpoints: exact round trips, exact resumption, atomic writes, clear errors on bad files."""

import os

import numpy as np
import pytest

from minnet.checkpoint import MARKER_KEY, CheckpointNotFoundError, load, save
from minnet.core import Sequential
from minnet.errors import CheckpointError
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear


def make_model(seed, dtype=np.float64):
    model = Sequential(Linear(4, 8, rng=seed), ReLU(), Linear(8, 3, rng=seed + 1))
    return model.to(dtype)


def assert_same_state(first, second):
    assert list(first) == list(second)
    for key in first:
        assert first[key].dtype == second[key].dtype, key
        assert first[key].shape == second[key].shape, key
        assert np.array_equal(first[key], second[key]), key


# --- round trips ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_model_round_trip_is_bit_identical(tmp_path, dtype):
    model = make_model(0, dtype)
    path = tmp_path / "model.npz"
    save(model, path)
    loaded = load(path)
    assert MARKER_KEY not in loaded
    assert_same_state(model.state_dict(), loaded)
    fresh = make_model(5, dtype)
    assert not np.array_equal(fresh[0].weight.data, model[0].weight.data)
    fresh.load_state_dict(loaded)
    assert_same_state(model.state_dict(), fresh.state_dict())


def test_plain_dict_keeps_order_and_scalars_become_0d(tmp_path):
    state = {"z": np.arange(3), "a": 0.5, "step": 7, "name": "adam", "flag": np.bool_(True)}
    path = tmp_path / "state.npz"
    save(state, path)
    loaded = load(path)
    assert list(loaded) == ["z", "a", "step", "name", "flag"]
    assert loaded["a"].shape == () and loaded["a"] == 0.5
    assert loaded["step"].shape == () and loaded["step"] == 7
    assert str(loaded["name"]) == "adam"
    assert loaded["flag"].dtype == np.bool_
    np.testing.assert_array_equal(loaded["z"], np.arange(3))


def test_path_is_used_exactly_as_given(tmp_path):
    path = tmp_path / "checkpoint"  # np.savez would silently write checkpoint.npz
    save({"w": np.ones(2)}, str(path))
    assert os.listdir(tmp_path) == ["checkpoint"]
    np.testing.assert_array_equal(load(path)["w"], np.ones(2))


def test_save_overwrites_and_gives_the_file_the_usual_mode(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.zeros(2)}, path)
    save({"w": np.ones(2)}, path)
    np.testing.assert_array_equal(load(path)["w"], np.ones(2))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


def test_key_named_like_a_savez_argument_is_fine(tmp_path):
    # np.savez(file, **arrays) breaks on a key named "file"; save must not.
    save({"file": np.ones(1), "allow_pickle": np.zeros(1)}, tmp_path / "k.npz")
    assert list(load(tmp_path / "k.npz")) == ["file", "allow_pickle"]


# --- what save refuses -----------------------------------------------------------

def test_object_values_are_refused_naming_the_key(tmp_path):
    with pytest.raises(CheckpointError, match="'config'.*object"):
        save({"weight": np.ones(2), "config": {"lr": 0.1}}, tmp_path / "x.npz")
    with pytest.raises(CheckpointError, match="'maybe'"):
        save({"maybe": None}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_bad_keys_and_objects_are_refused(tmp_path):
    with pytest.raises(CheckpointError, match="must be a str"):
        save({1: np.ones(2)}, tmp_path / "x.npz")
    with pytest.raises(CheckpointError, match="reserved"):
        save({MARKER_KEY: np.ones(2)}, tmp_path / "x.npz")
    with pytest.raises(CheckpointError, match="state_dict"):
        save([np.ones(2)], tmp_path / "x.npz")

    class ListState:
        def state_dict(self):
            return [np.ones(2)]

    with pytest.raises(CheckpointError, match="ListState.state_dict\\(\\) returned list"):
        save(ListState(), tmp_path / "x.npz")


# --- bad files -------------------------------------------------------------------

def test_truncated_file_raises_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    save(make_model(0), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt") as info:
        load(path)
    assert str(path) in str(info.value)


def test_foreign_npz_raises(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.random.default_rng(0).normal(size=(3, 3)))
    with pytest.raises(CheckpointError, match="not a minnet checkpoint") as info:
        load(path)
    assert str(path) in str(info.value) and "weights" in str(info.value)


@pytest.mark.parametrize("content, message", [
    (b"this is not a checkpoint at all" * 10, "not an .npz"),
    (b"", "empty file"),
])
def test_garbage_and_empty_files_raise(tmp_path, content, message):
    path = tmp_path / "garbage.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load(path)


def test_npy_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match="not an .npz"):
        load(path)


def test_pickled_objects_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{MARKER_KEY: np.array("minnet-1"),
                      "payload": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(CheckpointError, match="pickled"):
        load(path)


def test_other_format_version_is_refused(tmp_path):
    path = tmp_path / "future.npz"
    np.savez(path, **{MARKER_KEY: np.array("minnet-99"), "w": np.ones(2)})
    with pytest.raises(CheckpointError, match="minnet-99"):
        load(path)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(CheckpointNotFoundError, match="nowhere.npz") as info:
        load(path)
    assert isinstance(info.value, CheckpointError)
    assert isinstance(info.value, FileNotFoundError)


def test_directory_is_not_a_checkpoint(tmp_path):
    with pytest.raises(CheckpointError, match="directory"):
        load(tmp_path)


# Atomicity (the old file survives a failed save): tests/test_checkpoint_errors.py.


# --- resuming training ---------------------------------------------------------------

def test_resumed_training_matches_uninterrupted_training_bit_for_bit(tmp_path):
    from minnet.data.generators import spiral
    from minnet.losses import CrossEntropyLoss
    from minnet.optim import Adam
    from minnet.training import fit

    X, y = spiral(n_per_class=30, n_classes=3, rng=0)

    def mlp(seed):
        return Sequential(Linear(2, 16, rng=seed), ReLU(), Linear(16, 3, rng=seed + 1))

    def train(model, optimizer, fit_seed):
        fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=2, batch_size=16,
            progress=False, rng=fit_seed)

    model = mlp(0)
    optimizer = Adam(model.parameters(), lr=0.01)
    train(model, optimizer, fit_seed=1)
    save(model, tmp_path / "model.npz")
    save(optimizer, tmp_path / "optimizer.npz")
    train(model, optimizer, fit_seed=2)  # the uninterrupted run

    resumed_model = mlp(50)
    resumed_optimizer = Adam(resumed_model.parameters(), lr=0.01)
    resumed_model.load_state_dict(load(tmp_path / "model.npz"))
    resumed_optimizer.load_state_dict(load(tmp_path / "optimizer.npz"))
    assert_same_state(load(tmp_path / "optimizer.npz"), resumed_optimizer.state_dict())
    train(resumed_model, resumed_optimizer, fit_seed=2)
    assert_same_state(model.state_dict(), resumed_model.state_dict())
    assert_same_state(optimizer.state_dict(), resumed_optimizer.state_dict())

    # Guard: without the optimizer's moments the run differs, so the test can fail.
    cold_model = mlp(50)
    cold_model.load_state_dict(load(tmp_path / "model.npz"))
    train(cold_model, Adam(cold_model.parameters(), lr=0.01), fit_seed=2)
    assert not np.array_equal(cold_model[0].weight.data, model[0].weight.data)
