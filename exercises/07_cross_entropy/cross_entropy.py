"""Exercise 7, cross-entropy: the mean softmax cross-entropy of logits and labels."""

import numpy as np  # noqa: F401  (you will need it)


def cross_entropy_forward(logits, target, label_smoothing=0.0, *, weight=None,
                          ignore_index=-100, reduction='mean',
                          owner='cross_entropy_forward'):
    """Softmax cross-entropy on logits, PyTorch's ``cross_entropy``.

    Per position i (a sample, or a sample's pixel/time step) with class
    weights w (1 without ``weight``):
    index target t:   l_i = -sum_c w_c q_ic log softmax(z_i)_c,
                      q_i = (1 - eps) onehot(t_i) + eps / C; 0 where t_i == ignore_index;
    probability p:    the same with q_i = (1 - eps) p_i + eps / C.
    "mean" = sum_i l_i / sum_i w_{t_i} over the counted targets (index
    targets) or / (N * d1 * ... * dk) (probability targets).

    The common case (2-d logits, index targets, no weight, nothing ignored,
    "mean" or "sum") runs the fused kernel ``minnet.kernels.softmax_ce``
    (numba up to ``WIDE_ROWS`` classes); the rest runs in NumPy.

    Parameters
    ----------
    logits : float ndarray (N, C) or (N, C, d1, ..., dk)
    target : int ndarray (N,) or (N, d1, ..., dk) of labels in [0, C) or
        equal to ignore_index; or float ndarray of the logits' shape
        (class probabilities in [0, 1])
    label_smoothing : float in [0, 1]
    weight : None or float ndarray (C,) of values >= 0
    ignore_index : int
    reduction : "mean", "sum" or "none"
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray (N,) or (N, d1, ..., dk)
    cache : what ``cross_entropy_backward`` needs
    """
    # TODO: the mean over samples of -log softmax(logits)[target], computed stably.
    raise NotImplementedError


def cross_entropy_backward(grad_out, cache):
    """Gradient of the cross-entropy. Returns dlogits, the logits' shape and dtype.

    grad_out : scalar or None (1.0) for "mean"/"sum"; ndarray of the
        per-position losses' shape for "none".
    """
    # TODO: return dlogits, the logits' shape.
    raise NotImplementedError
