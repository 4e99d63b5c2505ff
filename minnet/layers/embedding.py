"""Embedding: a trainable lookup table from integer token ids to vectors."""

from minnet.core import Module, Parameter
from minnet.functional.embedding import (
    check_ids,
    check_padding_idx,
    embedding_backward,
    embedding_forward,
)
from minnet.random import make_rng
from minnet.validation import check_int, check_ndim


class Embedding(Module):
    """``out[n, t] = weight[x[n, t]]``: one trainable row per token id.

    Parameters
    ----------
    num_embeddings : int, V, the vocabulary size (ids run over [0, V))
    embedding_dim : int, D
    padding_idx : None or int in [-V, V), as in PyTorch: that row starts at
        zeros and never receives a gradient, so a padding token maps to a fixed
        vector (zeros unless you load another). A negative index counts from
        the end and is stored normalized (``padding_idx=-1`` becomes V - 1).
    rng : None, int or numpy.random.Generator

    Shapes: integer input (N, T) -> (N, T, D); (N,) -> (N, D).
    Init: ``weight`` ~ N(0, 1), as PyTorch's ``nn.Embedding`` (the padding row zero).
    State dict: ``weight`` (V, D).

    Notes
    -----
    The ids are integers and have no gradient: ``backward`` adds the table's
    gradient (a scatter-add, where a repeated id collects several rows) into
    ``weight.grad`` and returns None. An Embedding is therefore the first
    layer of a model; ``Sequential.backward`` returns that None.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, rng=None):
        super().__init__()
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, minimum=1)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, minimum=1)
        self.padding_idx = check_padding_idx("Embedding", padding_idx, self.num_embeddings)
        table = make_rng(rng).standard_normal((self.num_embeddings, self.embedding_dim))
        if self.padding_idx is not None:
            table[self.padding_idx] = 0.0
        self.weight = Parameter(table)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"

    def forward(self, x):
        indices = check_ids(self, x, self.num_embeddings, " of shape (N, T) or (N,)")
        check_ndim(self, indices, (1, 2), "(N, T) or (N,) of integer token ids")
        out, cache = embedding_forward(indices, self.weight.data, self.padding_idx)
        self.push_cache(cache)
        return out

    def backward(self, grad_out):
        """Add dL/dweight into ``weight.grad``; return None (integer ids have no gradient)."""
        cache = self.pop_cache(grad_out, lambda cache: cache.indices.shape + (self.embedding_dim,))
        target = self.weight.grad_target()
        if target is not None:  # frozen: nothing to add
            embedding_backward(grad_out, cache, grad_weight=target)
        return None

