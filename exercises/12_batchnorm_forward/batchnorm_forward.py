"""Exercise 12, batchnorm-forward: batch statistics, normalization and the running update."""

import numpy as np  # noqa: F401  (you will need it)


def batchnorm_forward(x, gamma, beta, eps=1e-05, mean=None, var=None):
    """Batch-norm forward pass.

    Parameters
    ----------
    x : ndarray (N, C), (N, C, L) or (N, C, H, W), float32 or float64
    gamma, beta : ndarray (C,), x's dtype (scale and shift)
    eps : float > 0, added to the variance
    mean, var : ndarray (C,) or None
        None (training): normalize with the batch's own statistics, which
        needs M >= 2 values per channel for a meaningful variance.
        Given (evaluation): normalize with these (the running statistics).

    Returns
    -------
    out : ndarray of x's shape and dtype, ``gamma * (x - mean) / sqrt(var + eps) + beta``
    cache : BatchNormCache; ``cache.mean`` and ``cache.var`` are the statistics
        used (the biased batch variance in training)
    """
    # TODO: normalize per channel (axis 1) with the batch's statistics, or with the given
    # mean and var (evaluation).
    raise NotImplementedError


def batchnorm_running_stats(running_mean, running_var, batch_mean, batch_var, count, momentum=0.1):
    """The running statistics after one training batch (PyTorch's update).

    Parameters
    ----------
    running_mean, running_var : ndarray (C,)
    batch_mean, batch_var : ndarray (C,), the batch's mean and BIASED variance
    count : int >= 2, the number of values per channel M
    momentum : float in [0, 1], the weight of the new batch

    Returns
    -------
    new_mean, new_var : new ndarrays (C,) in the running statistics' dtype;
        the variance is updated with the unbiased batch variance
        ``batch_var * M / (M - 1)``.
    """
    # TODO: PyTorch's update: momentum weighs the new batch; the variance goes in unbiased.
    raise NotImplementedError
