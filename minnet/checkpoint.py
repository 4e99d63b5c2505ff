"""Checkpoints: ``save(obj, path)`` and ``load(path)``, arrays only, written atomically.

A checkpoint is an ``.npz`` file (the uncompressed zip of ``.npy`` arrays that
``np.savez`` writes) holding ``obj.state_dict()`` plus one marker array,
``"__minnet_checkpoint__" = np.array("minnet-1")``, that tells a minnet
checkpoint from any other ``.npz``. It is data, never code: object arrays are
refused when saving and ``np.load(..., allow_pickle=False)`` reads it back.

Saving is atomic: the arrays go to a temporary file in the destination's
directory, which is flushed, fsync'ed and then renamed over the destination
with ``os.replace``. A crash or an error in the middle of a save leaves the
previous checkpoint untouched and no temporary file behind.

Typical use::

    mn.save(model, "model.npz"); mn.save(optimizer, "optim.npz")
    model.load_state_dict(mn.load("model.npz"))
    optimizer.load_state_dict(mn.load("optim.npz"))
"""

import os
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from minnet.errors import CheckpointError, CheckpointNotFoundError

MARKER_KEY = "__minnet_checkpoint__"
FORMAT_VERSION = "minnet-1"


def _state_of(obj):
    """Return the flat ``{str: ndarray}`` to save, refusing anything that is not an array."""
    if callable(getattr(obj, "state_dict", None)):
        state = obj.state_dict()
        source = f"{type(obj).__name__}.state_dict()"
    elif isinstance(obj, Mapping):
        state = obj
        source = "the dict"
    else:
        raise CheckpointError(
            f"save: expected a Module, an optimizer, a scheduler (anything with a "
            f"state_dict() method) or a dict of str -> array, got {type(obj).__name__}"
        )
    if not isinstance(state, Mapping):
        raise CheckpointError(
            f"save: {source} returned {type(state).__name__}, expected a dict of str -> array"
        )
    arrays = OrderedDict()
    for key, value in state.items():
        if not isinstance(key, str):
            raise CheckpointError(f"save: every key of {source} must be a str, got {key!r}")
        if key == MARKER_KEY:
            raise CheckpointError(f"save: the key {MARKER_KEY!r} is reserved for the format marker")
        array = np.asarray(value)
        if array.dtype.kind == "O":
            raise CheckpointError(
                f"save: the value of key {key!r} in {source} is not an array of numbers or "
                f"strings (it became an object array from {type(value).__name__}); a "
                f"checkpoint holds plain arrays only, never pickled objects"
            )
        arrays[key] = array
    return arrays


def _write_npz(file, arrays):
    """Write ``arrays`` to the open binary ``file`` in np.savez's format.

    Written with zipfile and np.lib.format as np.savez does, so that any key
    name works (np.savez(file, **arrays) fails on a key named "file").
    """
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED,
                         allowZip64=True) as archive:
        for key, array in arrays.items():
            with archive.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save(obj, path):
    """Write ``obj``'s state to ``path`` atomically, as an ``.npz`` checkpoint.

    Parameters
    ----------
    obj : Module, optimizer, scheduler or dict of str -> array
        Anything with ``state_dict()`` returning a flat dict of arrays, or
        such a dict itself. Python scalars become 0-d arrays.
    path : str or os.PathLike
        Used exactly as given: no ``.npz`` is appended (unlike ``np.savez``).

    Raises
    ------
    CheckpointError
        If a value is not a plain array (names the key), a key is not a str,
        or ``obj`` has no state.
    """
    arrays = _state_of(obj)
    arrays[MARKER_KEY] = np.array(FORMAT_VERSION)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    temporary = tempfile.NamedTemporaryFile(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp", delete=False
    )
    try:
        with temporary:
            _write_npz(temporary, arrays)
            temporary.flush()
            os.fsync(temporary.fileno())
        # NamedTemporaryFile creates the file private (0600); give it the usual mode.
        os.chmod(temporary.name, 0o666 & ~_current_umask())
        os.replace(temporary.name, path)
    except BaseException:
        try:
            os.unlink(temporary.name)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    """Make the rename durable; not every platform can open a directory, so best effort."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def load(path):
    """Read a checkpoint written by ``save``.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    OrderedDict of str -> ndarray
        In the saved order, the format marker removed; scalars come back as
        0-d arrays. Pass it to ``load_state_dict``.

    Raises
    ------
    CheckpointNotFoundError
        (a CheckpointError and a FileNotFoundError) if no file exists at ``path``.
    CheckpointError
        If the file is truncated or corrupt, is not an ``.npz`` at all, is an
        ``.npz`` written by something other than ``minnet.save``, or holds
        pickled objects. The message names the path and what is wrong.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CheckpointNotFoundError(f"load: no checkpoint file at {path!r}")
    if os.path.isdir(path):
        raise CheckpointError(f"load: {path!r} is a directory, not a checkpoint file")
    try:
        with open(path, "rb") as file:
            magic = file.read(4)
    except OSError as error:
        raise CheckpointError(f"load: cannot read {path!r}: {error}") from error
    if magic != b"PK\x03\x04":
        what = "an empty file" if not magic else "not an .npz (zip) file"
        raise CheckpointError(
            f"load: {path!r} is not a minnet checkpoint: {what} (a checkpoint is the "
            f".npz that minnet.save writes)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.files)
            if MARKER_KEY not in keys:
                raise CheckpointError(
                    f"load: {path!r} is an .npz file but not a minnet checkpoint (no "
                    f"{MARKER_KEY!r} marker; its arrays are {keys[:8]}); it was not written "
                    f"by minnet.save"
                )
            version = str(archive[MARKER_KEY])
            if version != FORMAT_VERSION:
                raise CheckpointError(
                    f"load: {path!r} has checkpoint format {version!r}, this minnet reads "
                    f"{FORMAT_VERSION!r}"
                )
            return OrderedDict((key, archive[key]) for key in keys if key != MARKER_KEY)
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise _corrupt(path, error) from error
        raise CheckpointError(
            f"load: {path!r} holds pickled Python objects, which a minnet checkpoint never "
            f"does; refusing to unpickle them (a checkpoint is data, never code)"
        ) from error
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise _corrupt(path, error) from error


def _corrupt(path, error):
    return CheckpointError(
        f"load: {path!r} is truncated or corrupt and cannot be read "
        f"({type(error).__name__}: {error}); was it written completely?"
    )
