"""Checkpoints: ``save(obj, path)`` and ``load(path)``, arrays only, written atomically.

A checkpoint is an ``.npz`` file (the uncompressed zip of ``.npy`` arrays that
``np.savez`` writes) holding ``obj.state_dict()`` plus one marker array,
``"__minnet_checkpoint__" = np.array("minnet-1")``, that tells a minnet
checkpoint from any other ``.npz``. It is data, never code: object arrays are
refused when saving and ``np.load(..., allow_pickle=False)`` reads it back.

Saving is atomic: the arrays go to a temporary file in the destination's
directory, which is flushed, fsync'ed and then renamed over the destination
with ``os.replace``. A crash or an error in the middle of a save leaves the
previous checkpoint untouched and no temporary file behind. Every failure is
a CheckpointError: ``CheckpointWriteError`` (also an OSError, with its
``errno``) when the operating system refuses (a missing or read-only
directory, a full disk), ``CheckpointNotFoundError`` (also a
FileNotFoundError) when ``load`` finds no file. ``load`` reads through a file
it opens and always closes, whatever the file holds.

Typical use::

    mn.save(model, "model.npz"); mn.save(optimizer, "optim.npz")
    model.load_state_dict(mn.load("model.npz"))
    optimizer.load_state_dict(mn.load("optim.npz"))
"""

import errno
import os
import struct
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from minnet.errors import CheckpointError, CheckpointNotFoundError, CheckpointWriteError

MARKER_KEY = "__minnet_checkpoint__"
FORMAT_VERSION = "minnet-1"


def _state_of(obj):
    """Return the flat ``{str: ndarray}`` to save, refusing anything that is not an array."""
    if isinstance(obj, type):
        raise CheckpointError(f"save: expected an instance, got the class {obj.__name__}; "
                              f"did you mean {obj.__name__}(...)?")
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
        arrays[key] = _plain_array(key, value, source)
    return arrays


def _plain_array(key, value, source):
    """``value`` as an array of numbers or of strings; a CheckpointError naming ``key`` else."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise CheckpointError(
            f"save: the value of key {key!r} in {source} is a ragged {type(value).__name__} "
            f"(its rows have different lengths: {error}); a checkpoint holds rectangular "
            f"arrays only") from None
    if array.dtype.hasobject:
        raise CheckpointError(
            f"save: the value of key {key!r} in {source} is not an array of numbers or "
            f"strings (it became an object array from {type(value).__name__}); a "
            f"checkpoint holds plain arrays only, never pickled objects")
    if array.dtype.kind in "US" and not isinstance(value, (str, bytes, np.ndarray, np.generic)):
        items = np.asarray(value, dtype=object).ravel()
        if not all(isinstance(item, (str, bytes, np.str_, np.bytes_)) for item in items):
            raise CheckpointError(
                f"save: the value of key {key!r} in {source} mixes numbers and strings "
                f"({type(value).__name__}); NumPy would silently turn every number into a "
                f"string: save them under separate keys")
    return array


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
        If a value is not a plain array (names the key: ragged, objects, numbers
        mixed with strings), a key is not a str, ``obj`` has no state, or
        ``path`` is not a path or is a directory.
    CheckpointWriteError
        (a CheckpointError and an OSError) if the directory is missing or
        read-only or the disk is full. The previous file is unchanged.
    """
    arrays = _state_of(obj)
    arrays[MARKER_KEY] = np.array(FORMAT_VERSION)
    path = _as_path("save", path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CheckpointError(f"save: {path!r} is a directory; give a file path inside it, "
                              f"e.g. {os.path.join(path, 'model.npz')!r}")
    if not os.path.isdir(directory):
        raise CheckpointWriteError(
            f"save: cannot write {path!r}: the directory {directory!r} does not exist; create "
            f"it first (os.makedirs(directory, exist_ok=True))", errno.ENOENT)
    try:
        temporary = tempfile.NamedTemporaryFile(
            dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp",
            delete=False)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with temporary:
            _write_npz(temporary, arrays)
            temporary.flush()
            os.fsync(temporary.fileno())
        # NamedTemporaryFile creates the file private (0600); give it the usual mode.
        os.chmod(temporary.name, 0o666 & ~_current_umask())
        os.replace(temporary.name, path)
    except BaseException as error:
        try:
            os.unlink(temporary.name)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise _write_error(path, error) from error
        raise
    _fsync_directory(directory)


def _write_error(path, error):
    reason = error.strerror or str(error)
    return CheckpointWriteError(
        f"save: cannot write {path!r}: {reason}; the previous file at that path, if any, is "
        f"unchanged", error.errno)


def _as_path(caller, path):
    """``path`` as a str; a CheckpointError for None, numbers and anything else not a path."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise CheckpointError(f"{caller}: expected a path (a str or os.PathLike such as "
                              f"pathlib.Path), got {path!r}")
    path = os.fsdecode(path)
    if not path or "\0" in path:
        raise CheckpointError(f"{caller}: expected a path, got {path!r}")
    return path


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
    path = _as_path("load", path)
    if not os.path.exists(path):
        raise CheckpointNotFoundError(f"load: no checkpoint file at {path!r}")
    if os.path.isdir(path):
        raise CheckpointError(f"load: {path!r} is a directory, not a checkpoint file")
    try:
        with open(path, "rb") as file:  # ours to close, whatever np.load makes of it
            return _read_checkpoint(path, file)
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise _corrupt(path, error) from error
        raise CheckpointError(
            f"load: {path!r} holds pickled Python objects, which a minnet checkpoint never "
            f"does; refusing to unpickle them (a checkpoint is data, never code)"
        ) from error
    except _CORRUPT as error:
        raise _corrupt(path, error) from error


# What reading a damaged zip of .npy files raises, besides ValueError.
_CORRUPT = (zipfile.BadZipFile, EOFError, OSError, KeyError, struct.error, zlib.error,
            NotImplementedError, UnicodeDecodeError, OverflowError, MemoryError,
            RuntimeError)  # RuntimeError: a flipped bit marks a member as encrypted


def _read_checkpoint(path, file):
    """The arrays of the open checkpoint ``file`` (``path`` is for messages)."""
    magic = file.read(4)
    if magic != b"PK\x03\x04":
        what = "an empty file" if not magic else "not an .npz (zip) file"
        raise CheckpointError(
            f"load: {path!r} is not a minnet checkpoint: {what} (a checkpoint is the "
            f".npz that minnet.save writes)"
        )
    file.seek(0)
    with np.load(file, allow_pickle=False) as archive:
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


def _corrupt(path, error):
    return CheckpointError(
        f"load: {path!r} is truncated or corrupt and cannot be read "
        f"({type(error).__name__}: {error}); was it written completely?"
    )
