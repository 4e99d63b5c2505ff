"""MNIST-1D (Greydanus, 2020): a small, hard 1-D digit benchmark, generated locally.

The ``mnist1d`` package builds the data from ten 1-D digit templates by
padding, shearing, translating, scaling and adding correlated noise. minnet
never downloads it: it calls the package's ``make_dataset`` and caches the
arrays as an ``.npz`` file (read with ``allow_pickle=False``).
"""

import os
import random
import tempfile
import warnings
import zipfile
from collections import namedtuple
from importlib import metadata
from pathlib import Path

import numpy as np

from minnet.errors import ConfigError
from minnet.validation import check_bool, check_float, check_int

_NAME = "mnist1d"
NUM_FEATURES = 40  # the package's final_seq_length
NUM_CLASSES = 10
_CACHE_FORMAT = 1  # bump when the file layout changes, so old files are ignored

Dataset = namedtuple("Dataset", ["X_train", "y_train", "X_test", "y_test"])
Dataset.__doc__ = """A train/test pair: ``X_train, y_train, X_test, y_test = mnist1d()``.

X_train : float64 (N_train, 40); y_train : int64 (N_train,) with labels 0..9;
X_test : float64 (N_test, 40); y_test : int64 (N_test,).
"""


def default_cache_dir():
    """``$MINNET_CACHE_DIR``, else ``$XDG_CACHE_HOME/minnet``, else ``~/.cache/minnet``."""
    if os.environ.get("MINNET_CACHE_DIR"):
        return Path(os.environ["MINNET_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "minnet"


def mnist1d(num_samples=5000, train_split=0.8, seed=42, cache_dir=None, verbose=False):
    """Return the MNIST-1D dataset as ``Dataset(X_train, y_train, X_test, y_test)``.

    The defaults reproduce the package's default dataset (the one published
    with the paper): 4000 training and 1000 test samples of 40 features,
    already centred and scaled by the package (global mean 0, std 1).

    Parameters
    ----------
    num_samples : int >= 10
        Total number of samples, train and test together. The package makes
        ``num_samples // 10`` samples per digit, so a number that is not a
        multiple of 10 is rounded down to one.
    train_split : float in (0, 1)
        Fraction of the samples in the training set (the first ones; the
        package has already shuffled them).
    seed : int >= 0
        The package's seed. Generation seeds NumPy's and Python's *global*
        random state; minnet saves both before and restores them after, so
        calling ``mnist1d()`` does not change your own global random stream.
    cache_dir : str, os.PathLike or None
        Where the ``.npz`` file goes; None uses ``$MINNET_CACHE_DIR``, else
        ``$XDG_CACHE_HOME/minnet``, else ``~/.cache/minnet``. The file name
        holds the arguments and the package version; it is written atomically
        (a temporary file, then a rename) and regenerated when unreadable.
        If the directory cannot be written, a warning is issued and the data
        are returned uncached.
    verbose : bool
        Print one line on stdout when the data are generated (not when they
        come from the cache): generation takes a few seconds.

    Returns
    -------
    Dataset
        X_train float64 (N_train, 40), y_train int64 (N_train,),
        X_test float64 (N_test, 40), y_test int64 (N_test,).

    Examples
    --------
    >>> X, y, X_test, y_test = mnist1d()
    >>> X.shape, X_test.shape
    ((4000, 40), (1000, 40))
    """
    num_samples = check_int(_NAME, "num_samples", num_samples, minimum=NUM_CLASSES)
    train_split = check_float(_NAME, "train_split", train_split, low=0.0, high=1.0,
                              low_open=True, high_open=True)
    seed = check_int(_NAME, "seed", seed, minimum=0)
    if seed >= 2**32:
        raise ConfigError(f"{_NAME}: the 'seed' parameter must be an int in [0, 2**32) "
                          f"(NumPy's legacy seeding), got {seed}")
    total = (num_samples // NUM_CLASSES) * NUM_CLASSES
    num_train = int(total * train_split)  # the package's own rounding
    if num_train == 0 or num_train == total:
        raise ConfigError(
            f"{_NAME}: train_split={train_split} of {total} samples gives {num_train} "
            f"training and {total - num_train} test samples; both must be at least 1"
        )

    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise ConfigError(f"{_NAME}: the 'cache_dir' parameter must be None, a str or a "
                          f"path, got {cache_dir!r}")
    verbose = check_bool(_NAME, "verbose", verbose)
    path = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = path / (f"mnist1d_n{num_samples}_split{train_split!r}_seed{seed}"
                   f"_v{_package_version()}_f{_CACHE_FORMAT}.npz")
    expected = {"X_train": (num_train, NUM_FEATURES), "y_train": (num_train,),
                "X_test": (total - num_train, NUM_FEATURES), "y_test": (total - num_train,)}
    data = _load(path, expected)
    if data is None:
        if verbose:
            print(f"Generating MNIST-1D locally (cached in {path.parent}) ...", flush=True)
        data = _generate(num_samples, train_split, seed)
        _save(path, data)
    return data


def _package_version():
    try:
        return metadata.version("mnist1d")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


def _generate(num_samples, train_split, seed):
    """Run the package's ``make_dataset``, leaving the global random states as found."""
    # Imported here: mnist1d.data imports matplotlib and requests, and
    # `import minnet` must stay fast and headless.
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.train_split, args.seed = num_samples, train_split, seed
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        raw = make_dataset(args)  # seeds np.random and random (global state)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return Dataset(
        X_train=np.ascontiguousarray(raw["x"], dtype=np.float64),
        y_train=np.ascontiguousarray(raw["y"], dtype=np.int64),
        X_test=np.ascontiguousarray(raw["x_test"], dtype=np.float64),
        y_test=np.ascontiguousarray(raw["y_test"], dtype=np.int64),
    )


def _load(path, expected):
    """The cached Dataset, or None when the file is missing, unreadable or malformed."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in Dataset._fields}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    for name, shape in expected.items():
        kind = "f" if name.startswith("X") else "i"
        if arrays[name].shape != shape or arrays[name].dtype.kind != kind:
            return None
    return Dataset(
        X_train=arrays["X_train"].astype(np.float64, copy=False),
        y_train=arrays["y_train"].astype(np.int64, copy=False),
        X_test=arrays["X_test"].astype(np.float64, copy=False),
        y_test=arrays["y_test"].astype(np.int64, copy=False),
    )


def _save(path, data):
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, then
    ``os.replace``, so a reader never sees a half-written file."""
    temp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name + ".",
                                         suffix=".tmp", delete=False) as handle:
            temp_name = handle.name
            np.savez(handle, **data._asdict())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as error:
        if temp_name is not None and os.path.exists(temp_name):
            os.unlink(temp_name)
        warnings.warn(f"{_NAME}: could not write the cache file {path} ({error}); the data "
                      f"were generated but not cached", stacklevel=3)
