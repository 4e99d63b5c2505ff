"""Lint rule on dropout rates: ``dropout-too-high``.

A Dropout layer (any class named Dropout* in its MRO with a rate ``p``, the
probability of zeroing a unit) with p >= 0.9 keeps at most one unit in ten:
the next layer sees a different, mostly empty input at every step. The rule
reads every module, whatever the container: the rate does not depend on order.
"""

from minnet.diagnostics._shared import class_names, layer_where
from minnet.diagnostics.report.finding import make_finding

MAX_P = 0.9  # p >= MAX_P warns; 0.5 (hidden) and 0.2 (inputs) are the usual rates


def dropout_too_high(model):
    findings = []
    for name, module in model.named_modules():
        p = getattr(module, "p", None)
        is_dropout = any(cls.startswith("Dropout") for cls in class_names(module))
        if not is_dropout or not isinstance(p, float) or p < MAX_P:
            continue
        where = layer_where(name, module, root=None)
        findings.append(make_finding(
            "dropout-too-high", where, {"p": p, "kept": 1.0 - p},
            summary=f"{where} zeroes each unit with probability {p:g}: only "
                    f"{100 * (1 - p):.3g}% of its inputs reach the next layer."))
    return findings
