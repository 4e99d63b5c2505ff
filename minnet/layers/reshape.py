"""Flatten and Reshape: moving between feature maps, sequences and flat vectors."""

import math

import numpy as np

from minnet.core import Module
from minnet.errors import ConfigError, ShapeError
from minnet.validation import as_float_array, check_ndim, owner_name


class Flatten(Module):
    """Flatten every dimension after the batch one, like PyTorch's ``Flatten()``.

    Shapes: input (N, d_1, ..., d_k) -> output (N, d_1 * ... * d_k). The
    output is a view when the input is contiguous; backward reshapes the
    gradient back to the input's shape.
    """

    def forward(self, x):
        x = as_float_array(self, x)
        check_ndim(self, x, range(2, 64), "(N, d_1, ..., d_k)",
                   hint="a batch of scalars needs x.reshape(-1, 1)")
        out = x.reshape(x.shape[0], math.prod(x.shape[1:]))
        self.push_cache((x.shape, out.shape))
        return out

    def backward(self, grad_out):
        """Return dL/dx: grad_out (N, d_1 * ... * d_k) reshaped to (N, d_1, ..., d_k)."""
        # Reshaping moves no value, so the gradient is the same numbers, reshaped back.
        input_shape, _ = self.pop_cache(grad_out, lambda shapes: shapes[1])
        return np.asarray(grad_out).reshape(input_shape)


class Reshape(Module):
    """Reshape every sample, keeping the batch axis: ``x.reshape(N, *shape)``.

    ``Reshape(1, 40)`` turns MNIST-1D's (N, 40) into Conv1d's (N, 1, 40);
    ``Reshape(40, 1)`` into a recurrent layer's (N, T=40, features=1). One
    entry may be -1 (inferred from the size of one sample, so that an empty
    batch reshapes too), as in NumPy.

    Shapes: input (N, d_1, ..., d_k) -> output (N, *shape), with
    d_1 * ... * d_k equal to the product of ``shape``.
    """

    def __init__(self, *shape):
        super().__init__()
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])  # Reshape((1, 40)), as x.reshape((1, 40)) works
        if not shape or any(isinstance(s, bool) or not isinstance(s, int) for s in shape) \
                or sum(s == -1 for s in shape) > 1 or any(s < -1 or s == 0 for s in shape):
            raise ConfigError(
                f"Reshape: expected positive ints (at most one -1) for the per-sample shape, "
                f"got {shape!r}")
        self.shape = tuple(shape)

    def extra_repr(self):
        return ", ".join(str(s) for s in self.shape)

    def forward(self, x):
        x = as_float_array(self, x)
        check_ndim(self, x, range(1, 64), "(N, ...)")
        known = math.prod(s for s in self.shape if s != -1)
        size = math.prod(x.shape[1:])
        if size % known or (-1 not in self.shape and size != known):
            raise ShapeError(
                f"{owner_name(self)}: expected input with {known} values per sample "
                f"(a multiple of it when the shape holds -1), got shape {tuple(x.shape)}")
        # -1 from the per-sample size, not left to NumPy: an empty batch (0, ...) has
        # no size to infer it from, yet each of its samples has a shape.
        shape = tuple(size // known if s == -1 else s for s in self.shape)
        out = x.reshape(x.shape[0], *shape)
        self.push_cache((x.shape, out.shape))
        return out

    def backward(self, grad_out):
        """Return dL/dx: grad_out (N, *shape) reshaped to the input's shape."""
        # As for Flatten: the same numbers, in the input's shape.
        input_shape, _ = self.pop_cache(grad_out, lambda shapes: shapes[1])
        return np.asarray(grad_out).reshape(input_shape)
