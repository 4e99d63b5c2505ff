"""Loss functions as pure forward/backward pairs, mean-reduced as in PyTorch.

``loss_forward(pred, target, ...) -> (loss, cache)`` returns the loss as a
Python float; ``loss_backward(grad_out, cache) -> dpred`` takes the upstream
gradient (a scalar, 1.0 when the loss is the end of the graph) and returns
d(loss)/d(pred) with pred's shape and dtype. The inputs are trusted: the
classes in ``minnet.losses`` validate them first.
"""

import numpy as np

from minnet.functional.activations import sigmoid_forward


def cross_entropy_forward(logits, target, label_smoothing=0.0):
    """Softmax cross-entropy on logits, averaged over the batch.

    With smoothing eps the target distribution is PyTorch's
    q = (1 - eps) * onehot(target) + eps / C, and the loss is mean_n -sum_c q log p.

    Parameters
    ----------
    logits : ndarray of shape (N, C), unnormalized scores
    target : int ndarray of shape (N,), class indices in [0, C)
    label_smoothing : float in [0, 1]

    Returns
    -------
    loss : float
    cache : (probs (N, C), target (N,), label_smoothing)
    """
    num_samples = logits.shape[0]
    # log-sum-exp after subtracting the row maximum: exp never overflows and
    # log_probs stays finite even for logits of +-1e4.
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    per_sample = -log_probs[np.arange(num_samples), target]
    if label_smoothing:
        uniform_part = -np.mean(log_probs, axis=1)
        per_sample = (1 - label_smoothing) * per_sample + label_smoothing * uniform_part
    loss = float(np.mean(per_sample))
    return loss, (np.exp(log_probs), target, label_smoothing)


def cross_entropy_backward(grad_out, cache):
    """Gradient of the mean cross-entropy. Returns dlogits of shape (N, C)."""
    # d(-sum_c q_c log softmax(z)_c)/dz = softmax(z) - q (q sums to 1), and the
    # batch mean divides by N.
    probs, target, label_smoothing = cache
    num_samples, num_classes = probs.shape
    grad = probs - label_smoothing / num_classes
    grad[np.arange(num_samples), target] -= 1 - label_smoothing
    return grad * (float(grad_out) / num_samples)


def bce_with_logits_forward(logits, target):
    """Binary cross-entropy on logits, averaged over every element.

    The per-element loss -t log s(x) - (1 - t) log(1 - s(x)) equals
    max(x, 0) - x t + log(1 + exp(-|x|)), which never overflows: finite for
    logits of +-1e4, where the textbook form takes log(0).

    Parameters
    ----------
    logits : ndarray of any shape
    target : ndarray of the same shape, probabilities in [0, 1]

    Returns
    -------
    loss : float
    cache : (logits, target)
    """
    per_element = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
    return float(np.mean(per_element)), (logits, target)


def bce_with_logits_backward(grad_out, cache):
    """Gradient of the mean BCE on logits. Returns dlogits of the logits' shape."""
    # d/dx [-t log s(x) - (1 - t) log(1 - s(x))] = s(x) - t, then the mean
    # divides by the number of elements.
    logits, target = cache
    probs, _ = sigmoid_forward(logits)
    return (probs - target) * (float(grad_out) / logits.size)


def mse_forward(pred, target):
    """Mean squared error over every element.

    Parameters
    ----------
    pred : ndarray of any shape
    target : ndarray of the same shape

    Returns
    -------
    loss : float
    cache : (pred - target,)
    """
    diff = pred - target
    return float(np.mean(diff * diff)), (diff,)


def mse_backward(grad_out, cache):
    """Gradient of the MSE. Returns dpred of pred's shape."""
    # d/dpred mean((pred - target)^2) = 2 (pred - target) / size.
    (diff,) = cache
    return diff * (2 * float(grad_out) / diff.size)
