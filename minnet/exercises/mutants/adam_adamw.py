"""Wrong Adam steps: no bias correction, t counted from 0, AdamW as L2, eps inside the sqrt."""

from functools import partial

import numpy as np


def _adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
          decoupled=False, *, correct=True, step_before=False, l2_always=False,
          eps_inside=False):
    used = t if step_before else t + 1
    if decoupled and not l2_always:
        param = param * (1 - lr * weight_decay)
        g = grad
    else:
        g = grad + weight_decay * param
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** used) if correct else m
    v_hat = v / (1 - beta2 ** used) if correct else v
    root = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return param - lr * m_hat / root, m, v, t + 1


MUTANTS = {
    "no-bias-correction": {"adam_step": partial(_adam, correct=False)},
    "t-starts-at-0": {"adam_step": partial(_adam, step_before=True)},
    "adamw-as-l2": {"adam_step": partial(_adam, l2_always=True)},
    "eps-inside-sqrt": {"adam_step": partial(_adam, eps_inside=True)},
}
