"""Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay)."""

from minnet.errors import ConfigError
from minnet.kernels.optim import adam_coefficients, adam_update, apply_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_float


class Adam(Optimizer):
    """Adam, PyTorch's update rule (``amsgrad=False``).

    For each parameter ``p`` with gradient ``g``, at step ``t`` (1, 2, ...)::

        g  = g + weight_decay * p                    (L2 penalty, if weight_decay > 0)
        m  = beta1 * m + (1 - beta1) * g             (first moment)
        v  = beta2 * v + (1 - beta2) * g * g         (second moment)
        denominator = sqrt(v) / sqrt(1 - beta2**t) + eps
        p  = p - lr / (1 - beta1**t) * m / denominator

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``.
    lr : float
        Learning rate, > 0 (default 1e-3).
    betas : (float, float)
        Decay rates of the two moments, each in [0, 1).
    eps : float
        >= 0; added to the bias-corrected root of ``v``, as PyTorch does.
    weight_decay : float
        >= 0; L2 penalty added to the gradient (so it is rescaled by the
        adaptive denominator, unlike AdamW's).

    Notes
    -----
    The division by ``1 - beta**t`` (bias correction) undoes the pull toward
    the zeros that ``m`` and ``v`` start from. ``m`` is updated as
    ``m + (1 - beta1) * (g - m)``, PyTorch's ``lerp`` form of the same average.
    """

    hyperparameter_names = ("betas", "eps", "weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay)

    @classmethod
    def _check_hyperparameters(cls, betas, eps, weight_decay):
        name = cls.__name__
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ConfigError(
                f"{name}: the 'betas' parameter must be a pair of floats (beta1, beta2), "
                f"each in [0, 1), got {betas!r}"
            )
        beta1 = check_float(name, "betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
        beta2 = check_float(name, "betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
        return {"betas": (beta1, beta2),
                "eps": check_float(name, "eps", eps, low=0.0),
                "weight_decay": check_float(name, "weight_decay", weight_decay, low=0.0)}

    @staticmethod
    def _state_names(hyperparameters):
        return ("exp_avg", "exp_avg_sq")

    def _update(self, data, grad, state):
        self._adam_update(data, grad, state, decoupled=False)

    def _adam_update(self, data, grad, state, decoupled):
        """The moment updates and the step, shared by Adam and AdamW: one fused kernel."""
        beta1, beta2 = self.betas
        coefficients = adam_coefficients(self.lr, beta1, beta2, self.eps,
                                         self.step_count, self.weight_decay, decoupled)
        apply_update(adam_update, data, grad, (state["exp_avg"], state["exp_avg_sq"]),
                     coefficients)


class AdamW(Adam):
    """Adam with decoupled weight decay, PyTorch's update rule (``amsgrad=False``).

    Before Adam's step (without any L2 term in ``g``)::

        p = p * (1 - lr * weight_decay)

    The decay shrinks every weight by the same fraction, whatever its
    gradient history; with Adam's L2 the decay would be divided by
    ``sqrt(v)`` and so act less on the weights with large gradients.

    Parameters
    ----------
    params, lr, betas, eps
        As in ``Adam``.
    weight_decay : float
        >= 0 (default 0.01, PyTorch's).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, data, grad, state):
        self._adam_update(data, grad, state, decoupled=True)
