"""Embedding lookup: rows of a table picked by integer ids, and its scatter-add backward.

Every argument is checked here, in Python, before the scatter-add kernel
runs: an id outside the table or a gradient of the wrong shape would
otherwise make the numba kernel write outside its arrays. The errors are the
same on both backends.
"""

import numbers
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError, DataError, DTypeError, ShapeError
from minnet.kernels.embedding import scatter_add_rows
from minnet.validation import as_array, owner_name


class EmbeddingCache(NamedTuple):
    """What ``embedding_backward`` needs (the table itself is not kept).

    indices : intp ndarray of shape S, the ids looked up
    table_shape : (V, D), the weight table's shape
    dtype : the table's float dtype
    padding_idx : int in [0, V), the row that gets no gradient, or None
    """

    indices: np.ndarray
    table_shape: tuple
    dtype: np.dtype
    padding_idx: object


def check_ids(owner, indices, num_embeddings, layout=""):
    """Integer token ids as an ``intp`` array, every id in [0, num_embeddings).

    ``layout`` (e.g. " of shape (N, T) or (N,)") is shown in the dtype error.
    Raises DTypeError for non-integer ids, DataError for ids out of range.
    """
    indices = as_array(owner, indices, what="token ids")  # ragged: a ShapeError
    if indices.dtype.kind not in "iu":
        hint = "; cast them with .astype(int)" if indices.dtype.kind == "f" else ""
        raise DTypeError(f"{owner_name(owner)}: expected integer token ids{layout}, got an "
                         f"array of dtype {indices.dtype}{hint}")
    if indices.size:
        low, high = indices.min(), indices.max()
        if low < 0 or high >= num_embeddings:
            raise DataError(f"{owner_name(owner)}: expected token ids in [0, {num_embeddings}), "
                            f"got ids from {low} to {high}")
    return indices.astype(np.intp, copy=False)


def check_padding_idx(owner, padding_idx, num_embeddings):
    """``padding_idx`` in [0, V) (a negative one counts from the end, as in PyTorch), or None."""
    if padding_idx is None:
        return None
    if (isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral)
            or not -num_embeddings <= padding_idx < num_embeddings):
        raise ConfigError(f"{owner_name(owner)}: the 'padding_idx' parameter must be None or "
                          f"an int in [-{num_embeddings}, {num_embeddings}) (within "
                          f"num_embeddings), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


def _check_table(owner, weight):
    weight = as_array(owner, weight, what="weight")
    if weight.dtype.kind != "f":
        raise DTypeError(f"{owner}: expected a float weight table (V, D), got dtype "
                         f"{weight.dtype}")
    if weight.ndim != 2:
        raise ShapeError(f"{owner}: expected a weight table of shape (V, D), got "
                         f"{weight.shape}")
    return weight


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
    weight = _check_table("embedding_forward", weight)
    indices = check_ids("embedding_forward", indices, weight.shape[0])
    padding_idx = check_padding_idx("embedding_forward", padding_idx, weight.shape[0])
    out = np.take(weight, indices, axis=0)
    return out, EmbeddingCache(indices, weight.shape, weight.dtype, padding_idx)


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
    indices, shape = cache.indices, cache.table_shape
    grad_out = as_array("embedding_backward", grad_out, what="grad_out")
    if grad_out.dtype.kind not in "fiub":
        raise DTypeError(f"embedding_backward: expected a float grad_out, got an array of "
                         f"dtype {grad_out.dtype}")
    if grad_out.shape != indices.shape + shape[1:]:
        raise ShapeError(f"embedding_backward: expected grad_out of shape "
                         f"{indices.shape + shape[1:]} (the forward output's), got "
                         f"{grad_out.shape}")
    if grad_weight is None:
        grad_weight = np.zeros(shape, dtype=cache.dtype)
    elif not isinstance(grad_weight, np.ndarray) or grad_weight.shape != shape:
        raise ShapeError(f"embedding_backward: expected grad_weight of shape {shape} (the "
                         f"table's), got {type(grad_weight).__name__} of shape "
                         f"{np.shape(grad_weight)}")
    elif grad_weight.dtype.kind != "f" or not grad_weight.flags.writeable:
        raise DTypeError(f"embedding_backward: expected grad_weight to be a writeable float "
                         f"array (the gradient is added into it), got a "
                         f"{'' if grad_weight.flags.writeable else 'read-only '}array of dtype "
                         f"{grad_weight.dtype}")
    if (grad_out.ndim == 3 and not grad_out.flags.c_contiguous
            and grad_out.transpose(1, 0, 2).flags.c_contiguous):
        # a time-major gradient seen batch first (a recurrent layer's dL/dx): take the ids
        # in the gradient's memory order instead of copying the gradient
        grad_out, indices = grad_out.transpose(1, 0, 2), indices.T
    rows = np.ascontiguousarray(np.asarray(grad_out, dtype=grad_weight.dtype).reshape(-1, shape[1]))
    ids = np.ascontiguousarray(indices.reshape(-1), dtype=np.int64)
    scatter_add_rows(grad_weight, ids, rows,
                     -1 if cache.padding_idx is None else cache.padding_idx)
    return grad_weight
