"""Wrong dropouts: p taken as the keep probability, no 1 / (1 - p), a backward without the mask,
dropout still applied in evaluation."""

import numpy as np


def _mask(x, keep, rng, scaled=True):
    kept = np.random.default_rng(rng).random(x.shape) < keep
    return kept / keep if scaled else kept * 1.0


def dropout_forward(x, p=0.5, training=True, rng=None):
    if not training or p == 0:
        return x, None
    mask = _mask(x, 1 - p, rng)
    return x * mask, mask


def dropout_backward(grad_out, cache):
    return grad_out if cache is None else grad_out * cache


def p_as_keep(x, p=0.5, training=True, rng=None):
    if not training or p == 0:
        return x, None
    mask = _mask(x, p, rng)
    return x * mask, mask


def not_inverted(x, p=0.5, training=True, rng=None):
    if not training or p == 0:
        return x, None
    mask = _mask(x, 1 - p, rng, scaled=False)
    return x * mask, mask


def backward_ignores_mask(grad_out, cache):
    return grad_out.copy()


def eval_not_identity(x, p=0.5, training=True, rng=None):
    if p == 0:
        return x, None
    mask = _mask(x, 1 - p, rng)
    return x * mask, mask


MUTANTS = {
    "p-as-keep": {"dropout_forward": p_as_keep, "dropout_backward": dropout_backward},
    "not-inverted": {"dropout_forward": not_inverted, "dropout_backward": dropout_backward},
    "backward-ignores-mask": {"dropout_forward": dropout_forward,
                              "dropout_backward": backward_ignores_mask},
    "eval-not-identity": {"dropout_forward": eval_not_identity,
                          "dropout_backward": dropout_backward},
}
