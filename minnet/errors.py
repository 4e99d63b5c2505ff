"""The error hierarchy: every error minnet raises on purpose is a MinnetError.

Each subclass also derives from the built-in exception a Python user would
expect (``ValueError`` for a bad shape or argument, ``TypeError`` for a bad
dtype), so ``except ValueError`` keeps working. Messages name the object,
what was expected, what was given and, where one exists, the fix.
"""


class MinnetError(Exception):
    """Base class of every error raised on purpose by minnet."""


class ShapeError(MinnetError, ValueError):
    """An array has the wrong number of dimensions or the wrong shape."""


class ConfigError(MinnetError, ValueError):
    """A constructor or function argument is invalid (lr <= 0, p outside [0, 1), ...)."""


class ArgumentError(ConfigError, TypeError):
    """A call's arguments do not fit the signature: an unknown keyword, a missing or an extra one.

    A ConfigError (a bad argument) that is also a TypeError, the exception
    Python and PyTorch raise for a call that does not match a signature.
    """


class DTypeError(MinnetError, TypeError):
    """An array has a dtype the operation cannot use (strings, objects, floats as labels, ...)."""


class DataError(MinnetError, ValueError):
    """Data values are invalid: NaN targets, labels out of range, empty arrays."""


class StateDictError(MinnetError, RuntimeError):
    """``load_state_dict`` found missing, unexpected or mis-shaped keys."""


class CheckpointError(MinnetError, ValueError):
    """A checkpoint file is truncated, foreign or otherwise unreadable."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """``load`` was given a path where no file exists (catchable as either parent)."""


class CheckpointWriteError(CheckpointError, OSError):
    """``save`` could not write (a missing or read-only directory, a full disk).

    Catchable as either parent; ``errno`` is the operating system's. The
    previous file at the path, if any, is unchanged.
    """

    def __init__(self, message, errno=None):
        super().__init__(message)  # str() is the message alone, not OSError's "[Errno n]"
        self.errno = errno


class GradcheckError(MinnetError, AssertionError):
    """Analytic and numerical gradients disagree."""


class LayerCheckError(MinnetError, AssertionError):
    """A layer failed one of the common layer checks (``minnet.testing``)."""
