"""A correct cross-entropy written differently: logaddexp, a one-hot from np.eye, a loop."""

import numpy as np


def cross_entropy_forward(logits, target, label_smoothing=0.0, *, weight=None,
                          ignore_index=-100, reduction="mean", owner="cross_entropy_forward"):
    n = logits.shape[0]
    total = 0.0
    for row, label in zip(logits, target):
        total += np.logaddexp.reduce(row) - row[label]
    one_hot = np.eye(logits.shape[1])[target]
    probs = np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
    return total / n, (probs - one_hot) / n


def cross_entropy_backward(grad_out, cache):
    return grad_out * cache
