"""Exercise 11, dropout: inverted dropout, forward and backward (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def dropout_forward(x, p=0.5, training=True, rng=None):
    """Inverted dropout forward pass.

    Parameters
    ----------
    x : ndarray of any shape (ints and bools become float64)
    p : float in [0, 1), the probability of dropping each entry
    training : bool; False (evaluation) returns ``x`` itself
    rng : None, int or numpy.random.Generator, draws the mask

    Returns
    -------
    out : ndarray of x's shape and dtype
    cache : (mask, x's shape); mask is (kept, scale): the bool mask of the entries kept
        (x's shape) and 1 / (1 - p) in x's dtype; None for the identity (evaluation, or p = 0)
    """
    # TODO: draw a keep-mask from np.random.default_rng(rng), scale kept entries by 1 / (1 - p).
    raise NotImplementedError


def dropout_backward(grad_out, cache):
    """Inverted dropout backward pass, for ``dropout_forward`` and ``dropout2d_forward``.

    out = x * mask with a constant mask, so dx = grad_out * mask: the dropped
    entries get no gradient and the kept ones the same 1 / (1 - p) scale. A
    channel mask (N, C, 1, 1) broadcasts over H x W.

    Parameters
    ----------
    grad_out : ndarray of the output's shape
    cache : from ``dropout_forward`` or ``dropout2d_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape
    """
    # TODO: route grad_out through the forward's mask.
    raise NotImplementedError
