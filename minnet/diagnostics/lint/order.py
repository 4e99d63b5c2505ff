"""Lint rules on the order of layers: what the model computes, read from how it is built.

- ``softmax-before-loss``: the model ends with Softmax (or Sigmoid) and the
  loss takes logits (CrossEntropyLoss, BCEWithLogitsLoss, possibly inside a
  RegularizedLoss). Its run-time twin, for the monitor, is
  ``looks_like_probabilities``.
- ``stacked-linear``: affine → (Dropout/BatchNorm/LayerNorm/Flatten/Reshape/
  AvgPool)* → affine: two layers that compute one linear map.
- ``dropout-before-batchnorm``: Dropout directly, or through activations,
  reshapes or pooling, before BatchNorm (variance shift, Li et al. CVPR'19).
  Dropout → Linear → BatchNorm, the usual stack, is fine.
"""

import numpy as np

from minnet.diagnostics.lint.walk import (
    BATCH_NORMS,
    POOLS,
    SHAPE_ONLY,
    class_names,
    kind,
    last_layer,
    where_of,
)
from minnet.diagnostics.report.finding import make_finding

LOGIT_LOSSES = {"CrossEntropyLoss", "BCEWithLogitsLoss"}


def looks_like_probabilities(logits, axis=-1):
    """True when ``logits`` (N, C), C >= 2, look like softmax outputs, not logits.

    Every entry in [0, 1] and every row summing to 1 (to 1e-4): what a Softmax
    layer produces and what logits essentially never are. One-column or 1-D
    outputs return False: a sigmoid output cannot be told from small logits.
    """
    logits = np.asarray(logits)
    if logits.ndim < 2 or logits.shape[axis] < 2 or logits.size == 0:
        return False
    if logits.dtype.kind not in "fiu" or not np.all(np.isfinite(logits)):
        return False
    if logits.min() < 0 or logits.max() > 1:
        return False
    return bool(np.all(np.abs(logits.sum(axis=axis) - 1.0) <= 1e-4))


def _data_loss(loss_fn):
    """The loss that sees the model's output: RegularizedLoss and its kind are unwrapped."""
    for _ in range(10):
        if not hasattr(loss_fn, "loss_fn"):
            break
        loss_fn = loss_fn.loss_fn
    return loss_fn


def softmax_before_loss(model, loss_fn):
    if loss_fn is None:
        return []
    loss_name = type(_data_loss(loss_fn)).__name__
    name, last = last_layer("", model)
    if loss_name not in LOGIT_LOSSES or not class_names(last) & {"Softmax", "Sigmoid"}:
        return []
    where = where_of(name, last)
    squash = "softmax" if loss_name == "CrossEntropyLoss" else "sigmoid"
    return [make_finding(
        "softmax-before-loss", where, {"last_layer": type(last).__name__, "loss": loss_name},
        summary=f"The model ends with {where}, and {loss_name} applies its own {squash} to "
                f"what it receives: the outputs are squashed twice.")]


def _route(between):
    return f"through {', '.join(between)}" if between else "directly"


def stacked_linear(chain):
    """Affine → (transparent)* → affine: the pair collapses into one affine map."""
    findings, previous, between = [], None, []
    for name, module in chain:
        layer_kind = kind(module)
        if layer_kind == "affine":
            if previous is not None:
                first, second = where_of(*previous), where_of(name, module)
                findings.append(make_finding(
                    "stacked-linear", second,
                    {"first": first, "second": second,
                     "between": ", ".join(between) or "nothing"},
                    summary=f"{first} feeds {second} {_route(between)}, with no "
                            f"nonlinearity: together they compute a single linear map."))
            previous, between = (name, module), []
        elif layer_kind == "transparent" and previous is not None:
            between.append(type(module).__name__)
        else:
            previous, between = None, []
    return findings


def dropout_before_batchnorm(chain):
    """Dropout → (activation, Flatten, Reshape, pooling, Dropout)* → BatchNorm."""
    findings, dropout, between = [], None, []
    for name, module in chain:
        names = class_names(module)
        if names & BATCH_NORMS and dropout is not None:
            where = where_of(name, module)
            findings.append(make_finding(
                "dropout-before-batchnorm", where,
                {"dropout": where_of(*dropout), "batchnorm": where,
                 "between": ", ".join(between) or "nothing"},
                summary=f"{where_of(*dropout)} feeds {where} {_route(between)}."))
            dropout = None
        elif "Dropout" in names:
            dropout, between = (name, module), []
        elif dropout is not None and (kind(module) == "activation" or names & (SHAPE_ONLY | POOLS)):
            between.append(type(module).__name__)
        else:
            dropout = None
    return findings
