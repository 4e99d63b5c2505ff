"""Wrong linear layers: db averaged, dw transposed, dx through w.T."""


def linear_forward(x, w, b=None):
    return x @ w.T + b, (x, w)


def db_averaged(grad_out, cache):
    x, w = cache
    return grad_out @ w, grad_out.T @ x, grad_out.mean(axis=0)


def dw_transposed(grad_out, cache):
    x, w = cache
    return grad_out @ w, x.T @ grad_out, grad_out.sum(axis=0)


def dx_uses_w_transposed(grad_out, cache):
    x, w = cache
    return grad_out @ w.T, grad_out.T @ x, grad_out.sum(axis=0)


MUTANTS = {
    "db-averaged": {"linear_forward": linear_forward, "linear_backward": db_averaged},
    "dw-transposed": {"linear_forward": linear_forward, "linear_backward": dw_transposed},
    "dx-uses-w-transposed": {"linear_forward": linear_forward,
                             "linear_backward": dx_uses_w_transposed},
}
