"""Checkpoints that cannot be read or written: a CheckpointError, the old file intact, no open file.

Each failure of ``save`` (a ragged or non-numeric value, a missing or
read-only directory, a full disk, a path that is a directory) leaves the
previous checkpoint at the path byte for byte and no temporary file; each
failure of ``load`` (None, a directory, a truncated or corrupt file) closes
every file it opened.
"""

import errno
import gc
import os
import sys
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minnet.checkpoint import load, save
from minnet.core import Sequential
from minnet.errors import CheckpointError, CheckpointWriteError
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d


def make_model(seed):
    return Sequential(Linear(4, 6, rng=seed), BatchNorm1d(6), Linear(6, 2, rng=seed + 1))


@pytest.fixture
def saved(tmp_path):
    """A directory holding one good checkpoint; returns (path, its bytes)."""
    path = tmp_path / "model.npz"
    save(make_model(0), path)
    return path, path.read_bytes()


def assert_untouched(path, content):
    assert path.read_bytes() == content
    assert sorted(os.listdir(path.parent)) == [path.name]  # no temporary file left


def open_descriptors():
    return len(os.listdir("/proc/self/fd"))


# --- save: what cannot be written ----------------------------------------------------

@pytest.mark.parametrize("state, match", [
    ({"w": [[1.0, 2.0], [3.0]]}, "'w'.*ragged"),
    ({"w": np.ones(2), "config": {"lr": 0.1}}, "'config'.*object"),
    ({"w": [1.0, "two"]}, "'w'.*mixes numbers and strings"),
    ({"w": np.array([(1, None)], dtype=[("a", int), ("b", object)])}, "'w'.*object"),
])
def test_a_value_that_is_not_a_plain_array_is_refused(saved, state, match):
    path, content = saved
    with pytest.raises(CheckpointError, match=match):
        save(state, path)
    assert_untouched(path, content)


def test_a_class_instead_of_an_instance_is_refused(tmp_path):
    with pytest.raises(CheckpointError, match="got the class Linear; did you mean Linear"):
        save(Linear, tmp_path / "m.npz")


@pytest.mark.parametrize("path", [None, 3, 2.5, ["model.npz"]])
def test_a_path_that_is_not_a_path_is_refused(path):
    with pytest.raises(CheckpointError, match="save: expected a path"):
        save({"w": np.ones(2)}, path)


def test_saving_into_a_missing_directory_names_it(tmp_path):
    target = tmp_path / "runs" / "model.npz"
    with pytest.raises(CheckpointWriteError, match="runs.*does not exist.*makedirs") as info:
        save(make_model(0), target)
    assert isinstance(info.value, OSError)  # catchable as an OSError too
    assert os.listdir(tmp_path) == []


def test_saving_onto_a_directory_is_refused(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(CheckpointError, match="is a directory"):
        save(make_model(0), tmp_path / "model.npz")
    assert os.listdir(tmp_path / "model.npz") == []


def test_a_read_only_directory_is_a_checkpoint_error(saved, monkeypatch):
    # Simulated: the tests may run as root, for whom chmod does not forbid writing.
    path, content = saved

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path.parent))

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    with pytest.raises(CheckpointWriteError, match="Permission denied") as info:
        save(make_model(1), path)
    assert info.value.errno == errno.EACCES
    monkeypatch.undo()
    assert_untouched(path, content)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write into a read-only directory")
def test_a_really_read_only_directory_is_a_checkpoint_error(saved):
    path, content = saved
    os.chmod(path.parent, 0o500)
    try:
        with pytest.raises(CheckpointWriteError, match="Permission denied"):
            save(make_model(1), path)
    finally:
        os.chmod(path.parent, 0o700)
    assert_untouched(path, content)


FULL_DISK = OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where, error", [
    ("write", FULL_DISK), ("fsync", FULL_DISK), ("replace", FULL_DISK),
    ("write", KeyboardInterrupt()),
])
def test_a_failed_save_leaves_the_old_file_intact(saved, monkeypatch, where, error):
    path, content = saved
    real_write_array = np.lib.format.write_array
    calls = []

    def write_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # midway: the first array is on disk
            raise error
        return real_write_array(*args, **kwargs)

    def fail(*args, **kwargs):
        raise error

    if where == "write":
        monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    else:
        monkeypatch.setattr(os, where, fail)
    expected = CheckpointWriteError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as info:
        save(make_model(1), path)
    monkeypatch.undo()
    if isinstance(error, OSError):  # a full disk: minnet's error, with the OS's errno
        assert info.value.errno == errno.ENOSPC
        assert "No space left on device" in str(info.value) and "unchanged" in str(info.value)
    assert_untouched(path, content)


# --- load: what cannot be read ----------------------------------------------------

@pytest.mark.parametrize("path", [None, 3, b"\0"])
def test_load_of_something_that_is_not_a_path_is_a_checkpoint_error(path):
    with pytest.raises(CheckpointError, match="load: "):
        load(path)


def cut_points(content):
    return sorted({4, 30, 64, 200, len(content) // 2, len(content) - 100, len(content) - 22,
                   len(content) - 1})


def test_every_truncation_is_a_checkpoint_error_that_closes_its_file(saved):
    path, content = saved
    leaked = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = leaked.append  # where a ResourceWarning raised in __del__ lands
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)  # an unclosed file, collected
            for cut in cut_points(content):
                path.write_bytes(content[:cut])
                before = open_descriptors()
                with pytest.raises(CheckpointError, match="truncated or corrupt|not an .npz") \
                        as info:
                    load(path)
                # info holds the traceback, so a file left open by a frame is still open
                assert open_descriptors() == before, f"cut at {cut}: a file is still open"
                del info
            gc.collect()
    finally:
        sys.unraisablehook = previous_hook
    assert not leaked, [str(entry.exc_value) for entry in leaked]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_are_a_checkpoint_error_or_load_cleanly(saved, data):
    path, content = saved
    damaged = bytearray(content)
    start = data.draw(st.integers(0, len(content) - 1))
    length = data.draw(st.integers(1, 64))
    fill = data.draw(st.binary(min_size=1, max_size=1))
    damaged[start:start + length] = fill * len(damaged[start:start + length])
    path.write_bytes(bytes(damaged))
    try:
        state = load(path)
    except CheckpointError:
        return
    assert all(isinstance(value, np.ndarray) for value in state.values())
