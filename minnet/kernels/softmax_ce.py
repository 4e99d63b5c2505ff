"""Softmax cross-entropy, forward and backward in one kernel.

The loss and its gradient share every intermediate (row maximum, exponentials,
their sum), so one kernel computes both while a row of logits sits in cache.
The NumPy reference is the textbook sequence of array operations (about ten
passes over the (N, C) array and as many temporaries); the numba twin makes
three short passes per row: the maximum, the exponentials and their sum,
then the gradient.

The gradient written is the per-sample one, ``softmax(z) - q``; the
functional backward (``minnet.functional.losses``) scales it by
``grad_out / N`` ("mean") or ``grad_out`` ("sum"), the same for both twins.
The functional sends only the common case here (2-d logits, class indices,
no class weight, no ignored target, "mean" or "sum"); ``log_softmax`` also
serves its general NumPy path.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def log_softmax(x, axis=1):
    """``log softmax(x)`` along ``axis``, stable for logits of +-1e4. Same shape as x.

    Subtracting the maximum first keeps exp from overflowing (log-sum-exp).
    Logits of +inf give NaN, as in PyTorch; the caller silences NumPy's
    warnings with ``np.errstate``.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_cross_entropy(logits, target, label_smoothing, delta):
    """Mean softmax cross-entropy; writes ``softmax(logits) - q`` into ``delta``.

    With smoothing eps the target distribution is PyTorch's
    q = (1 - eps) * onehot(target) + eps / C, and the loss is
    mean_n -sum_c q_c log softmax(logits[n])_c.

    Parameters
    ----------
    logits : ndarray (N, C), float32 or float64, N >= 1
    target : int64 ndarray (N,), every value in [0, C) (checked by the caller)
    label_smoothing : float in [0, 1]
    delta : ndarray (N, C), logits' dtype, C-contiguous; overwritten with
        d(per-sample loss)/d(logits) = softmax(logits) - q

    Returns
    -------
    loss : float, the mean over the N rows
    """
    num_samples, num_classes = logits.shape
    with np.errstate(invalid="ignore"):  # an infinite logit gives NaN, silently as numba does
        log_probs = log_softmax(logits, axis=1)
    rows = np.arange(num_samples)
    per_sample = -log_probs[rows, target]
    if label_smoothing:
        uniform_part = -np.mean(log_probs, axis=1)
        per_sample = (1 - label_smoothing) * per_sample + label_smoothing * uniform_part
    # d(-sum_c q_c log softmax(z)_c)/dz = softmax(z) - q, because q sums to 1.
    np.exp(log_probs, out=delta)
    delta -= label_smoothing / num_classes
    delta[rows, target] -= 1 - label_smoothing
    return float(np.mean(per_sample))


softmax_cross_entropy = Kernel(softmax_cross_entropy, "softmax_ce_numba")
