"""Lint rules on the output layer and the loss it feeds.

- ``softmax-before-loss`` and ``relu-before-loss``: one rule. The model ends
  with an activation (Softmax or Sigmoid: squashed twice; ReLU: negative
  logits clipped to 0) and the loss takes logits (CrossEntropyLoss,
  BCEWithLogitsLoss, possibly inside a RegularizedLoss). The softmax case has
  a run-time twin in the monitor (``minnet.diagnostics.rules.events``:
  outputs in [0, 1] whose rows sum to 1 reach the loss).
- ``sigmoid-mse-classification``: a Sigmoid output trained with MSELoss on
  class targets (an integer or boolean dtype, or every value 0 or 1). The
  loss alone says "regression" (``_shared.task_of``); only the targets tell
  a classification trained with the wrong loss from a regression in [0, 1].
"""

import numpy as np

from minnet.diagnostics._shared import class_names, data_loss_of, layer_where
from minnet.diagnostics.lint.walk import last_layer
from minnet.diagnostics.report.finding import make_finding
from minnet.losses import MSELoss

LOGIT_LOSSES = {"CrossEntropyLoss": "softmax", "BCEWithLogitsLoss": "sigmoid"}

# Output activation (a class name in the layer's MRO) -> (code, what it does to the logits).
# Softmax and Sigmoid come first: a custom layer deriving from both is squashed first.
BEFORE_LOGITS = (
    ("Softmax", "softmax-before-loss", "the outputs are squashed twice"),
    ("Sigmoid", "softmax-before-loss", "the outputs are squashed twice"),
    ("ReLU", "relu-before-loss", "every negative logit is clipped to 0 before it"),
)


def activation_before_logits_loss(model, loss_fn):
    """The model's last layer is an activation and the loss applies its own to logits."""
    if loss_fn is None:
        return []
    loss_name = type(data_loss_of(loss_fn)).__name__
    name, last = last_layer("", model)
    names = set(class_names(last))
    found = [(code, effect) for activation, code, effect in BEFORE_LOGITS if activation in names]
    if loss_name not in LOGIT_LOSSES or not found:
        return []
    code, effect = found[0]
    where = layer_where(name, last, root=None)
    return [make_finding(
        code, where, {"last_layer": type(last).__name__, "loss": loss_name},
        summary=f"The model ends with {where}, and {loss_name} applies its own "
                f"{LOGIT_LOSSES[loss_name]} to what it receives: {effect}.")]


def class_targets(y):
    """True when ``y`` holds class labels: an integer or boolean dtype, or only 0s and 1s."""
    if y is None:
        return False
    y = np.asarray(y)
    if y.size == 0:
        return False
    if y.dtype.kind in "biu":
        return True
    return y.dtype.kind == "f" and bool(np.all((y == 0) | (y == 1)))


def sigmoid_mse_classification(model, loss_fn, y):
    """A Sigmoid output, MSELoss, and targets that are class labels (see ``class_targets``)."""
    if not isinstance(data_loss_of(loss_fn), MSELoss) or not class_targets(y):
        return []
    name, last = last_layer("", model)
    if "Sigmoid" not in class_names(last):
        return []
    where = layer_where(name, last, root=None)
    y = np.asarray(y)
    return [make_finding(
        "sigmoid-mse-classification", where,
        {"last_layer": type(last).__name__, "loss": type(data_loss_of(loss_fn)).__name__,
         "target_dtype": str(y.dtype), "target_values": ", ".join(
             f"{value:g}" for value in np.unique(y)[:5].astype(np.float64))},
        summary=f"The model ends with {where} and is trained with MSELoss on class targets "
                f"(dtype {y.dtype}): a confident wrong output gets almost no gradient.")]
