"""Exercise 5, tanh: forward and backward of the hyperbolic tangent (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def tanh_forward(x):
    """Hyperbolic tangent. x: any shape. Returns (out, cache)."""
    # TODO: compute tanh(x) and keep what the backward needs.
    raise NotImplementedError


def tanh_backward(grad_out, cache):
    """Gradient of tanh. grad_out: out's shape. Returns dx: x's shape."""
    # TODO: multiply grad_out by tanh's derivative.
    raise NotImplementedError
