"""Flatten: the bridge from convolutional feature maps to Linear layers."""

import math

from minnet.core import Module
from minnet.validation import as_float_array, check_backward_ready, check_ndim


class Flatten(Module):
    """Flatten every dimension after the batch one, like PyTorch's ``Flatten()``.

    Shapes: input (N, d_1, ..., d_k) -> output (N, d_1 * ... * d_k). The
    output is a view when the input is contiguous; backward reshapes the
    gradient back to the input's shape.
    """

    def __init__(self):
        super().__init__()
        self._input_shape = None

    def forward(self, x):
        x = as_float_array(self, x)
        check_ndim(self, x, range(2, 64), "(N, d_1, ..., d_k)",
                   hint="a batch of scalars needs x.reshape(-1, 1)")
        self._input_shape = x.shape
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, grad_out):
        """Return dL/dx: grad_out (N, d_1 * ... * d_k) reshaped to (N, d_1, ..., d_k)."""
        # Reshaping moves no value, so the gradient is the same numbers, reshaped back.
        expected = ()
        if self._input_shape is not None:
            expected = (self._input_shape[0], math.prod(self._input_shape[1:]))
        check_backward_ready(self, self._input_shape, grad_out, expected)
        return grad_out.reshape(self._input_shape)
