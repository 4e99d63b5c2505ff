"""Exercise 22, clip-grad-norm: clip the global norm of all gradients, in place (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def clip_grad_norm_(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients in place so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
        ``model.parameters()``, a list, a generator or a single Parameter.
    max_norm : float
        > 0.
    norm_type : float
        The p of the p-norm, > 0 (default 2.0); ``float("inf")`` (or
        ``"inf"``) for the largest absolute entry.
    error_if_nonfinite : bool
        Raise DataError, before changing anything, when the total norm is
        NaN or infinite (default False: return it, as PyTorch does).

    Returns
    -------
    total_norm : float
        The norm of all the gradients together (the norm of the per-parameter
        norms), measured BEFORE clipping; 0.0 when no parameter has a gradient.

    Notes
    -----
    As in PyTorch, every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)`` when that factor is below 1 (that is,
    when ``total_norm`` exceeds ``max_norm``, to within 1e-6), and left
    untouched otherwise. A NaN or infinite norm makes the gradients NaN
    (the factor is 0 or NaN), for the diagnostics to see.
    """
    # TODO: one norm over every gradient together; when it exceeds max_norm, scale each
    # param.grad in place.
    raise NotImplementedError
