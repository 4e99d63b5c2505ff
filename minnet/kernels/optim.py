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
    exp_avg += (1 - beta1) * (g - exp_avg)
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
    param -= step_size * exp_avg / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps)

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

# --- SGD ---------------------------------------------------------------------

SGD_COEFFICIENTS = ("lr", "momentum", "weight_decay", "nesterov")


def sgd_coefficients(lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    """Pack SGD's scalars as a float64 array (``nesterov`` as 1.0 or 0.0)."""
    return np.array([lr, momentum, weight_decay, 1.0 if nesterov else 0.0])


def sgd_update(param, grad, momentum_buffer, coefficients):
    """One SGD step (PyTorch's formula, ``dampening=0``), in place.

    g = grad + weight_decay * param
    buffer = momentum * buffer + g                (if momentum != 0)
    g = g + momentum * buffer if nesterov else buffer
    param -= lr * g

    Parameters
    ----------
    param : ndarray (any shape), updated in place
    grad : ndarray, param's shape and dtype, read only
    momentum_buffer : ndarray of param's shape, updated in place; ignored (pass
        any array of the dtype, e.g. ``param[:0]``) when momentum is 0
    coefficients : float64 ndarray (4,) from ``sgd_coefficients``
    """
    lr, momentum, weight_decay, nesterov = coefficients.tolist()
    if weight_decay != 0:
        grad = grad + weight_decay * param  # a new array: .grad stays untouched
    if momentum != 0:
        # The buffer starts at zeros, so the first step gives b = g, as PyTorch's.
        momentum_buffer *= momentum
        momentum_buffer += grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * grad


sgd_update = Kernel(sgd_update, "optim_numba")

# --- RMSprop and Adagrad -------------------------------------------------------

RMSPROP_COEFFICIENTS = ("lr", "alpha", "one_minus_alpha", "eps", "momentum")


def rmsprop_coefficients(lr, alpha, eps, momentum=0.0):
    """Pack RMSprop's scalars as a float64 array."""
    return np.array([lr, alpha, 1 - alpha, eps, momentum])


def rmsprop_update(param, grad, square_avg, momentum_buffer, coefficients):
    """One RMSprop step (PyTorch's formula, ``centered=False``), in place.

    square_avg = alpha * square_avg + (1 - alpha) * g * g
    step = g / (sqrt(square_avg) + eps)
    buffer = momentum * buffer + step; step = buffer      (if momentum != 0)
    param -= lr * step

    ``momentum_buffer`` is ignored when momentum is 0 (pass ``param[:0]``).
    """
    lr, alpha, one_minus_alpha, eps, momentum = coefficients.tolist()
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


def adagrad_coefficients(lr, eps):
    """Pack Adagrad's scalars as a float64 array."""
    return np.array([lr, eps])


def adagrad_update(param, grad, squared_sum, coefficients):
    """One Adagrad step (PyTorch's formula, no lr decay), in place.

    squared_sum += g * g
    param -= lr * (g / (sqrt(squared_sum) + eps))
    """
    lr, eps = coefficients.tolist()
    scratch = np.asarray(np.multiply(grad, grad))  # asarray: 0-d inputs give scalars
    squared_sum += scratch
    np.sqrt(squared_sum, out=scratch)
    scratch += eps
    np.divide(grad, scratch, out=scratch)  # g / denominator first, as PyTorch's addcdiv
    scratch *= lr
    param -= scratch


adagrad_update = Kernel(adagrad_update, "optim_numba")
