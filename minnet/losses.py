"""Losses on logits, and the regularization penalty kept apart from the data loss.

A loss is not a Module (it has no parameters and ends the graph):
``loss = loss_fn(pred, target)`` returns a Python float and caches what
``loss_fn.backward()`` needs to return d(loss)/d(pred), with pred's shape and
dtype. The training loop then runs ``model.backward(loss_fn.backward())``.
Every loss is mean-reduced, as PyTorch's defaults are.
"""

import re

import numpy as np

from minnet.core import Module
from minnet.errors import ConfigError, DataError, MinnetError, ShapeError
from minnet.functional import losses as F
from minnet.validation import (
    as_float_array,
    check_finite,
    check_float,
    check_labels,
    check_ndim,
    owner_name,
)


class Loss:
    """Base class. A subclass sets ``pair = (loss_forward, loss_backward)`` and
    implements ``check_inputs(pred, target) -> (pred, target)``; ``options()``
    returns the keyword arguments of ``loss_forward`` (also shown in the repr).
    """

    pair = None

    def __init__(self):
        self._cache = None

    def options(self):
        return {}

    def check_inputs(self, pred, target):
        raise NotImplementedError(f"{type(self).__name__} must implement check_inputs")

    def forward(self, pred, target):
        """Return the loss as a float and cache what ``backward`` needs."""
        pred, target = self.check_inputs(pred, target)
        loss, self._cache = self.pair[0](pred, target, **self.options())
        return loss

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def _check_called(self):
        if self._cache is None:
            raise MinnetError(
                f"{owner_name(self)}: backward() called before the loss was computed; "
                f"call loss = loss_fn(pred, target) first"
            )

    def backward(self):
        """Return d(loss)/d(pred) for the last call, with pred's shape and dtype."""
        self._check_called()
        return self.pair[1](1.0, self._cache)

    def __repr__(self):
        options = ", ".join(f"{name}={value!r}" for name, value in self.options().items())
        return f"{type(self).__name__}({options})"


def _check_not_empty(owner, pred, what):
    if pred.size == 0:
        raise DataError(
            f"{owner_name(owner)}: expected a non-empty {what}, got shape {pred.shape}; "
            f"the mean over no samples is undefined"
        )


def _check_elementwise_inputs(owner, pred, target, what):
    """Float pred and target of one shape, non-empty, with a finite target.

    Targets that would broadcast are refused: (N,) against (N, 1) silently
    gives an (N, N) difference and a wrong loss that still goes down.
    """
    pred = as_float_array(owner, pred, what=what)
    target = as_float_array(owner, target, dtype=pred.dtype, what="target")
    if pred.shape != target.shape:
        message = (f"{owner_name(owner)}: expected target of the same shape as the {what}, "
                   f"{pred.shape}, got {target.shape}")
        if pred.size == target.size:
            message += (f"; reshape it with target.reshape({pred.shape}) (a (N,) and an "
                        f"(N, 1) array would broadcast to (N, N), a silently wrong loss)")
        raise ShapeError(message)
    _check_not_empty(owner, pred, what)
    check_finite(owner, target)
    return pred, target


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits (N, C) and integer class targets (N,).

    Takes raw scores: it applies its own stable log-softmax, so a Softmax
    layer before it is a bug. With random logits the initial loss is about
    ln(C), the first sanity check of any classifier.

    Parameters
    ----------
    label_smoothing : float in [0, 1], default 0.0
        The target distribution becomes (1 - eps) * onehot + eps / C, as in PyTorch.

    Shapes: logits (N, C), target (N,) of ints in [0, C) -> float.
    """

    pair = (F.cross_entropy_forward, F.cross_entropy_backward)

    def __init__(self, label_smoothing=0.0):
        super().__init__()
        self.label_smoothing = check_float("CrossEntropyLoss", "label_smoothing",
                                           label_smoothing, low=0.0, high=1.0)

    def options(self):
        return {"label_smoothing": self.label_smoothing}

    def check_inputs(self, pred, target):
        logits = as_float_array(self, pred, what="logits")
        hint = ("for one sample use logits.reshape(1, -1); with one logit per sample "
                "use BCEWithLogitsLoss") if logits.ndim == 1 else None
        check_ndim(self, logits, (2,), "(N, C)", hint, what="logits")
        _check_not_empty(self, logits, "logits")
        target = np.asarray(target)
        num_samples, num_classes = logits.shape
        if target.shape != (num_samples,):
            message = (f"{owner_name(self)}: expected target of shape (N,) = "
                       f"({num_samples},) to match logits {logits.shape}, got {target.shape}")
            if target.shape == logits.shape:
                message += "; the target looks one-hot: pass class indices, target.argmax(axis=1)"
            elif target.shape == (num_samples, 1):
                message += "; flatten it with target.ravel()"
            raise ShapeError(message)
        return logits, check_labels(self, target, num_classes)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits: a sigmoid and BCE fused, stable for any logit.

    Shapes: logits of any shape, target of the same shape with probabilities
    in [0, 1] (usually 0/1 labels) -> float, the mean over every element.
    """

    pair = (F.bce_with_logits_forward, F.bce_with_logits_backward)

    def check_inputs(self, pred, target):
        logits, target = _check_elementwise_inputs(self, pred, target, "logits")
        low, high = target.min(), target.max()
        if low < 0 or high > 1:
            message = (f"{owner_name(self)}: expected target probabilities in [0, 1], "
                       f"got values from {low} to {high}")
            if low == -1:
                message += "; map -1/+1 labels to 0/1 with (target + 1) / 2"
            raise DataError(message)
        return logits, target


class MSELoss(Loss):
    """Mean squared error ``mean((pred - target)^2)`` over every element.

    Shapes: pred of any shape, target of the same shape -> float.
    """

    pair = (F.mse_forward, F.mse_backward)

    def check_inputs(self, pred, target):
        return _check_elementwise_inputs(self, pred, target, "prediction")


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
    loss_fn : Loss, the data loss (exposed as ``.loss_fn``)
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
        self.data_loss = self.loss_fn(pred, target)
        self.reg_loss = self.penalty()
        self._cache = True
        return self.data_loss + self.reg_loss

    def backward(self):
        """Add the penalty's gradient into the weights' ``.grad``; return d(data loss)/d(pred)."""
        self._check_called()
        grad_pred = self.loss_fn.backward()
        # d/dw [l1 |w| + l2 w^2 / 2] = l1 sign(w) + l2 w (sign(0) = 0: a subgradient).
        for _, param in self.penalized_parameters():
            if self.l1:
                param.add_grad(self.l1 * np.sign(param.data))
            if self.l2:
                param.add_grad(self.l2 * param.data)
        return grad_pred

    def __repr__(self):
        return f"RegularizedLoss({self.loss_fn!r}, l1={self.l1!r}, l2={self.l2!r})"
