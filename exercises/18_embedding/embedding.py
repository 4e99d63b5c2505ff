"""Exercise 18, embedding: a table lookup and its scatter-add backward (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def embedding_forward(indices, weight, padding_idx=None):
    """Look up one row of ``weight`` per id.

    Parameters
    ----------
    indices : integer ndarray of any shape S, e.g. (N, T) or (N,); every id in [0, V)
    weight : float ndarray (V, D)
    padding_idx : None or int in [-V, V): that row gets no gradient in the backward
        (PyTorch's padding_idx; a negative one counts from the end). The lookup
        itself returns the row as it is.

    Returns
    -------
    out : S + (D,), a new array (``weight[indices]``)
    cache : EmbeddingCache
    """
    # TODO: look up weight's row for every id; keep the ids for the backward.
    raise NotImplementedError


def embedding_backward(grad_out, cache, grad_weight=None):
    """Gradient of the table: every id's row of ``grad_out`` added to that id's row.

    out[s] = weight[indices[s]], so dL/dweight[v] = sum over the positions s
    where indices[s] == v of grad_out[s]: a scatter-add, in which a repeated id
    collects several rows. The row ``padding_idx`` gets nothing (it is a fixed
    pad, as in PyTorch). The ids are integers: they have no gradient.

    Parameters
    ----------
    grad_out : S + (D,)
    cache : EmbeddingCache from ``embedding_forward``
    grad_weight : float (V, D) array or None. When given, the gradient is ADDED into
        it in place and it is returned (a layer passes its ``.grad``: no (V, D)
        temporary); by default a new zero-initialised array is used.

    Returns
    -------
    grad_weight : (V, D)
    """
    # TODO: add every position's gradient row into its id's row (repeated ids add up).
    raise NotImplementedError
