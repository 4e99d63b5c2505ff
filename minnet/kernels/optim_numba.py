"""Numba twins of the optimizers' NumPy updates, one per rule, of the same name.

``adam_update`` here is ``minnet.optim.adam.adam_update`` without amsgrad,
``sgd_update`` is ``minnet.optim.sgd.sgd_update``, ``rmsprop_update`` is
``minnet.optim.rmsprop.rmsprop_update`` without centering, ``adagrad_update``
is ``minnet.optim.adagrad.adagrad_update``. Each takes the 1-D C-contiguous
arrays (param, grad, then the states) and the rule's scalars packed into a
float64 array by ``minnet.kernels.optim`` (``*_coefficients``), and does one
pass. The scalars are first rounded to the parameter's dtype, as NumPy rounds
a Python float before it multiplies a float32 array, and no literal enters
the arithmetic: float32 stays float32, the operations happen in the NumPy
update's order, and the results equal it bit for bit. The branches on a
coefficient are loop-invariant; LLVM unswitches them and vectorizes each
version (a loop over more than about four arrays can stay scalar, so none
touches more). ``run_update`` checks the arrays before calling a twin; a
twin checks nothing (an unused buffer is passed as an empty array).
"""

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy", nogil=True)
def adam_update(param, grad, exp_avg, exp_avg_sq, coefficients):
    coefficients = coefficients.astype(param.dtype)
    one_minus_beta1 = coefficients[0]
    beta2 = coefficients[1]
    one_minus_beta2 = coefficients[2]
    bias_correction2_sqrt = coefficients[3]
    eps = coefficients[4]
    step_size = coefficients[5]
    weight_decay = coefficients[6]
    decay_factor = coefficients[7]
    for i in range(param.shape[0]):
        g = grad[i]
        p = param[i]
        if weight_decay != 0:
            g = g + weight_decay * p
        if decay_factor != 1:
            p = p * decay_factor
        m = exp_avg[i]
        m = m + (g - m) * one_minus_beta1
        exp_avg[i] = m
        v = exp_avg_sq[i] * beta2 + (g * g) * one_minus_beta2
        exp_avg_sq[i] = v
        denominator = np.sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p - (m / denominator) * step_size


@numba.njit(cache=True, error_model="numpy", nogil=True)
def sgd_update(param, grad, momentum_buffer, coefficients):
    coefficients = coefficients.astype(param.dtype)
    lr = coefficients[0]
    momentum = coefficients[1]
    one_minus_dampening = coefficients[2]
    weight_decay = coefficients[3]
    nesterov = coefficients[4] != 0
    for i in range(param.shape[0]):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            buffer = momentum_buffer[i] * momentum + g * one_minus_dampening
            momentum_buffer[i] = buffer
            g = g + momentum * buffer if nesterov else buffer
        param[i] = param[i] - lr * g


@numba.njit(cache=True, error_model="numpy", nogil=True)
def rmsprop_update(param, grad, square_avg, momentum_buffer, coefficients):
    coefficients = coefficients.astype(param.dtype)
    lr = coefficients[0]
    alpha = coefficients[1]
    one_minus_alpha = coefficients[2]
    eps = coefficients[3]
    momentum = coefficients[4]
    weight_decay = coefficients[5]
    for i in range(param.shape[0]):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        average = square_avg[i] * alpha + (g * g) * one_minus_alpha
        square_avg[i] = average
        step = g / (np.sqrt(average) + eps)
        if momentum != 0:
            step = momentum_buffer[i] * momentum + step
            momentum_buffer[i] = step
        param[i] = param[i] - step * lr


@numba.njit(cache=True, error_model="numpy", nogil=True)
def adagrad_update(param, grad, squared_sum, coefficients):
    coefficients = coefficients.astype(param.dtype)
    clr = coefficients[0]
    eps = coefficients[1]
    weight_decay = coefficients[2]
    for i in range(param.shape[0]):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        total = squared_sum[i] + g * g
        squared_sum[i] = total
        param[i] = param[i] - (g / (np.sqrt(total) + eps)) * clr
