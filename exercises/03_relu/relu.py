"""Exercise 3, relu: forward and backward of max(x, 0) (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def relu_forward(x):
    """ReLU: ``out = max(x, 0)``. x: any shape. Returns (out, cache)."""
    # TODO: compute max(x, 0) and keep what the backward needs.
    raise NotImplementedError


def relu_backward(grad_out, cache):
    """Gradient of ReLU. grad_out: out's shape. Returns dx: x's shape."""
    # TODO: pass grad_out through where x > 0, 0 elsewhere (x = 0 included).
    raise NotImplementedError
