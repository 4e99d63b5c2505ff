"""Reductions shared by every loss: "mean", "sum" or "none" over the per-element losses.

A loss forward computes one loss per element (per sample, per position or
per entry), then reduces them as PyTorch does: ``"mean"`` divides their sum
by a denominator (the number of elements, or the summed class weights of
the counted targets for the class losses), ``"sum"`` adds them, and
``"none"`` returns them as an ndarray. The backward starts from the upstream
gradient of each per-element loss, which ``upstream_gradient`` derives from
the caller's ``grad_out``.
"""

from typing import NamedTuple

import numpy as np

from minnet.errors import MinnetError, ShapeError
from minnet.validation import (  # noqa: F401  (quiet_overflow: used by every loss pair)
    as_float_array,
    check_choice,
    owner_name,
    quiet_overflow,
)

REDUCTIONS = ("none", "mean", "sum")


class Reduction(NamedTuple):
    """What a backward needs to know about its forward's reduction (kept in the cache).

    owner : str or Loss, named by error messages
    reduction : "none", "mean" or "sum"
    shape : tuple, the shape of the per-element losses
    denominator : float, what "mean" divided the sum by
    dtype : the prediction's float dtype
    """

    owner: object
    reduction: str
    shape: tuple
    denominator: float
    dtype: np.dtype


def check_reduction(owner, reduction):
    """Return ``reduction``; raise ConfigError unless it is "none", "mean" or "sum"."""
    return check_choice(owner, "reduction", reduction, REDUCTIONS)


def reduce_loss(info, per_element):
    """The loss a forward returns: a float for "mean" and "sum", the ndarray for "none"."""
    if info.reduction == "none":
        return per_element
    total = float(np.sum(per_element))
    return total if info.reduction == "sum" else total / info.denominator


def upstream_gradient(grad_out, info):
    """d(caller's objective)/d(each per-element loss), from the loss's upstream gradient.

    "mean" and "sum" losses are floats: ``grad_out`` is a scalar (None means
    1.0, the loss is the end of the graph); the result is the float
    ``grad_out / denominator`` (mean) or ``grad_out`` (sum). "none" losses are
    arrays: ``grad_out`` must have their shape and is returned in the
    prediction's dtype.
    """
    owner = info.owner  # its name (a repr) is built only for a message
    if info.reduction == "none":
        if grad_out is None:
            raise MinnetError(
                f"{owner_name(owner)}: with reduction='none' the loss is an array of shape "
                f"{info.shape}, so backward() needs its upstream gradient, an array of that "
                f"shape: call loss_fn.backward(np.ones_like(loss)) to sum the losses, or build "
                f"the loss with reduction='sum' or 'mean'")
        grad = as_float_array(owner, grad_out, dtype=info.dtype, what="grad_out")
        if grad.shape != info.shape:
            raise ShapeError(f"{owner_name(owner)}: expected grad_out of shape {info.shape} "
                             f"(the shape of the per-element losses), got {grad.shape}")
        return grad
    if grad_out is None:
        scale = 1.0
    else:
        grad_out = as_float_array(owner, grad_out, what="grad_out")  # ragged, strings: refused
        if grad_out.ndim != 0:
            raise ShapeError(
                f"{owner_name(owner)}: with reduction={info.reduction!r} the loss is a float, "
                f"so grad_out must be a scalar (or None for 1.0), got shape "
                f"{grad_out.shape}")
        scale = float(grad_out)
    return scale / info.denominator if info.reduction == "mean" else scale


def times_upstream(local, upstream):
    """``local * upstream`` where the per-element upstream may be a float or an ndarray
    that broadcasts against ``local`` from the left (a class axis 1 is added)."""
    if isinstance(upstream, float):
        return local * upstream
    if upstream.ndim < local.ndim:  # class losses: (N, d...) against (N, C, d...)
        upstream = np.expand_dims(upstream, 1)
    return local * upstream
