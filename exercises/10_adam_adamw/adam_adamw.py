"""Exercise 10, adam-adamw: one Adam or AdamW update (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08,
              weight_decay=0.0, decoupled=False):
    """One Adam (decoupled=False) or AdamW (decoupled=True) update. Nothing is modified in place.

    t counts the steps taken BEFORE this one (0 at the start); this step is t + 1:
    t = t + 1
    Adam:  g = grad + weight_decay * param      AdamW: param = param * (1 - lr * weight_decay)
    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    param - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    The bias corrections undo the zero start of m and v: after one step
    m = (1 - beta1) g, and m / (1 - beta1) = g.

    Parameters
    ----------
    param, grad, m, v : ndarrays of the same shape (m and v: zeros before the first step)
    t : int >= 0, the steps taken so far
    lr, beta1, beta2, eps, weight_decay : floats; decoupled : bool

    Returns
    -------
    new_param, new_m, new_v : ndarrays of param's shape; new_t : int (t + 1)
    """
    # TODO: return (new_param, new_m, new_v, t + 1); leave the arguments unchanged.
    raise NotImplementedError
