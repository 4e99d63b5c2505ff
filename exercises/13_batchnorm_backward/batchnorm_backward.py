"""Exercise 13, batchnorm-backward: the backward pass node by node (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def batchnorm_backward(grad_out, cache):
    """Batch-norm backward, node by node through the computational graph (CS231n).

    The forward graph, per channel, with M values:
      (1) mu = mean(x)       (2) xmu = x - mu         (3) sq = xmu**2
      (4) var = mean(sq)     (5) sqrtvar = sqrt(var + eps)
      (6) ivar = 1 / sqrtvar (7) xhat = xmu * ivar    (8) out = gamma * xhat + beta
    Each step below is the local derivative of one node times the upstream
    gradient, nodes visited in reverse; where a node feeds two others (xmu,
    x), the gradients of the two paths add up. With fixed statistics
    (evaluation) only nodes (7) and (8) depend on x.

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : BatchNormCache from ``batchnorm_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape; dgamma, dbeta : ndarray (C,)
    """
    # TODO: walk the graph mu, xmu, var, sqrtvar, ivar, xhat, out in reverse.
    raise NotImplementedError
