"""The base class of the losses: options checked once, a pair from ``minnet.functional.losses``.

A loss is not a Module (it has no parameters and ends the graph):
``loss = loss_fn(pred, target)`` returns a Python float ("mean", "sum") or
the ndarray of per-element losses ("none"), and caches what
``loss_fn.backward()`` needs to return d(loss)/d(pred), with pred's shape
and dtype. The training loop then runs ``model.backward(loss_fn.backward())``.
"""

import inspect

import numpy as np

from minnet.arguments import CheckedArguments
from minnet.errors import ConfigError, MinnetError
from minnet.validation import owner_name


def format_option(value):
    """An option as the repr shows it: short arrays as lists, long ones by their shape."""
    if isinstance(value, np.ndarray):
        return repr(value.tolist()) if value.size <= 10 else f"<array of shape {value.shape}>"
    return repr(value)


class Loss(CheckedArguments):
    """Base class. A subclass sets ``pair = (loss_forward, loss_backward)`` and
    ``check_options``, the functional checker of the forward's keyword
    arguments; its ``__init__`` passes those arguments to ``Loss.__init__``,
    which checks them (fail fast) and keeps each as an attribute.

    The forward checks the options again at every call (cheap), so that an
    attribute changed after construction cannot slip past the checks.
    """

    pair = None
    check_options = None

    def __init__(self, **options):
        check = type(self).check_options
        checked = check(type(self).__name__, **options) if check else options
        self._option_names = tuple(checked)
        for name, value in checked.items():
            setattr(self, name, value)
        self._cache = None

    def options(self):
        """The keyword arguments of the forward function, as a dict."""
        return {name: getattr(self, name) for name in self._option_names}

    def forward(self, pred, target):
        """Return the loss (a float, or an ndarray with reduction="none"); cache for backward."""
        self._cache = None  # a refused call leaves no earlier call's cache for backward
        loss, self._cache = self.pair[0](pred, target, owner=self, **self.options())
        return loss

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def _check_called(self):
        if self._cache is None:
            raise MinnetError(
                f"{owner_name(self)}: backward() called before the loss was computed; "
                f"call loss = loss_fn(pred, target) first"
            )

    def backward(self, grad_out=None):
        """Return d(loss)/d(pred) for the last call, with pred's shape and dtype.

        ``grad_out``: with reduction "mean" or "sum" an optional scalar that
        scales the gradient (None: 1.0); with "none" required, the upstream
        gradient of the per-element losses (their shape), e.g.
        ``np.ones_like(loss)`` for the gradient of their sum.
        """
        self._check_called()
        return self.pair[1](grad_out, self._cache)

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        shown = [f"{name}={format_option(value)}" for name, value in self.options().items()
                 if not _is_default(value, defaults[name].default)]
        return f"{type(self).__name__}({', '.join(shown)})"


def _is_default(value, default):
    if value is None or default is None or isinstance(value, np.ndarray):
        return value is default
    return type(value) is type(default) and value == default


def check_reduces_to_float(owner, loss_fn, why):
    """Refuse a loss with ``reduction="none"`` where one number per call is needed.

    ``why`` ends the message: what the owner does with the number.
    """
    while hasattr(loss_fn, "loss_fn"):  # a RegularizedLoss reduces as its data loss does
        loss_fn = loss_fn.loss_fn
    if getattr(loss_fn, "reduction", "mean") == "none":
        raise ConfigError(
            f"{owner}: the loss must reduce to a float (reduction 'mean' or 'sum'), got "
            f"{loss_fn!r}: reduction='none' returns one loss per element; {why}")
