"""Numba twin of ``minnet.kernels.softmax_ce`` (same name, same signature).

Per row: one pass for the maximum, one for the exponentials (stored in
``delta``) and their sum, one to normalize them into the gradient. The
exponentials run in the logits' dtype; the sums run in float64, so a
float32 loss is at least as accurate as the reference's.
"""

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy", nogil=True)
def softmax_cross_entropy(logits, target, label_smoothing, delta):
    num_samples, num_classes = logits.shape
    smooth_share = label_smoothing / num_classes  # eps / C, every class's share of q
    total = 0.0
    for n in range(num_samples):
        row_max = logits[n, 0]
        for c in range(1, num_classes):
            row_max = max(row_max, logits[n, c])
        exp_sum = 0.0
        shifted_sum = 0.0
        for c in range(num_classes):
            shifted = logits[n, c] - row_max
            shifted_sum += shifted
            exponential = np.exp(shifted)
            delta[n, c] = exponential
            exp_sum += exponential
        log_sum = np.log(exp_sum)
        # -log softmax(z)_t = log sum_c exp(z_c - max) - (z_t - max); the uniform
        # part of q contributes -mean_c log softmax(z)_c.
        label = target[n]
        per_sample = log_sum - (logits[n, label] - row_max)
        if label_smoothing != 0:
            uniform_part = log_sum - shifted_sum / num_classes
            per_sample = (1 - label_smoothing) * per_sample + label_smoothing * uniform_part
        total += per_sample
        # d(-sum_c q_c log softmax(z)_c)/dz = softmax(z) - q, because q sums to 1.
        inverse_sum = 1.0 / exp_sum
        for c in range(num_classes):
            delta[n, c] = delta[n, c] * inverse_sum - smooth_share
        delta[n, label] -= 1 - label_smoothing
    return total / num_samples
