"""Lint rules on the order of layers: what the model computes, read from how it is built.

- ``stacked-linear``: affine → (Dropout/BatchNorm/LayerNorm/Flatten/Reshape/
  AvgPool)* → affine: two layers that compute one linear map.
- ``dropout-before-batchnorm``: Dropout directly, or through activations,
  reshapes or pooling, before BatchNorm (variance shift, Li et al. CVPR'19).
  Dropout → Linear → BatchNorm, the usual stack, is fine.
"""

from minnet.diagnostics._shared import class_names, layer_where
from minnet.diagnostics.lint.walk import (
    BATCH_NORMS,
    POOLS,
    SHAPE_ONLY,
    kind,
)
from minnet.diagnostics.report.finding import make_finding


def _route(between):
    return f"through {', '.join(between)}" if between else "directly"


def stacked_linear(chain):
    """Affine → (transparent)* → affine: the pair collapses into one affine map."""
    findings, previous, between = [], None, []
    for name, module in chain:
        layer_kind = kind(module)
        if layer_kind == "affine":
            if previous is not None:
                first = layer_where(*previous, root=None)
                second = layer_where(name, module, root=None)
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
        names = set(class_names(module))
        if names & BATCH_NORMS and dropout is not None:
            where = layer_where(name, module, root=None)
            findings.append(make_finding(
                "dropout-before-batchnorm", where,
                {"dropout": layer_where(*dropout, root=None), "batchnorm": where,
                 "between": ", ".join(between) or "nothing"},
                summary=f"{layer_where(*dropout, root=None)} feeds {where} {_route(between)}."))
            dropout = None
        elif "Dropout" in names:
            dropout, between = (name, module), []
        elif dropout is not None and (kind(module) == "activation" or names & (SHAPE_ONLY | POOLS)):
            between.append(type(module).__name__)
        else:
            dropout = None
    return findings
