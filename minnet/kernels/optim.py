"""Optimizer updates, one parameter at a time: NumPy references and their fused twins.

A NumPy update walks the parameter-sized arrays once per operation (Adam:
about ten passes and a scratch array); the numba twins do one pass with the
values in registers. The rules are PyTorch's, written out in the optimizer
classes (``minnet.optim``); the references are those classes' original code.

Conventions shared by every kernel here:

- ``param``, ``grad`` and the state arrays have one shape and one float dtype;
  ``param`` and the state arrays are updated in place, ``grad`` is only read.
  The optimizers pass 1-D C-contiguous views (``array.reshape(-1)``) to the
  compiled twins and fall back to the reference for anything else.
- ``coefficients`` is a float64 array of the scalars, computed in Python
  floats. The reference unpacks them back to Python floats, so NumPy treats
  them as it treated the optimizers' own attributes: rounded to a float32
  array's dtype before multiplying it. The compiled twin rounds them to the
  parameter's dtype the same way and does the same float32 (or float64)
  operations in the same order, so the two agree to the last bit (LLVM does
  not contract into FMAs without fastmath).
"""

import math

import numpy as np

from minnet.kernels.backend import Kernel, get_backend

COMPILED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# NaN and inf flow through a NumPy update as through its twin (and PyTorch's), without
# NumPy's RuntimeWarnings: ``with np.errstate(**QUIET):``.
QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


def apply_update(kernel, param, grad, states, coefficients):
    """Run one update kernel on a parameter, on the compiled twin whenever it can.

    The twin runs on flat views when every array is C-contiguous, of param's
    shape and dtype (always the case for minnet's own Parameters and state);
    anything else (a non-contiguous ``param.data`` set by hand, a float64
    ``.grad`` on a float32 parameter) goes to the reference, which handles
    any layout and mixed dtypes as NumPy does. ``None`` in ``states`` stands
    for a buffer the rule does not use (SGD without momentum).

    Parameters
    ----------
    kernel : Kernel, one of the ``*_update`` kernels below
    param, grad : ndarray of one shape
    states : tuple of ndarray (param's shape) or None
    coefficients : ndarray from the matching ``*_coefficients`` function
    """
    arrays = (param, grad) + tuple(state for state in states if state is not None)
    if get_backend() == "numba" and param.dtype in COMPILED_DTYPES and all(
            array.dtype == param.dtype and array.shape == param.shape
            and array.flags.c_contiguous and array.flags.writeable for array in arrays):
        flat = param.reshape(-1)
        unused = flat[:0]
        kernel.compiled(flat, grad.reshape(-1),
                        *(unused if state is None else state.reshape(-1) for state in states),
                        coefficients)
    else:
        with np.errstate(**QUIET):
            kernel.reference(param, grad, *states, coefficients)


# --- Adam / AdamW -------------------------------------------------------------

# Positions in Adam's coefficients array.
ADAM_COEFFICIENTS = ("one_minus_beta1", "beta2", "one_minus_beta2", "bias_correction2_sqrt",
                     "eps", "step_size", "weight_decay", "decay_factor")


def adam_coefficients(lr, beta1, beta2, eps, step, weight_decay=0.0, decoupled=False):
    """Pack Adam's scalars for step ``step`` (1, 2, ...) as a float64 array.

    ``weight_decay`` is the L2 coefficient added to the gradient (Adam) unless
    ``decoupled`` (AdamW), where the parameter is first scaled by
    ``decay_factor = 1 - lr * weight_decay`` instead; the unused one is 0 / 1.
    """
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
    l2 = 0.0 if decoupled else weight_decay
    decay_factor = 1 - lr * weight_decay if decoupled else 1.0
    return np.array([1 - beta1, beta2, 1 - beta2, bias_correction2_sqrt, eps,
                     lr / bias_correction1, l2, decay_factor])


def adam_update(param, grad, exp_avg, exp_avg_sq, coefficients):
    """One Adam/AdamW step (PyTorch's formula, ``amsgrad=False``), in place.

    g = grad + weight_decay * param           (L2, Adam; weight_decay = 0 for AdamW)
    param *= decay_factor                     (AdamW's decoupled decay; 1 for Adam)
    exp_avg += (1 - beta1) * (g - exp_avg)    (= beta1 * exp_avg + (1 - beta1) * g)
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
    param -= step_size * exp_avg / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps)

    with step_size = lr / (1 - beta1**step), bias_correction2_sqrt = sqrt(1 - beta2**step).
    The NumPy code below does the same in place, through one scratch array.

    Parameters
    ----------
    param, exp_avg, exp_avg_sq : ndarray (any shape), updated in place
    grad : ndarray, param's shape and dtype, read only
    coefficients : float64 ndarray (8,) from ``adam_coefficients``
    """
    (one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps, step_size,
     weight_decay, decay_factor) = coefficients.tolist()
    if weight_decay != 0:
        grad = grad + weight_decay * param  # a new array: .grad stays untouched
    if decay_factor != 1:
        param *= decay_factor
    scratch = np.asarray(np.subtract(grad, exp_avg))  # asarray: 0-d inputs give scalars
    scratch *= one_minus_beta1
    exp_avg += scratch
    exp_avg_sq *= beta2
    np.multiply(grad, grad, out=scratch)
    scratch *= one_minus_beta2
    exp_avg_sq += scratch
    np.sqrt(exp_avg_sq, out=scratch)
    scratch /= bias_correction2_sqrt
    scratch += eps
    np.divide(exp_avg, scratch, out=scratch)
    scratch *= step_size
    param -= scratch


adam_update = Kernel(adam_update, "optim_numba")

def adam_amsgrad_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, coefficients):
    """One Adam/AdamW step with ``amsgrad=True`` (PyTorch's formula), in place. NumPy only.

    As ``adam_update``, but the denominator uses the largest ``exp_avg_sq``
    seen so far, so the step size never grows back::

        max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)
        param -= step_size * exp_avg / (sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps)

    No numba twin: a rarely used option, written as the textbook rule.
    """
    (one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps, step_size,
     weight_decay, decay_factor) = coefficients.tolist()
    with np.errstate(**QUIET):
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if decay_factor != 1:
            param *= decay_factor
        exp_avg += one_minus_beta1 * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += one_minus_beta2 * (grad * grad)
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denominator = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
        param -= step_size * (exp_avg / denominator)


# --- SGD ---------------------------------------------------------------------

SGD_COEFFICIENTS = ("lr", "momentum", "one_minus_dampening", "weight_decay", "nesterov")


def sgd_coefficients(lr, momentum=0.0, weight_decay=0.0, nesterov=False, dampening=0.0):
    """Pack SGD's scalars as a float64 array (``nesterov`` as 1.0 or 0.0).

    For a parameter's first momentum step pass ``dampening=0``: PyTorch's
    buffer starts as the gradient itself, undamped (``b = 0 * momentum + g``).
    """
    return np.array([lr, momentum, 1 - dampening, weight_decay, 1.0 if nesterov else 0.0])


def sgd_update(param, grad, momentum_buffer, coefficients):
    """One SGD step (PyTorch's formula), in place.

    g = grad + weight_decay * param
    buffer = momentum * buffer + (1 - dampening) * g      (if momentum != 0)
    g = g + momentum * buffer if nesterov else buffer
    param -= lr * g

    Parameters
    ----------
    param : ndarray (any shape), updated in place
    grad : ndarray, param's shape and dtype, read only
    momentum_buffer : ndarray of param's shape, updated in place; ignored (pass
        any array of the dtype, e.g. ``param[:0]``) when momentum is 0
    coefficients : float64 ndarray (5,) from ``sgd_coefficients``
    """
    lr, momentum, one_minus_dampening, weight_decay, nesterov = coefficients.tolist()
    if weight_decay != 0:
        grad = grad + weight_decay * param  # a new array: .grad stays untouched
    if momentum != 0:
        momentum_buffer *= momentum
        momentum_buffer += grad if one_minus_dampening == 1 else one_minus_dampening * grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * grad


sgd_update = Kernel(sgd_update, "optim_numba")

# --- RMSprop and Adagrad -------------------------------------------------------

RMSPROP_COEFFICIENTS = ("lr", "alpha", "one_minus_alpha", "eps", "momentum", "weight_decay")


def rmsprop_coefficients(lr, alpha, eps, momentum=0.0, weight_decay=0.0):
    """Pack RMSprop's scalars as a float64 array."""
    return np.array([lr, alpha, 1 - alpha, eps, momentum, weight_decay])


def rmsprop_update(param, grad, square_avg, momentum_buffer, coefficients):
    """One RMSprop step (PyTorch's formula, ``centered=False``), in place.

    g = grad + weight_decay * param
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    step = g / (sqrt(square_avg) + eps)
    buffer = momentum * buffer + step; step = buffer      (if momentum != 0)
    param -= lr * step

    ``momentum_buffer`` is ignored when momentum is 0 (pass ``param[:0]``).
    """
    lr, alpha, one_minus_alpha, eps, momentum, weight_decay = coefficients.tolist()
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg *= alpha
    scratch = np.asarray(np.multiply(grad, grad))  # asarray: 0-d inputs give scalars
    scratch *= one_minus_alpha
    square_avg += scratch
    np.sqrt(square_avg, out=scratch)
    scratch += eps
    np.divide(grad, scratch, out=scratch)
    if momentum != 0:
        momentum_buffer *= momentum
        momentum_buffer += scratch
        np.multiply(momentum_buffer, lr, out=scratch)
    else:
        scratch *= lr
    param -= scratch


rmsprop_update = Kernel(rmsprop_update, "optim_numba")


def rmsprop_centered_update(param, grad, square_avg, grad_avg, momentum_buffer,
                            coefficients):
    """One RMSprop step with ``centered=True`` (PyTorch's formula), in place. NumPy only.

    g = grad + weight_decay * param
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    grad_avg = alpha * grad_avg + (1 - alpha) * g          (a running mean of g)
    step = g / (sqrt(square_avg - grad_avg**2) + eps)       (divide by a running std)
    buffer = momentum * buffer + step; step = buffer      (if momentum != 0)
    param -= lr * step

    ``square_avg - grad_avg**2`` is a variance, >= 0 in exact arithmetic; it
    is clamped at 0 where round-off makes it negative (PyTorch's sqrt gives NaN
    there). No numba twin: a rarely used option, written as the textbook rule.
    """
    lr, alpha, one_minus_alpha, eps, momentum, weight_decay = coefficients.tolist()
    with np.errstate(**QUIET):
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= alpha
        square_avg += one_minus_alpha * (grad * grad)
        grad_avg += one_minus_alpha * (grad - grad_avg)
        variance = np.maximum(square_avg - grad_avg * grad_avg, 0.0)
        step = grad / (np.sqrt(variance) + eps)
        if momentum != 0:
            momentum_buffer *= momentum
            momentum_buffer += step
            step = momentum_buffer
        param -= lr * step


ADAGRAD_COEFFICIENTS = ("clr", "eps", "weight_decay")


def adagrad_coefficients(lr, eps, step=1, lr_decay=0.0, weight_decay=0.0):
    """Pack Adagrad's scalars for a parameter's step ``step`` (1, 2, ...) as a float64 array.

    ``clr = lr / (1 + (step - 1) * lr_decay)``, PyTorch's decayed learning rate.
    """
    return np.array([lr / (1 + (step - 1) * lr_decay), eps, weight_decay])


def adagrad_update(param, grad, squared_sum, coefficients):
    """One Adagrad step (PyTorch's formula), in place.

    g = grad + weight_decay * param
    squared_sum += g * g
    param -= clr * (g / (sqrt(squared_sum) + eps))
    """
    clr, eps, weight_decay = coefficients.tolist()
    if weight_decay != 0:
        grad = grad + weight_decay * param
    scratch = np.asarray(np.multiply(grad, grad))  # asarray: 0-d inputs give scalars
    squared_sum += scratch
    np.sqrt(squared_sum, out=scratch)
    scratch += eps
    np.divide(grad, scratch, out=scratch)  # g / denominator first, as PyTorch's addcdiv
    scratch *= clr
    param -= scratch


adagrad_update = Kernel(adagrad_update, "optim_numba")
