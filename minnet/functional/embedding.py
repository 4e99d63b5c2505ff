"""Embedding lookup: rows of a table picked by integer ids, and its scatter-add backward."""

import numpy as np

from minnet.kernels.embedding import scatter_add_rows


def embedding_forward(indices, weight):
    """Look up one row of ``weight`` per id.

    Parameters
    ----------
    indices : integer ndarray of any shape S, e.g. (N, T) or (N,); every id in [0, V)
        (the caller checks the range)
    weight : (V, D)

    Returns
    -------
    out : S + (D,), a new array (``weight[indices]``)
    cache : (indices, weight's shape, weight's dtype)
    """
    out = np.take(weight, indices, axis=0)
    return out, (indices, weight.shape, weight.dtype)


def embedding_backward(grad_out, cache, grad_weight=None):
    """Gradient of the table: every id's row of ``grad_out`` added to that id's row.

    out[s] = weight[indices[s]], so dL/dweight[v] = sum over the positions s
    where indices[s] == v of grad_out[s]: a scatter-add, in which a repeated id
    collects several rows. The ids are integers: they have no gradient.

    Parameters
    ----------
    grad_out : S + (D,)
    cache : from ``embedding_forward``
    grad_weight : (V, D) array or None. When given, the gradient is ADDED into it
        in place and it is returned (a layer passes its ``.grad``: no (V, D)
        temporary); by default a new zero-initialised array is used.

    Returns
    -------
    grad_weight : (V, D)
    """
    indices, shape, dtype = cache
    grad_out = np.asarray(grad_out)
    if (grad_out.ndim == 3 and not grad_out.flags.c_contiguous
            and grad_out.transpose(1, 0, 2).flags.c_contiguous):
        # a time-major gradient seen batch first (a recurrent layer's dL/dx): take the ids
        # in the gradient's memory order instead of copying the gradient
        grad_out, indices = grad_out.transpose(1, 0, 2), indices.T
    if grad_weight is None:
        grad_weight = np.zeros(shape, dtype=dtype)
    rows = np.ascontiguousarray(np.asarray(grad_out, dtype=grad_weight.dtype).reshape(-1, shape[1]))
    ids = np.ascontiguousarray(indices.reshape(-1), dtype=np.int64)
    scatter_add_rows(grad_weight, ids, rows)
    return grad_weight
