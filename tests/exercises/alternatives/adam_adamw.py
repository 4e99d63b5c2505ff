"""A correct Adam step written differently: corrected moments first, decay as a separate term."""

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
              weight_decay=0.0, decoupled=False):
    step = t + 1
    g = grad if decoupled else grad + weight_decay * param
    new_m = m + (1 - beta1) * (g - m)  # = beta1 m + (1 - beta1) g
    new_v = v + (1 - beta2) * (g * g - v)
    m_hat = new_m / (1.0 - beta1 ** step)
    v_hat = new_v / (1.0 - beta2 ** step)
    shrink = lr * weight_decay * param if decoupled else 0.0
    return param - shrink - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v, step
