"""Lint: mistakes visible in the model and loss as written, before any data flows.

``lint(model, loss_fn)`` reads the module tree in execution order (see
``walk`` for what "order" means through containers and residual blocks), the
order rules (``order``) and the initial weights (``initialization``). Nothing
runs and nothing is modified.
"""

from minnet.diagnostics.lint.initialization import symmetric_init, weight_scale_skew, weights
from minnet.diagnostics.lint.order import (
    dropout_before_batchnorm,
    softmax_before_loss,
    stacked_linear,
)
from minnet.diagnostics.lint.walk import chains, next_activations, output_side_layers


def lint(model, loss_fn=None):
    """Return the lint findings for ``model`` (a Module) and ``loss_fn`` (a Loss or None).

    Codes: ``softmax-before-loss``, ``stacked-linear``, ``dropout-before-batchnorm``,
    ``symmetric-init``, ``weight-scale-skew``.
    """
    all_chains = list(chains("", model))
    findings = softmax_before_loss(model, loss_fn)
    for chain in all_chains:
        findings += stacked_linear(chain) + dropout_before_batchnorm(chain)
    weight_layers = [module_name for module_name, _, _, _ in weights(model)]
    exempt = output_side_layers(model, all_chains, weight_layers)
    findings += symmetric_init(model, exempt)
    findings += weight_scale_skew(model, exempt, next_activations(all_chains))
    return findings
