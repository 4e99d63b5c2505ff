"""RMSprop: divide the gradient by a moving root mean square of recent gradients."""

from minnet.kernels.optim import apply_update, rmsprop_coefficients, rmsprop_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_float


class RMSprop(Optimizer):
    """RMSprop, PyTorch's update rule (``centered=False``, no weight decay).

    For each parameter ``p`` with gradient ``g``::

        v   = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v) + eps
        b   = momentum * b + g / avg        (if momentum > 0; b starts at 0)
        p   = p - lr * b                    (if momentum > 0)
        p   = p - lr * g / avg              (otherwise)

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``.
    lr : float
        Learning rate, > 0 (default 0.01).
    alpha : float
        Smoothing constant of the moving average, in [0, 1).
    eps : float
        >= 0; added to the root mean square, outside the square root.
    momentum : float
        >= 0; 0 keeps no momentum buffer.

    Notes
    -----
    PyTorch adds ``eps`` outside the square root; Keras and some texts add
    it inside (``sqrt(v + eps)``). The two differ while ``v`` is tiny.
    """

    hyperparameter_names = ("alpha", "eps", "momentum")

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0):
        super().__init__(params, lr, alpha=alpha, eps=eps, momentum=momentum)

    @classmethod
    def _check_hyperparameters(cls, alpha, eps, momentum):
        return {
            "alpha": check_float("RMSprop", "alpha", alpha, low=0.0, high=1.0, high_open=True),
            "eps": check_float("RMSprop", "eps", eps, low=0.0),
            "momentum": check_float("RMSprop", "momentum", momentum, low=0.0),
        }

    @staticmethod
    def _state_names(hyperparameters):
        if hyperparameters["momentum"] > 0:
            return ("square_avg", "momentum_buffer")
        return ("square_avg",)

    def _update(self, data, grad, state):
        coefficients = rmsprop_coefficients(self.lr, self.alpha, self.eps, self.momentum)
        apply_update(rmsprop_update, data, grad,
                     (state["square_avg"], state.get("momentum_buffer")), coefficients)
