"""The optimizers' fast path: the packing of their scalars for the numba twins, the dispatch.

Each optimizer's update rule is a NumPy function in the optimizer's own file,
the textbook rule line by line: ``minnet.optim.sgd.sgd_update``,
``adam.adam_update``, ``rmsprop.rmsprop_update`` and ``adagrad.adagrad_update``.
That function is the reference: the numpy backend runs it, and so does the
numba backend wherever a twin cannot run. Its numba twin, of the same name in
``optim_numba.py``, does the same arithmetic in one pass over the arrays
(timings: "Optimizer updates" in ``benchmarks/README.md``). This file holds
what only the twins need:

- ``*_coefficients`` pack a rule's scalars, computed in Python floats from the
  rule's own keyword arguments (same names, same defaults), into one float64
  array. The twin rounds them to the parameter's dtype, as NumPy rounds a
  Python float before it multiplies a float32 array, and does the reference's
  float32 (or float64) operations in the reference's order, so the two agree
  to the last bit (LLVM does not contract into FMAs without fastmath).
- ``run_update`` runs a rule on its twin when it can, and the NumPy function
  otherwise.
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.kernels.backend import get_backend

COMPILED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# NaN and inf flow through a NumPy update as through its twin (and PyTorch's), without
# NumPy's RuntimeWarnings: ``with np.errstate(**QUIET):``.
QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


# --- the scalars of each rule, packed for its twin -------------------------------

SGD_COEFFICIENTS = ("lr", "momentum", "one_minus_dampening", "weight_decay", "nesterov")


def sgd_coefficients(lr, momentum=0.0, weight_decay=0.0, nesterov=False, dampening=0.0):
    """``sgd_update``'s scalars as a float64 array (5,), ``nesterov`` as 1.0 or 0.0."""
    return np.array([lr, momentum, 1 - dampening, weight_decay, 1.0 if nesterov else 0.0])


ADAM_COEFFICIENTS = ("one_minus_beta1", "beta2", "one_minus_beta2", "bias_correction2_sqrt",
                     "eps", "step_size", "weight_decay", "decay_factor")


def adam_coefficients(lr, beta1, beta2, eps, step, weight_decay=0.0, decoupled=False):
    """``adam_update``'s scalars for step ``step`` (1, 2, ...) as a float64 array (8,).

    ``step_size = lr / (1 - beta1**step)``, ``bias_correction2_sqrt =
    sqrt(1 - beta2**step)``. ``weight_decay`` is the L2 coefficient added to
    the gradient (Adam) unless ``decoupled`` (AdamW), where the parameter is
    first scaled by ``decay_factor = 1 - lr * weight_decay`` instead; the
    unused one is 0 / 1.
    """
    return np.array([1 - beta1, beta2, 1 - beta2, math.sqrt(1 - beta2 ** step), eps,
                     lr / (1 - beta1 ** step), 0.0 if decoupled else weight_decay,
                     1 - lr * weight_decay if decoupled else 1.0])


RMSPROP_COEFFICIENTS = ("lr", "alpha", "one_minus_alpha", "eps", "momentum", "weight_decay")


def rmsprop_coefficients(lr, alpha, eps, momentum=0.0, weight_decay=0.0):
    """``rmsprop_update``'s scalars as a float64 array (6,)."""
    return np.array([lr, alpha, 1 - alpha, eps, momentum, weight_decay])


ADAGRAD_COEFFICIENTS = ("clr", "eps", "weight_decay")


def adagrad_coefficients(lr, eps, step=1, lr_decay=0.0, weight_decay=0.0):
    """``adagrad_update``'s scalars for step ``step`` (1, 2, ...) as a float64 array (3,).

    ``clr = lr / (1 + (step - 1) * lr_decay)``, PyTorch's decayed learning rate.
    """
    return np.array([lr / (1 + (step - 1) * lr_decay), eps, weight_decay])


# --- which NumPy update has a twin ------------------------------------------------

class Twin(NamedTuple):
    """A NumPy update's numba twin: ``compiled(param, grad, *states, pack(**options))`` on
    1-D arrays, taking the update's first ``states`` state arrays."""

    compiled: object
    pack: object
    states: int


# The NumPy updates that have a twin, by full name: the packing of their scalars and how
# many state arrays the twin takes. A state after those (amsgrad's running maximum,
# centered RMSprop's mean gradient: rarely used, so never fused) keeps the NumPy update.
TWINS = {
    "minnet.optim.sgd.sgd_update": (sgd_coefficients, 1),
    "minnet.optim.adam.adam_update": (adam_coefficients, 2),
    "minnet.optim.rmsprop.rmsprop_update": (rmsprop_coefficients, 2),
    "minnet.optim.adagrad.adagrad_update": (adagrad_coefficients, 1),
}
_twins = {}  # update function -> Twin or None, filled on first use


def twin_of(update):
    """The ``Twin`` of a NumPy update, or None; imports numba on the first call."""
    try:
        return _twins[update]
    except KeyError:
        entry = TWINS.get(f"{update.__module__}.{update.__qualname__}")
        if entry is not None:
            from minnet.kernels import optim_numba  # lazily: import minnet imports no numba
            entry = Twin(getattr(optim_numba, update.__name__), *entry)
        _twins[update] = entry
        return entry


def twin_can_run(twin, param, grad, states):
    """True when the arrays suit ``twin``: the states after the ones it takes are None, and
    every array is C-contiguous, writeable, of param's shape and of param's dtype, float32
    or float64. (One loop, no generators: this runs once per parameter and step.)"""
    if param.dtype not in COMPILED_DTYPES:
        return False
    for index, array in enumerate((param, grad, *states)):
        if array is None:
            continue
        flags = array.flags
        if (index > twin.states + 1 or array.dtype != param.dtype
                or array.shape != param.shape or not flags.c_contiguous
                or not flags.writeable):
            return False
    return True


def run_update(update, param, grad, states, options):
    """Run ``update(param, grad, *states, **options)`` in place, on its numba twin when it can.

    The twin runs when the backend is numba, ``update`` has one and
    ``twin_can_run``: always the case for minnet's own Parameters and state,
    except with amsgrad or centered RMSprop. Anything else (a non-contiguous
    ``param.data`` set by hand, a float64 ``.grad`` on a float32 parameter)
    runs the NumPy update, which takes any layout and mixes dtypes as NumPy
    does, without RuntimeWarnings for NaN and inf.

    Parameters
    ----------
    update : one of the optimizers' NumPy updates, e.g. ``minnet.optim.adam.adam_update``
    param, grad : ndarray of one shape
    states : tuple of ndarray (param's shape) or None (a buffer the rule does not use,
        e.g. SGD's without momentum), in the order of ``update``'s arguments
    options : dict of ``update``'s keyword arguments (Python floats, ints, bools)
    """
    twin = twin_of(update) if get_backend() == "numba" else None
    if twin is not None and twin_can_run(twin, param, grad, states):
        arrays = [param.reshape(-1), grad.reshape(-1)]
        for state in states[:twin.states]:  # an unused buffer: an empty array of the dtype
            arrays.append(arrays[0][:0] if state is None else state.reshape(-1))
        twin.compiled(*arrays, twin.pack(**options))
        return
    with np.errstate(**QUIET):
        update(param, grad, *states, **options)
