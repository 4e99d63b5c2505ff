"""Loss functions as pure forward/backward pairs, mean-reduced as in PyTorch.

``loss_forward(pred, target, ...) -> (loss, cache)`` returns the loss as a
Python float; ``loss_backward(grad_out, cache) -> dpred`` takes the upstream
gradient (a scalar, 1.0 when the loss is the end of the graph) and returns
d(loss)/d(pred) with pred's shape and dtype. The inputs are trusted: the
classes in ``minnet.losses`` validate them first.
"""

import numpy as np

from minnet.errors import DataError
from minnet.functional.activations import sigmoid_forward
from minnet.kernels.softmax_ce import softmax_cross_entropy

WIDE_ROWS = 64  # above this many classes, cross-entropy runs the NumPy reference


def cross_entropy_forward(logits, target, label_smoothing=0.0):
    """Softmax cross-entropy on logits, averaged over the batch.

    With smoothing eps the target distribution is PyTorch's
    q = (1 - eps) * onehot(target) + eps / C, and the loss is mean_n -sum_c q log p.
    The loss and the per-sample gradient come from one fused kernel
    (``minnet.kernels.softmax_ce``; its NumPy reference above ``WIDE_ROWS``
    classes), stable for logits of +-1e4.

    Parameters
    ----------
    logits : ndarray of shape (N, C), unnormalized scores, N >= 1
    target : int ndarray of shape (N,), class indices in [0, C)
    label_smoothing : float in [0, 1]

    Returns
    -------
    loss : float
    cache : (delta,), delta = softmax(logits) - q of shape (N, C)
    """
    logits = np.ascontiguousarray(logits)
    num_classes = logits.shape[1]
    # The kernel indexes rows by label without bounds checks: refuse bad labels here.
    target = np.asarray(target).astype(np.int64, copy=False)
    if target.size and (target.min() < 0 or target.max() >= num_classes):
        raise DataError(
            f"cross_entropy_forward: expected target labels in [0, {num_classes}), got "
            f"values from {target.min()} to {target.max()}"
        )
    delta = np.empty_like(logits)
    # The compiled kernel wins while NumPy's per-call overhead dominates (7x at
    # 10 classes); on wide rows NumPy's vectorized exp wins (numba's exp is
    # scalar): measured crossover about 64 classes.
    kernel = softmax_cross_entropy if num_classes <= WIDE_ROWS else softmax_cross_entropy.reference
    loss = kernel(logits, target, float(label_smoothing), delta)
    return float(loss), (delta,)


def cross_entropy_backward(grad_out, cache):
    """Gradient of the mean cross-entropy. Returns dlogits of shape (N, C)."""
    # d(loss)/dz = grad_out * (softmax(z) - q) / N: the batch mean divides by N.
    (delta,) = cache
    return delta * (float(grad_out) / delta.shape[0])


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
