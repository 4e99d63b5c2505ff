"""Embedding: a trainable lookup table from integer token ids to vectors."""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import DataError, DTypeError
from minnet.functional.embedding import embedding_backward, embedding_forward
from minnet.random import make_rng
from minnet.validation import check_int, check_ndim


class Embedding(Module):
    """``out[n, t] = weight[x[n, t]]``: one trainable row per token id.

    Parameters
    ----------
    num_embeddings : int, V, the vocabulary size (ids run over [0, V))
    embedding_dim : int, D
    rng : None, int or numpy.random.Generator

    Shapes: integer input (N, T) -> (N, T, D); (N,) -> (N, D).
    Init: ``weight`` ~ N(0, 1), as PyTorch's ``nn.Embedding``.
    State dict: ``weight`` (V, D).

    Notes
    -----
    The ids are integers and have no gradient: ``backward`` adds the table's
    gradient (a scatter-add, where a repeated id collects several rows) into
    ``weight.grad`` and returns None. An Embedding is therefore the first
    layer of a model; ``Sequential.backward`` returns that None.
    """

    def __init__(self, num_embeddings, embedding_dim, rng=None):
        super().__init__()
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, minimum=1)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, minimum=1)
        table = make_rng(rng).standard_normal((self.num_embeddings, self.embedding_dim))
        self.weight = Parameter(table)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"

    def forward(self, x):
        indices = np.asarray(x)
        if indices.dtype.kind not in "iu":
            hint = ("; cast them with .astype(int)" if indices.dtype.kind == "f" else "")
            raise DTypeError(f"{self!r}: expected integer token ids of shape (N, T) or (N,), "
                             f"got an array of dtype {indices.dtype}{hint}")
        check_ndim(self, indices, (1, 2), "(N, T) or (N,) of integer token ids")
        if indices.size:
            low, high = indices.min(), indices.max()
            if low < 0 or high >= self.num_embeddings:
                raise DataError(f"{self!r}: expected token ids in [0, {self.num_embeddings}), "
                                f"got ids from {low} to {high}")
        out, cache = embedding_forward(indices.astype(np.intp, copy=False), self.weight.data)
        self.push_cache(cache)
        return out

    def backward(self, grad_out):
        """Add dL/dweight into ``weight.grad``; return None (integer ids have no gradient)."""
        cache = self.pop_cache(grad_out, lambda cache: cache[0].shape + (self.embedding_dim,))
        target = self.weight.grad_target()
        if target is not None:  # frozen: nothing to add
            embedding_backward(grad_out, cache, grad_weight=target)
        return None
