"""mnist1d: generated locally by the mnist1d package, cached as .npz, global RNG untouched."""

import inspect
import random

import mnist1d.data as package
import numpy as np
import pytest

from minnet.data.mnist1d import Dataset, default_cache_dir, mnist1d
from minnet.errors import ConfigError


def package_dataset(**overrides):
    """The package's own make_dataset, run with its default args plus overrides."""
    args = package.get_dataset_args()
    for name, value in overrides.items():
        setattr(args, name, value)
    state, python_state = np.random.get_state(), random.getstate()
    try:
        return package.make_dataset(args)
    finally:
        np.random.set_state(state)
        random.setstate(python_state)


def cache_files(directory):
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def forbid_generation(monkeypatch):
    """A function that makes any later call to the package's make_dataset fail the test."""
    def forbid():
        def forbidden(*args, **kwargs):
            raise AssertionError("make_dataset was called; the cache should have been used")
        monkeypatch.setattr(package, "make_dataset", forbidden)
    return forbid


def test_small_dataset_matches_the_package(tmp_path):
    data = mnist1d(num_samples=200, train_split=0.75, seed=3, cache_dir=tmp_path)
    assert isinstance(data, Dataset)
    X, y, X_test, y_test = data
    assert X.shape == (150, 40) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    assert X_test.shape == (50, 40) and X_test.dtype == np.float64
    assert y_test.shape == (50,) and y_test.dtype == np.int64
    assert set(np.concatenate([y, y_test])) == set(range(10))
    raw = package_dataset(num_samples=200, train_split=0.75, seed=3)
    np.testing.assert_array_equal(X, raw["x"])
    np.testing.assert_array_equal(y, raw["y"])
    np.testing.assert_array_equal(X_test, raw["x_test"])
    np.testing.assert_array_equal(y_test, raw["y_test"])


def test_defaults_are_the_package_defaults():
    defaults = {name: p.default for name, p in inspect.signature(mnist1d).parameters.items()}
    args = package.get_dataset_args(as_dict=True)
    assert defaults["num_samples"] == args["num_samples"] == 5000
    assert defaults["train_split"] == args["train_split"]
    assert defaults["seed"] == args["seed"]


@pytest.mark.slow
def test_default_call_reproduces_the_package_default_dataset(tmp_path):
    X, y, X_test, y_test = mnist1d(cache_dir=tmp_path)
    assert X.shape == (4000, 40) and X_test.shape == (1000, 40)
    raw = package_dataset()
    np.testing.assert_array_equal(X, raw["x"])
    np.testing.assert_array_equal(y_test, raw["y_test"])


def test_global_random_states_are_unchanged(tmp_path):
    np.random.seed(123)
    random.seed(456)
    expected_numpy = np.random.get_state()[1].copy()
    expected_python = random.getstate()
    mnist1d(num_samples=50, cache_dir=tmp_path)
    np.testing.assert_array_equal(np.random.get_state()[1], expected_numpy)
    assert random.getstate() == expected_python
    # and the streams continue as if minnet had not run
    after = np.random.random()
    np.random.seed(123)
    assert np.random.random() == after


def test_second_call_uses_the_cache(tmp_path, forbid_generation):
    first = mnist1d(num_samples=60, seed=1, cache_dir=tmp_path)
    files = cache_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".npz")
    forbid_generation()
    second = mnist1d(num_samples=60, seed=1, cache_dir=tmp_path)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert cache_files(tmp_path) == files  # no temporary file left behind


def test_verbose_announces_generation_only(tmp_path, capsys, forbid_generation):
    mnist1d(num_samples=60, seed=2, cache_dir=tmp_path, verbose=True)
    assert f"Generating MNIST-1D locally (cached in {tmp_path})" in capsys.readouterr().out
    forbid_generation()
    mnist1d(num_samples=60, seed=2, cache_dir=tmp_path, verbose=True)
    assert capsys.readouterr().out == ""


def test_the_cache_is_keyed_by_the_arguments(tmp_path):
    a = mnist1d(num_samples=60, seed=1, cache_dir=tmp_path)
    b = mnist1d(num_samples=60, seed=2, cache_dir=tmp_path)
    c = mnist1d(num_samples=60, seed=1, train_split=0.5, cache_dir=tmp_path)
    assert len(cache_files(tmp_path)) == 3
    assert not np.array_equal(a.X_train, b.X_train)
    assert c.X_train.shape == (30, 40)


def test_the_cache_file_is_plain_npz_without_pickles(tmp_path):
    mnist1d(num_samples=30, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(Dataset._fields)


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04truncated"])
def test_a_corrupt_cache_file_is_regenerated(tmp_path, content):
    good = mnist1d(num_samples=40, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    path.write_bytes(content)
    again = mnist1d(num_samples=40, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.X_train, good.X_train)
    with np.load(path, allow_pickle=False) as archive:  # rewritten, readable again
        np.testing.assert_array_equal(archive["y_test"], good.y_test)


def test_a_cache_file_with_wrong_arrays_is_regenerated(tmp_path):
    good = mnist1d(num_samples=40, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    np.savez(path, X_train=np.zeros((3, 40)), y_train=np.zeros(3, dtype=np.int64),
             X_test=np.zeros((1, 40)), y_test=np.zeros(1, dtype=np.int64))
    np.testing.assert_array_equal(mnist1d(num_samples=40, cache_dir=tmp_path).X_train,
                                  good.X_train)
    np.savez(path, X_train=good.X_train)  # missing arrays
    np.testing.assert_array_equal(mnist1d(num_samples=40, cache_dir=tmp_path).y_test,
                                  good.y_test)


def test_an_unwritable_cache_warns_and_still_returns_the_data(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.warns(UserWarning, match="could not write the cache file"):
        data = mnist1d(num_samples=20, cache_dir=blocker / "cache")
    assert data.X_train.shape == (16, 40)


def test_a_failed_write_leaves_neither_a_partial_file_nor_a_temporary(tmp_path, monkeypatch):
    def failing_savez(handle, **arrays):
        handle.write(b"PK partial")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.warns(UserWarning, match="disk full"):
        mnist1d(num_samples=20, cache_dir=tmp_path)
    assert cache_files(tmp_path) == []


def test_cache_directory_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MINNET_CACHE_DIR", str(tmp_path / "minnet_env"))
    assert default_cache_dir() == tmp_path / "minnet_env"
    mnist1d(num_samples=20)
    assert len(cache_files(tmp_path / "minnet_env")) == 1
    monkeypatch.delenv("MINNET_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "minnet"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "minnet"


@pytest.mark.parametrize("kwargs, pattern", [
    ({"num_samples": 0}, r"mnist1d.*'num_samples'.*>= 10"),
    ({"num_samples": 9}, r"mnist1d.*'num_samples'.*>= 10"),
    ({"num_samples": 100.0}, r"mnist1d.*'num_samples'.*must be an int"),
    ({"train_split": 0.0}, r"mnist1d.*'train_split'"),
    ({"train_split": 1.0}, r"mnist1d.*'train_split'"),
    ({"seed": -1}, r"mnist1d.*'seed'.*>= 0"),
    ({"seed": 2**32}, r"mnist1d.*'seed'.*2\*\*32"),
    ({"num_samples": 10, "train_split": 0.05}, r"mnist1d.*0 training and 10 test"),
    ({"num_samples": 19, "train_split": 0.05}, r"mnist1d.*0 training and 10 test"),
    # before: Path(True)'s TypeError, and `if verbose:` on an array
    ({"cache_dir": True}, r"mnist1d.*'cache_dir' parameter must be None, a str or a path"),
    ({"verbose": np.array([1, 0])}, r"mnist1d.*'verbose' parameter must be a bool"),
])
def test_bad_arguments(tmp_path, kwargs, pattern, forbid_generation):
    forbid_generation()  # refused before any work
    with pytest.raises(ConfigError, match=pattern):
        mnist1d(**{"cache_dir": tmp_path, **kwargs})
