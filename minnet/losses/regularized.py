"""The regularization penalty, kept apart from the data loss: RegularizedLoss and is_penalized."""

import re

import numpy as np

from minnet.core import Module
from minnet.errors import ConfigError, ShapeError
from minnet.losses.base import Loss, check_reduces_to_float
from minnet.validation import as_float_array, check_float

PENALTY_IS_A_NUMBER = "the penalty is one number, added to one number"

_RECURRENT_WEIGHT = re.compile(r"weight_(ih|hh)_l\d+(_reverse)?")


def is_penalized(name, param):
    """True for the weight matrices and kernels that weight decay should shrink.

    Penalized: parameters named ``weight`` (``0.weight``, ``block.weight``) or
    ``weight_ih_l0``/``weight_hh_l0`` (recurrent layers) with at least 2 dims.
    Not penalized: biases, which only shift a unit's input and multiply no data,
    so shrinking them adds bias without reducing variance; and normalization
    scales (1-D ``weight`` of BatchNorm/LayerNorm), whose size the following
    normalization undoes anyway (CS231n: "it is not common to regularize the
    bias parameters").
    """
    last = name.rsplit(".", 1)[-1]
    return param.data.ndim >= 2 and (last == "weight" or bool(_RECURRENT_WEIGHT.fullmatch(last)))


class RegularizedLoss(Loss):
    """A data loss plus an L1/L2 penalty on the model's weights, kept apart.

    value = data loss + l1 * sum |w| + 0.5 * l2 * sum w^2 over the weights
    chosen by ``is_penalized`` (not the biases, nor normalization scales).
    The 0.5 makes the penalty's gradient ``l2 * w``, so ``l2`` equals the
    ``weight_decay`` of plain SGD (which, unlike this loss, decays every
    parameter, biases included).

    Parameters
    ----------
    loss_fn : Loss, the data loss (exposed as ``.loss_fn``), reduced to a float
        (reduction "mean" or "sum": the penalty is one number, added to one number)
    model : Module, whose weights are penalized
    l1, l2 : float >= 0

    Attributes
    ----------
    data_loss, reg_loss : float
        The two parts of the last value, for logging and for the doctor's
        ``regularization-dominates`` check.
    """

    def __init__(self, loss_fn, model, l1=0.0, l2=0.0):
        super().__init__()
        for name, value, kind, expected in [("loss_fn", loss_fn, Loss, "a Loss such as "
                                             "CrossEntropyLoss()"),
                                            ("model", model, Module, "a Module")]:
            if not isinstance(value, kind):
                raise ConfigError(f"RegularizedLoss: the '{name}' parameter must be {expected}, "
                                  f"got {type(value).__name__}")
        check_reduces_to_float("RegularizedLoss", loss_fn, PENALTY_IS_A_NUMBER)
        self.loss_fn = loss_fn
        self.model = model
        self.l1 = check_float("RegularizedLoss", "l1", l1, low=0.0)
        self.l2 = check_float("RegularizedLoss", "l2", l2, low=0.0)
        self.data_loss = None
        self.reg_loss = None

    def penalized_parameters(self):
        """The ``(name, Parameter)`` pairs that the penalty applies to."""
        return [(name, param) for name, param in self.model.named_parameters()
                if is_penalized(name, param)]

    def penalty(self):
        """The regularization loss l1 * sum |w| + 0.5 * l2 * sum w^2, as a float."""
        total = 0.0
        for _, param in self.penalized_parameters():
            if self.l1:
                total += self.l1 * float(np.sum(np.abs(param.data)))
            if self.l2:
                total += 0.5 * self.l2 * float(np.sum(param.data * param.data))
        return total

    def forward(self, pred, target):
        # its reduction may have been changed since
        check_reduces_to_float("RegularizedLoss", self.loss_fn, PENALTY_IS_A_NUMBER)
        self._cache = None  # a refused call leaves no earlier call's cache for backward
        self.data_loss = self.loss_fn(pred, target)
        self.reg_loss = self.penalty()
        self._cache = True
        return self.data_loss + self.reg_loss

    def backward(self, grad_out=None):
        """Add the penalty's gradient into the weights' ``.grad``; return d(data loss)/d(pred).

        ``grad_out``: an optional scalar that scales both gradients (None: 1.0).
        """
        self._check_called()
        if grad_out is not None and np.ndim(grad_out) != 0:
            raise ShapeError(f"{self!r}: the loss is a float, so grad_out must be a scalar "
                             f"(or None for 1.0), got shape {np.shape(grad_out)}")
        scale = 1.0 if grad_out is None else float(as_float_array(self, grad_out,
                                                                  what="grad_out"))
        grad_pred = self.loss_fn.backward(grad_out)
        # d/dw [l1 |w| + l2 w^2 / 2] = l1 sign(w) + l2 w (sign(0) = 0: a subgradient),
        # times the upstream scale.
        for _, param in self.penalized_parameters():
            if self.l1:
                param.add_grad((scale * self.l1) * np.sign(param.data))
            if self.l2:
                param.add_grad((scale * self.l2) * param.data)
        return grad_pred

    def __repr__(self):
        return f"RegularizedLoss({self.loss_fn!r}, l1={self.l1!r}, l2={self.l2!r})"

