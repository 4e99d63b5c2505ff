"""Wrong embeddings: a fancy-index += that loses repeated ids, a gradient of the batch's shape."""

import numpy as np


def embedding_forward(indices, weight, padding_idx=None):
    return weight[indices], (indices, weight.shape, padding_idx)


def _clear_padding(grad, padding_idx):
    if padding_idx is not None:
        grad[padding_idx] = 0
    return grad


def fancy_index_add(grad_out, cache, grad_weight=None):
    indices, shape, padding_idx = cache
    grad = np.zeros(shape)
    grad[indices.reshape(-1)] += grad_out.reshape(-1, shape[1])
    return _clear_padding(grad, padding_idx)


def batch_shaped(grad_out, cache, grad_weight=None):
    indices, shape, padding_idx = cache
    return grad_out.copy()


MUTANTS = {
    "fancy-index-loses-repeats": {"embedding_forward": embedding_forward,
                                  "embedding_backward": fancy_index_add},
    "dw-batch-shaped": {"embedding_forward": embedding_forward,
                        "embedding_backward": batch_shaped},
}
