"""Activation layers: each is a thin module around a pair in ``minnet.functional.activations``.

They have no parameters, keep the input's float dtype (float32 in, float32
out; ints and bools become float64) and accept any input shape.
"""

import numpy as np

from minnet.core import Module
from minnet.errors import ArgumentError, ConfigError
from minnet.functional import activations as F
from minnet.validation import as_float_array, check_float, check_int


def _refuse_arguments(name, args, kwargs):
    """The ArgumentError (a TypeError) for arguments given to an activation that takes none,
    naming it."""
    given = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
    message = f"{name}() takes no arguments, got {', '.join(given)}"
    if "inplace" in kwargs:
        message += ("; minnet never modifies a layer's input in place (backward may need it), "
                    "so remove the inplace argument")
    return ArgumentError(message)


class Activation(Module):
    """Base class: forward calls ``pair[0]``, backward calls ``pair[1]``.

    A subclass sets ``pair = (op_forward, op_backward)`` and, when the
    operation takes arguments, defines ``__init__`` and overrides
    ``arguments()`` to return them as a dict (passed to ``op_forward`` as
    keyword arguments). A subclass without ``__init__`` takes no arguments:
    ``ReLU(foo=1)`` raises a TypeError that names ReLU.
    """

    pair = None

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise _refuse_arguments(type(self).__name__, args, kwargs)
        super().__init__()

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


class SiLU(Activation):
    """SiLU, also called swish: ``x * sigmoid(x)``, smooth and non-monotonic near 0."""

    pair = (F.silu_forward, F.silu_backward)


class Softplus(Activation):
    """``log(1 + exp(beta * x)) / beta``, a smooth ReLU; ``x`` itself where beta * x > threshold.

    Parameters
    ----------
    beta : float > 0, default 1.0. PyTorch also accepts beta <= 0, which is
        not a softplus (beta = 0 divides by zero); minnet refuses it.
    threshold : float, default 20.0. Above it (in beta * x) the output is x,
        as in PyTorch; the gradient there is 1.

    Notes
    -----
    The forward never overflows, even with a threshold so large that
    PyTorch's ``log1p(exp(beta * x))`` gives inf (above ~709 in float64).
    """

    pair = (F.softplus_forward, F.softplus_backward)

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = check_float("Softplus", "beta", beta, low=0.0, low_open=True)
        self.threshold = check_float("Softplus", "threshold", threshold)

    def arguments(self):
        return {"beta": self.beta, "threshold": self.threshold}


def _axis_argument(name, axis, dim):
    """The axis of Softmax/LogSoftmax, from ``axis`` or PyTorch's keyword ``dim``."""
    if dim is not None:
        # isinstance first: an array given as axis must not reach ``!=``
        if not (isinstance(axis, (int, np.integer)) and axis == -1):
            raise ConfigError(f"{name}: got both axis={axis!r} and dim={dim!r}; they are the "
                              f"same argument (minnet's name and PyTorch's): give one")
        axis = dim
    return check_int(name, "dim" if dim is not None else "axis", axis)


class _AlongAxis(Activation):
    """Softmax and LogSoftmax: one ``axis`` argument, which the input must have.

    Each public subclass keeps its own ``__init__``, so that a wrong keyword
    argument names it, not this base.
    """

    def arguments(self):
        return {"axis": self.axis}

    def check_input(self, x):
        F.check_axis(self, x, self.axis)


class Softmax(_AlongAxis):
    """Softmax along ``axis`` (PyTorch's ``dim``): entries in (0, 1) that sum to 1.

    Do not put Softmax before ``CrossEntropyLoss``: that loss expects logits
    and applies its own (stable) log-softmax.

    Parameters
    ----------
    axis : int, default -1
    dim : int, keyword only: PyTorch's name for ``axis``, accepted so that
        ``Softmax(dim=1)`` works as in PyTorch (the repr shows ``axis``).
    """

    pair = (F.softmax_forward, F.softmax_backward)

    def __init__(self, axis=-1, *, dim=None):
        super().__init__()
        self.axis = _axis_argument("Softmax", axis, dim)


class LogSoftmax(_AlongAxis):
    """``log(softmax(x))`` along ``axis``, computed stably (never log of 0 for finite x).

    With ``NLLLoss`` it makes cross-entropy; ``CrossEntropyLoss`` on logits
    does both in one step.

    Parameters
    ----------
    axis : int, default -1 (PyTorch's ``dim``; PyTorch's default ``dim=None``
        picks an axis from the input's rank with a warning, minnet uses the last)
    dim : int, keyword only: PyTorch's name for ``axis``, as in ``Softmax``.
    """

    pair = (F.log_softmax_forward, F.log_softmax_backward)

    def __init__(self, axis=-1, *, dim=None):
        super().__init__()
        self.axis = _axis_argument("LogSoftmax", axis, dim)
