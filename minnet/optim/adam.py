"""Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay)."""

import math

import numpy as np

from minnet.errors import ConfigError
from minnet.kernels.optim import run_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_bool, check_float


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, lr, beta1, beta2,
                eps, step, weight_decay=0.0, decoupled=False):
    """One Adam (or AdamW) step on one parameter, in place: PyTorch's rule, in NumPy.

    Parameters
    ----------
    param : ndarray, any shape; updated in place
    grad : ndarray of param's shape; only read
    exp_avg, exp_avg_sq : ndarray of param's shape, the moments m and v; updated in place
    max_exp_avg_sq : ndarray of param's shape, or None
        amsgrad's largest v so far (updated in place); None without amsgrad.
    lr, beta1, beta2, eps, weight_decay : float
    step : int
        This parameter's own step count, 1 on its first update.
    decoupled : bool
        AdamW's weight decay (shrink the weight) instead of Adam's L2 penalty.

    The numba backend runs this rule's twin, fused into one pass over the
    arrays (``minnet/kernels/optim_numba.py``), equal to it to the last bit;
    amsgrad always runs here.
    """
    if weight_decay != 0:
        if decoupled:  # AdamW: every weight shrinks by the same fraction
            param *= 1 - lr * weight_decay
        else:  # Adam: the L2 penalty's gradient, in a new array (.grad stays as it is)
            grad = grad + weight_decay * param
    exp_avg += (1 - beta1) * (grad - exp_avg)  # m = beta1 * m + (1 - beta1) * g
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)  # v = beta2 * v + (1 - beta2) * g**2
    if max_exp_avg_sq is not None:  # amsgrad: from here on, v is the largest v so far
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        exp_avg_sq = max_exp_avg_sq
    # m and v start at 0, which pulls them toward 0 by a factor 1 - beta**step: undo it.
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    denominator = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
    param -= step_size * (exp_avg / denominator)


class Adam(Optimizer):
    """Adam, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g``, at its own step ``t`` (1, 2,
    ..., counted per parameter: a parameter that no backward reached is
    skipped, and its ``t`` does not advance, as in PyTorch)::

        g  = g + weight_decay * p                    (L2 penalty, if weight_decay > 0)
        m  = beta1 * m + (1 - beta1) * g             (first moment)
        v  = beta2 * v + (1 - beta2) * g * g         (second moment)
        v_max = max(v_max, v)                        (if amsgrad; then v_max replaces v below)
        denominator = sqrt(v) / sqrt(1 - beta2**t) + eps
        p  = p - lr / (1 - beta1**t) * m / denominator

    Parameters
    ----------
    params : iterable of Parameter, or of parameter-group dicts
        ``model.parameters()``, or ``[{"params": [...], "lr": ...}, ...]``.
    lr : float
        Learning rate, > 0 (default 1e-3).
    betas : (float, float)
        Decay rates of the two moments, each in [0, 1).
    eps : float
        >= 0; added to the bias-corrected root of ``v``, as PyTorch does.
    weight_decay : float
        >= 0; L2 penalty added to the gradient (so it is rescaled by the
        adaptive denominator, unlike AdamW's).
    amsgrad : bool
        Divide by the largest second moment so far (default False).

    Notes
    -----
    The division by ``1 - beta**t`` (bias correction) undoes the pull toward
    the zeros that ``m`` and ``v`` start from. ``m`` is updated as
    ``m + (1 - beta1) * (g - m)``, PyTorch's ``lerp`` form of the same average.
    """

    hyperparameter_names = ("betas", "eps", "weight_decay", "amsgrad")
    state_names = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    required_state_names = ("step", "exp_avg", "exp_avg_sq")
    decoupled = False  # AdamW: True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    @classmethod
    def _check_hyperparameters(cls, owner, betas, eps, weight_decay, amsgrad):
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ConfigError(
                f"{owner}: the 'betas' parameter must be a pair of floats (beta1, beta2), "
                f"each in [0, 1), got {betas!r}"
            )
        beta1 = check_float(owner, "betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
        beta2 = check_float(owner, "betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
        return {"betas": (beta1, beta2),
                "eps": check_float(owner, "eps", eps, low=0.0),
                "weight_decay": check_float(owner, "weight_decay", weight_decay, low=0.0),
                "amsgrad": check_bool(owner, "amsgrad", amsgrad)}

    def _update(self, data, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
        state["step"] += 1
        if group["amsgrad"] and "max_exp_avg_sq" not in state:  # also when switched on later
            state["max_exp_avg_sq"] = np.zeros_like(data)
        beta1, beta2 = group["betas"]
        states = (state["exp_avg"], state["exp_avg_sq"],
                  state["max_exp_avg_sq"] if group["amsgrad"] else None)
        options = {"lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
                   "step": state["step"], "weight_decay": group["weight_decay"],
                   "decoupled": self.decoupled}
        # adam_update(data, grad, *states, **options), or its numba twin
        run_update(adam_update, data, grad, states, options)


class AdamW(Adam):
    """Adam with decoupled weight decay, PyTorch's update rule.

    Before Adam's step (without any L2 term in ``g``)::

        p = p * (1 - lr * weight_decay)

    The decay shrinks every weight by the same fraction, whatever its
    gradient history; with Adam's L2 the decay would be divided by
    ``sqrt(v)`` and so act less on the weights with large gradients.

    Parameters
    ----------
    params, lr, betas, eps, amsgrad
        As in ``Adam``.
    weight_decay : float
        >= 0 (default 0.01, PyTorch's).
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 amsgrad=False):
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
