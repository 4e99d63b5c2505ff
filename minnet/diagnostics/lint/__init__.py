"""Lint: mistakes visible in the model and loss as written, before any data flows.

``lint(model, loss_fn, y=None)`` reads the module tree in execution order
(see ``walk`` for what "order" means through containers and residual
blocks), the order rules (``order``), the output layer against its loss
(``output``), the dropout rates (``dropout``) and the initial weights
(``initialization``). Nothing runs and nothing is modified. The targets
``y``, when given, are read only to tell class labels from a regression.
"""

from minnet.diagnostics.lint.dropout import dropout_too_high
from minnet.diagnostics.lint.initialization import symmetric_init, weight_scale_skew, weights
from minnet.diagnostics.lint.order import dropout_before_batchnorm, stacked_linear
from minnet.diagnostics.lint.output import (
    activation_before_logits_loss,
    sigmoid_mse_classification,
)
from minnet.diagnostics.lint.walk import chains, next_activations, output_side_layers


def lint(model, loss_fn=None, *, y=None):
    """Return the lint findings for ``model`` (a Module) and ``loss_fn`` (a Loss or None).

    ``y``: the training targets (N, ...) or None; only the sigmoid-with-MSE
    rule reads them. Codes: ``softmax-before-loss``, ``relu-before-loss``,
    ``sigmoid-mse-classification``, ``stacked-linear``,
    ``dropout-before-batchnorm``, ``dropout-too-high``, ``symmetric-init``,
    ``weight-scale-skew``.
    """
    all_chains = list(chains("", model))
    findings = activation_before_logits_loss(model, loss_fn)
    findings += sigmoid_mse_classification(model, loss_fn, y)
    for chain in all_chains:
        findings += stacked_linear(chain) + dropout_before_batchnorm(chain)
    findings += dropout_too_high(model)
    weight_layers = [module_name for module_name, _, _, _ in weights(model)]
    exempt = output_side_layers(model, all_chains, weight_layers)
    findings += symmetric_init(model, exempt)
    findings += weight_scale_skew(model, exempt, next_activations(all_chains))
    return findings
