"""Which implementation runs the hot loops: numba (default) or plain NumPy.

Every kernel exists twice with one signature: a NumPy reference in its
family's file, ``<family>.py`` (light, imported with minnet, where the
``Kernel`` objects are made), and a numba version in ``<family>_numba.py``
(``@numba.njit(cache=True, error_model="numpy")``, helpers in the same file
because numba's cache does not see edits to other files). A ``Kernel``
imports its numba module on first call, so ``import minnet`` neither imports
numba nor compiles anything; ``cache=True`` makes a second process load the
machine code instead of compiling again.

The backend comes from ``MINNET_BACKEND=numba|numpy`` at first use, or from
``set_backend``. Numba is the default where it imports. The kernels check
nothing (no bounds checks): their callers in ``minnet.functional`` and
``minnet.optim`` validate shapes, dtypes and index ranges in Python first,
so a wrong argument is the same clear error on both backends.
"""

import contextlib
import importlib
import importlib.util
import os

from minnet.errors import ConfigError

BACKENDS = ("numba", "numpy")
_current = None  # resolved lazily: reading the environment at import would freeze it


def numba_available():
    """True when numba can be imported (checked without importing it)."""
    return importlib.util.find_spec("numba") is not None


def _validate(name, source):
    if not isinstance(name, str) or name.strip().lower() not in BACKENDS:
        raise ConfigError(f"{source}: expected one of {list(BACKENDS)}, got {name!r}")
    name = name.strip().lower()
    if name == "numba" and not numba_available():
        raise ConfigError(f"{source}: the numba backend needs numba, which is not installed; "
                          f"pip install numba, or use the 'numpy' backend")
    return name


def get_backend():
    """Return the active backend name, ``"numba"`` or ``"numpy"``."""
    global _current
    if _current is None:
        requested = os.environ.get("MINNET_BACKEND")
        if requested:
            _current = _validate(requested, "MINNET_BACKEND")
        else:
            _current = "numba" if numba_available() else "numpy"
    return _current


def set_backend(name):
    """Choose the kernels' implementation for the whole process: ``"numba"`` or ``"numpy"``.

    Results agree to floating-point round-off; the numba kernels are faster
    where loops dominate (im2col/col2im, pooling, scatter-add, fused updates).
    """
    global _current
    _current = _validate(name, "set_backend")
    return _current


@contextlib.contextmanager
def use_backend(name):
    """Context manager: run a block on one backend, then restore the previous one."""
    previous = get_backend()
    set_backend(name)
    try:
        yield name
    finally:
        set_backend(previous)


class Kernel:
    """One hot loop, twice: a NumPy reference and its numba twin, with one signature.

    Parameters
    ----------
    reference : callable
        The plain NumPy implementation (the specification).
    numba_module : str
        Module under ``minnet.kernels`` holding the compiled twin, e.g. ``"pooling_numba"``.
    numba_name : str
        The twin's name in that module (defaults to the reference's ``__name__``).
    """

    def __init__(self, reference, numba_module, numba_name=None):
        self.reference = reference
        self.numba_module = numba_module
        self.numba_name = numba_name or reference.__name__
        self.__name__ = self.numba_name
        self.__doc__ = reference.__doc__
        self._compiled = None

    @property
    def compiled(self):
        """The numba version (imports its module, and so numba, on first access)."""
        if self._compiled is None:
            module = importlib.import_module(f"minnet.kernels.{self.numba_module}")
            self._compiled = getattr(module, self.numba_name)
        return self._compiled

    def __call__(self, *args):
        if get_backend() == "numba":
            return self.compiled(*args)
        return self.reference(*args)

    def __repr__(self):
        return f"Kernel({self.numba_name}, backend={get_backend()!r})"
