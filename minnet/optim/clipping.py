"""Gradient clipping, in place, with PyTorch's names and rules.

Call between ``model.backward(...)`` and ``optimizer.step()``. Clipping by
the global norm keeps the direction of the whole gradient and caps its
length: the usual cure for the exploding gradients of recurrent networks.
Both functions skip the parameters that ``step()`` skips (frozen, or not
reached by a backward since ``zero_grad()``), as PyTorch skips a None grad.
"""

import math
import numbers

import numpy as np

from minnet.errors import ConfigError, DataError
from minnet.optim.optimizer import receives_update
from minnet.optim.param_groups import as_parameter_list
from minnet.validation import check_bool, check_float


def _check_norm_type(norm_type):
    if isinstance(norm_type, str) and norm_type.strip().lower() == "inf":
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) \
            or not norm_type > 0:
        raise ConfigError(
            f"clip_grad_norm_: the 'norm_type' parameter must be a float > 0 or inf "
            f"(2.0 for the L2 norm, 1.0, float('inf') for the largest entry), got {norm_type!r}"
        )
    return float(norm_type)


def _norm(grad, norm_type):
    """The ``norm_type``-norm of one gradient (any shape), as a Python float."""
    flat = grad.reshape(-1)
    if flat.size == 0:
        return 0.0
    if norm_type == 2.0:
        return math.sqrt(float(np.dot(flat, flat)))
    if norm_type == math.inf:
        return float(np.max(np.abs(flat)))
    if norm_type == 1.0:
        return float(np.sum(np.abs(flat)))
    return float(np.sum(np.abs(flat) ** norm_type)) ** (1.0 / norm_type)


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
    params = as_parameter_list("clip_grad_norm_", params, allow_single=True)
    max_norm = check_float("clip_grad_norm_", "max_norm", max_norm, low=0.0, low_open=True)
    norm_type = _check_norm_type(norm_type)
    error_if_nonfinite = check_bool("clip_grad_norm_", "error_if_nonfinite",
                                    error_if_nonfinite)
    params = [param for param in params if receives_update(param)]
    with np.errstate(over="ignore", invalid="ignore"):
        norms = [_norm(param.grad, norm_type) for param in params]
    if not norms:
        return 0.0
    if norm_type == math.inf:
        total_norm = max(norms) if not any(math.isnan(norm) for norm in norms) else math.nan
    else:
        total_norm = _norm(np.array(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total_norm):
        raise DataError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{total_norm}, so they cannot be clipped (look for the first non-finite loss "
            f"or gradient); error_if_nonfinite=False scales them by it anyway"
        )
    scale = max_norm / (total_norm + 1e-6)
    if not scale >= 1.0:  # also true for NaN, which PyTorch propagates into the grads
        with np.errstate(invalid="ignore", over="ignore"):
            for param in params:
                grad = param.grad_target()  # marks the parameter as reached, as add_grad does
                np.multiply(grad, scale, out=grad)
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
        if receives_update(param):
            grad = param.grad_target()
            np.clip(grad, -clip_value, clip_value, out=grad)
