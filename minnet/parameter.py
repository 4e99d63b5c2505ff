"""Parameter: a trainable array and its gradient, which accumulates."""

import numpy as np

from minnet.validation import FLOAT_DTYPES


class Parameter:
    """A trainable array and its gradient.

    Attributes
    ----------
    data : ndarray
        The value, float32 or float64.
    grad : ndarray
        Same shape and dtype as ``data``; always an array (zeros at first).
        ``Module.backward`` adds into it, so it accumulates until
        ``zero_grad()`` fills it with zeros again.
    name : str or None
        Set by the owning module at registration (``"weight"``, ``"bias"``).
    """

    def __init__(self, data, name=None):
        data = np.array(data, copy=True)
        if data.dtype not in FLOAT_DTYPES:
            data = data.astype(np.float64)
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        return self.data.size

    def zero_grad(self):
        """Fill ``grad`` with zeros in place."""
        self.grad.fill(0)

    def __repr__(self):
        return f"Parameter(name={self.name!r}, shape={self.shape}, dtype={self.dtype})"
