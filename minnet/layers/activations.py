"""Activation layers: each is a thin module around a pair in ``minnet.functional.activations``.

They have no parameters, keep the input's float dtype (float32 in, float32
out; ints and bools become float64) and accept any input shape.
"""

from minnet.core import Module
from minnet.errors import ShapeError
from minnet.functional import activations as F
from minnet.validation import as_float_array, check_float, check_int


class Activation(Module):
    """Base class: forward calls ``pair[0]``, backward calls ``pair[1]``.

    A subclass sets ``pair = (op_forward, op_backward)`` and, when the
    operation takes arguments, overrides ``arguments()`` to return them as a
    dict (passed to ``op_forward`` as keyword arguments).
    """

    pair = None

    def arguments(self):
        """Keyword arguments of the forward function (also shown in the repr)."""
        return {}

    def extra_repr(self):
        return ", ".join(f"{name}={value!r}" for name, value in self.arguments().items())

    def check_input(self, x):
        """Hook for subclasses with shape requirements (Softmax's axis)."""

    def forward(self, x):
        x = as_float_array(self, x)
        self.check_input(x)
        out, cache = self.pair[0](x, **self.arguments())
        self.push_cache((cache, out.shape))
        return out

    def backward(self, grad_out):
        """Return dL/dx, the shape of the forward input."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        return self.pair[1](grad_out, cache)


class ReLU(Activation):
    """``max(x, 0)``. Units whose input stays negative get no gradient ("dead ReLU")."""

    pair = (F.relu_forward, F.relu_backward)


class LeakyReLU(Activation):
    """``x`` where x > 0, else ``negative_slope * x``: a small gradient keeps units alive.

    Parameters
    ----------
    negative_slope : float, default 0.01 (PyTorch's default)
    """

    pair = (F.leaky_relu_forward, F.leaky_relu_backward)

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = check_float("LeakyReLU", "negative_slope", negative_slope)

    def arguments(self):
        return {"negative_slope": self.negative_slope}


class Sigmoid(Activation):
    """``1 / (1 + exp(-x))``, computed without overflow. Saturates (gradient ~0) for |x| >> 1.

    For a binary classifier, feed logits to ``BCEWithLogitsLoss`` instead of
    ending the model with Sigmoid: the fused loss is stable and its gradient
    does not vanish when the sigmoid saturates.
    """

    pair = (F.sigmoid_forward, F.sigmoid_backward)


class Tanh(Activation):
    """``tanh(x)``: zero-centred, saturates for |x| >> 1."""

    pair = (F.tanh_forward, F.tanh_backward)


class ELU(Activation):
    """``x`` where x > 0, else ``alpha * (exp(x) - 1)``, which saturates at ``-alpha``.

    Parameters
    ----------
    alpha : float > 0, default 1.0
        Must be positive: alpha = 0 is ReLU and alpha < 0 makes the function
        non-monotonic, neither of which is ELU.
    """

    pair = (F.elu_forward, F.elu_backward)

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = check_float("ELU", "alpha", alpha, low=0.0, low_open=True)

    def arguments(self):
        return {"alpha": self.alpha}


class GELU(Activation):
    """Exact GELU ``x * Phi(x)`` with the normal CDF via erf (PyTorch's ``approximate='none'``)."""

    pair = (F.gelu_forward, F.gelu_backward)


class Softmax(Activation):
    """Softmax along ``axis`` (PyTorch's ``dim``): entries in (0, 1) that sum to 1.

    Do not put Softmax before ``CrossEntropyLoss``: that loss expects logits
    and applies its own (stable) log-softmax.

    Parameters
    ----------
    axis : int, default -1
    """

    pair = (F.softmax_forward, F.softmax_backward)

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = check_int("Softmax", "axis", axis)

    def arguments(self):
        return {"axis": self.axis}

    def check_input(self, x):
        if not -x.ndim <= self.axis < x.ndim:
            raise ShapeError(
                f"{self!r}: expected an input with an axis {self.axis} (at least "
                f"{self.axis + 1 if self.axis >= 0 else -self.axis} dimensions), "
                f"got shape {x.shape}"
            )
