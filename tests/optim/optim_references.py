"""The optimizers' update rules written out by hand from PyTorch's documentation,
one plain loop each, for the tests to compare with (float64 reference values); and
the checkpoints saved by minnet before parameter groups."""

import pathlib

import numpy as np

LEGACY = pathlib.Path(__file__).parent / "legacy" / "legacy_checkpoints.npz"


def legacy_checkpoint(name):
    """What ``legacy/make_legacy_checkpoints.py`` saved under ``name/``, with minnet before
    parameter groups: ``{"optimizer": {...}, "params": {...}, ...}`` by key prefix."""
    parts = {}
    with np.load(LEGACY, allow_pickle=False) as archive:
        for key in archive.files:
            owner, _, rest = key.partition("/")
            if owner == name and "." in rest:
                part, _, item = rest.partition(".")
                parts.setdefault(part, {})[item] = archive[key]
            elif owner == name:
                parts[rest] = archive[key]
    return parts


def reference_sgd(w, grads, lr, momentum=0.0, nesterov=False, weight_decay=0.0,
                  dampening=0.0):
    buffer = None
    for g in grads:
        g = g + weight_decay * w
        if momentum:
            # PyTorch: the first buffer is the gradient itself, undamped.
            buffer = g.copy() if buffer is None else momentum * buffer + (1 - dampening) * g
            g = g + momentum * buffer if nesterov else buffer
        w = w - lr * g
    return w


def reference_adagrad(w, grads, lr=0.01, eps=1e-10, lr_decay=0.0, weight_decay=0.0,
                      initial_accumulator_value=0.0):
    total = np.full_like(w, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        total = total + g ** 2
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(total) + eps)
    return w


def reference_rmsprop(w, grads, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0,
                      centered=False):
    v = np.zeros_like(w)
    mean = np.zeros_like(w)
    buffer = np.zeros_like(w)
    for g in grads:
        g = g + weight_decay * w
        v = alpha * v + (1 - alpha) * g ** 2
        mean = alpha * mean + (1 - alpha) * g
        avg = np.sqrt(v - mean ** 2 if centered else v) + eps
        if momentum:
            buffer = momentum * buffer + g / avg
            w = w - lr * buffer
        else:
            w = w - lr * g / avg
    return w


def reference_adam(w, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   amsgrad=False, decoupled=False):
    beta1, beta2 = betas
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    v_max = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1 ** t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w
