"""Parameter: a trainable array and its gradient, which accumulates."""

import numpy as np

from minnet.errors import ConfigError
from minnet.validation import FLOAT_DTYPES, QUIET


class Parameter:
    """A trainable array and its gradient.

    Attributes
    ----------
    data : ndarray
        The value, float32 or float64.
    grad : ndarray
        Same shape and dtype as ``data``; always an array (zeros at first).
        Backward passes add into it (``add_grad``), so it accumulates until
        ``zero_grad()`` fills it with zeros again.
    name : str or None
        Set by the owning module at registration (``"weight"``, ``"bias"``).
    requires_grad : bool
        False freezes the parameter: backward adds nothing into its ``.grad``
        and every optimizer leaves it alone (PyTorch's flag).

    Notes
    -----
    ``has_grad`` tells whether a backward pass reached the parameter since the
    last ``zero_grad()``. PyTorch marks an unreached parameter by a ``.grad``
    of None and its optimizers skip it (no momentum, no weight decay); minnet
    keeps ``.grad`` an array, and its optimizers skip a parameter whose
    ``has_grad`` is False.
    """

    def __init__(self, data, name=None, requires_grad=True):
        data = np.array(data, copy=True)
        if data.dtype not in FLOAT_DTYPES:
            data = data.astype(np.float64)
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name
        self.requires_grad = requires_grad
        self._grad_written = False

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise ConfigError(f"{self!r}: requires_grad must be a bool, got {value!r}")
        self._requires_grad = bool(value)

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    @property
    def has_grad(self):
        """True when a backward pass (or code writing into ``.grad``) reached it since
        ``zero_grad()``.

        A backward pass marks it through ``add_grad``; a gradient written
        directly (``param.grad += g`` in a hand-written layer) counts as soon as
        it is non-zero.
        """
        return self._grad_written or bool(np.any(self.grad))

    def add_grad(self, grad):
        """Add ``grad`` (``data``'s shape) into ``.grad``; nothing when frozen."""
        if not self._requires_grad:
            return
        if self._grad_written:  # accumulating: inf - inf is NaN, as in PyTorch, quietly
            with np.errstate(**QUIET):
                self.grad += grad
        else:  # onto zeros (the usual step): nothing to overflow, no errstate to pay for
            self.grad += grad
        self._grad_written = True

    def fresh_grad(self):
        """``.grad`` for a backward pass to overwrite, or None: then use ``add_grad``.

        Returned only when nothing was added since ``zero_grad()`` (``.grad``
        holds zeros, so writing the gradient equals adding it) and the
        parameter is not frozen; it then counts as reached. A matrix product
        writes straight into it (``np.matmul(..., out=...)``): no temporary
        array and no pass adding it to the zeros.
        """
        if not self._requires_grad or self._grad_written:
            return None
        self._grad_written = True
        return self.grad

    def grad_target(self):
        """``.grad``, for a kernel that adds into it in place; None when frozen."""
        if not self._requires_grad:
            return None
        self._grad_written = True
        return self.grad

    def zero_grad(self):
        """Fill ``grad`` with zeros in place; the parameter counts as not reached again."""
        self.grad.fill(0)
        self._grad_written = False

    def __repr__(self):
        frozen = "" if self.__dict__.get("_requires_grad", True) else ", requires_grad=False"
        return f"Parameter(name={self.name!r}, shape={self.shape}, dtype={self.dtype}{frozen})"
