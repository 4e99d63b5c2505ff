"""Gradient clipping, in place, with PyTorch's names and rules.

Call between ``model.backward(...)`` and ``optimizer.step()``. Clipping by
the global norm keeps the direction of the whole gradient and caps its
length: the usual cure for the exploding gradients of recurrent networks.
"""

import math

import numpy as np

from minnet.optim.optimizer import as_parameter_list
from minnet.validation import check_float


def clip_grad_norm_(params, max_norm):
    """Scale all gradients in place so that their global L2 norm is at most ``max_norm``.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
        ``model.parameters()``, a list, a generator or a single Parameter.
    max_norm : float
        > 0.

    Returns
    -------
    total_norm : float
        ``sqrt(sum over params of sum(grad ** 2))``, measured BEFORE clipping.

    Notes
    -----
    As in PyTorch, every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)`` when that factor is below 1 (that is,
    when ``total_norm`` exceeds ``max_norm``, to within 1e-6), and left
    untouched otherwise. A NaN or infinite norm is returned, not raised
    (PyTorch's ``error_if_nonfinite=False``), and makes the gradients NaN:
    the diagnostics report it.
    """
    params = as_parameter_list("clip_grad_norm_", params, allow_single=True)
    max_norm = check_float("clip_grad_norm_", "max_norm", max_norm, low=0.0, low_open=True)
    squared = 0.0
    for param in params:
        flat = param.grad.reshape(-1)
        squared += float(np.dot(flat, flat))
    total_norm = math.sqrt(squared)
    scale = max_norm / (total_norm + 1e-6)
    if not scale >= 1.0:  # also true for NaN, which PyTorch propagates into the grads
        with np.errstate(invalid="ignore", over="ignore"):
            for param in params:
                param.grad *= scale
    return total_norm


def clip_grad_value_(params, clip_value):
    """Clip every gradient entry in place to ``[-clip_value, clip_value]``.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
        ``model.parameters()``, a list, a generator or a single Parameter.
    clip_value : float
        > 0.

    Notes
    -----
    Unlike ``clip_grad_norm_``, this changes the gradient's direction.
    """
    params = as_parameter_list("clip_grad_value_", params, allow_single=True)
    clip_value = check_float("clip_grad_value_", "clip_value", clip_value,
                             low=0.0, low_open=True)
    for param in params:
        np.clip(param.grad, -clip_value, clip_value, out=param.grad)
