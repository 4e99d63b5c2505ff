"""Adagrad: a per-coordinate step size that shrinks with the sum of squared gradients."""

from minnet.kernels.optim import adagrad_coefficients, adagrad_update, apply_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_float


class Adagrad(Optimizer):
    """Adagrad, PyTorch's update rule (``lr_decay=0``, ``initial_accumulator_value=0``).

    For each parameter ``p`` with gradient ``g``::

        sum = sum + g * g
        p   = p - lr * g / (sqrt(sum) + eps)

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``.
    lr : float
        Learning rate, > 0 (default 0.01).
    eps : float
        >= 0; added to the denominator, outside the square root.

    Notes
    -----
    The sum only grows, so the effective step only shrinks: Adagrad suits
    sparse gradients and convex problems; RMSprop replaces the sum by a
    moving average so that deep networks keep learning.
    """

    hyperparameter_names = ("eps",)

    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params, lr, eps=eps)

    @classmethod
    def _check_hyperparameters(cls, eps):
        return {"eps": check_float("Adagrad", "eps", eps, low=0.0)}

    @staticmethod
    def _state_names(hyperparameters):
        return ("sum",)

    def _update(self, data, grad, state):
        coefficients = adagrad_coefficients(self.lr, self.eps)
        apply_update(adagrad_update, data, grad, (state["sum"],), coefficients)
