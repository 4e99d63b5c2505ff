"""A correct linear layer written differently: einsum, and a dict as the cache."""

import numpy as np


def linear_forward(x, w, b=None):
    out = np.einsum("ni,ji->nj", x, w)
    if b is not None:
        out = out + b[None, :]
    return out, {"x": x, "w": w, "bias": b is not None}


def linear_backward(grad_out, cache, input_grad=True):
    dx = np.einsum("nj,ji->ni", grad_out, cache["w"]) if input_grad else None
    dw = np.einsum("nj,ni->ji", grad_out, cache["x"])
    db = np.einsum("nj->j", grad_out) if cache["bias"] else None
    return dx, dw, db
