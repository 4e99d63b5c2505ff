"""Wrong cross-entropies: no 1/N in the gradient, p instead of p - y, log of the softmax."""

import numpy as np


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_forward(logits, target, label_smoothing=0.0, **options):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(target)
    return -log_p[np.arange(n), target].mean(), (_softmax(logits), target)


def _one_hot(p, target):
    y = np.zeros_like(p)
    y[np.arange(len(target)), target] = 1
    return y


def no_mean(grad_out, cache):
    p, target = cache
    return grad_out * (p - _one_hot(p, target))


def p_without_y(grad_out, cache):
    p, target = cache
    return grad_out * p / len(target)


def log_of_softmax(logits, target, label_smoothing=0.0, **options):
    p = _softmax(logits)
    n = len(target)
    return -np.log(p[np.arange(n), target]).mean(), (p, target)


def cross_entropy_backward(grad_out, cache):
    p, target = cache
    return grad_out * (p - _one_hot(p, target)) / len(target)


MUTANTS = {
    "no-mean": {"cross_entropy_forward": cross_entropy_forward,
                "cross_entropy_backward": no_mean},
    "p-without-y": {"cross_entropy_forward": cross_entropy_forward,
                    "cross_entropy_backward": p_without_y},
    "log-of-softmax": {"cross_entropy_forward": log_of_softmax,
                       "cross_entropy_backward": cross_entropy_backward},
}
