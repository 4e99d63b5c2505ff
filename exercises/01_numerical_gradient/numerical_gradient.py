"""Exercise 1, numerical-gradient: central differences, the check of every backward."""

import numpy as np  # noqa: F401  (you will need it)


def numerical_gradient(f, x, grad_out=None, eps=1e-06):
    """Central-difference gradient of ``sum(f(x) * grad_out)`` with respect to ``x``.

    ``f`` is called with ``x`` itself, which is perturbed in place one entry at
    a time and restored, so ``f`` may close over arrays that alias ``x`` (a
    layer's own parameter). Any memory layout works (entries are addressed by
    their multi-index, not through a flat view). ``f``'s result is copied at
    once, so an ``f`` that returns a view of ``x`` (Flatten) is measured right.
    With ``grad_out=None`` ``f`` must return a scalar.

    Parameters
    ----------
    f : callable, x -> ndarray (any shape) or float
    x : writeable float64 (or float32, with a larger eps) ndarray, any shape
    grad_out : ndarray of f(x)'s shape, or None for a scalar f
    eps : float

    Returns
    -------
    float64 ndarray of x's shape
    """
    # TODO: for every entry of x: perturb it by +eps and -eps, evaluate, restore it.
    raise NotImplementedError
