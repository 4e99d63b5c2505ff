"""The doctor's catalog: every finding code, its signal, threshold, explanation, fix, source.

Codes are stable (kebab-case) and never renamed once released; more may be
added. ``docs/doctor-catalog.md`` is generated from this table
(``python -m minnet.diagnostics.catalog.doc > docs/doctor-catalog.md``) and a test
keeps the two equal. Rules create findings through ``make_finding`` so that a
code's explanation and fix are written once, here.
"""

from dataclasses import dataclass

from minnet.diagnostics.report.finding import Finding


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    severity: str  # the default; a rule may raise or lower it with evidence
    kind: str  # "lint", "data", "sanity" or "monitor"
    title: str
    signal: str
    threshold: str
    explanation: str
    fix: str
    source: str


_ENTRIES = [
    # code, severity, kind, title  (signal, threshold, explanation, fix, source: filled below)
    ("softmax-before-loss", "error", "lint", "Softmax applied before a loss that takes logits"),
    ("stacked-linear", "warning", "lint", "Two linear layers with no nonlinearity between"),
    ("dropout-before-batchnorm", "warning", "lint", "Dropout placed before batch norm"),
    ("symmetric-init", "error", "lint", "Weights start identical (zero variance or equal rows)"),
    ("weight-scale-skew", "warning", "lint", "Initial weight scale far from He/Glorot/LeCun"),
    ("non-finite", "error", "data", "NaN or Inf in the data or during training"),
    ("inputs-not-centered", "warning", "data", "Input features far from zero mean"),
    ("inputs-not-scaled", "warning", "data", "Input features far from unit scale"),
    ("constant-feature", "info", "data", "An input feature never changes"),
    ("class-imbalance", "warning", "data", "Classes are strongly imbalanced"),
    ("split-overlap", "warning", "data", "Identical samples in training and validation"),
    ("labels-out-of-range", "error", "data", "Labels outside [0, C) for a C-class output"),
    ("initial-loss-off", "warning", "sanity", "Initial loss far from ln C"),
    ("gradcheck-failed", "error", "sanity", "Analytic and numerical gradients disagree"),
    ("cannot-overfit-batch", "warning", "sanity", "Cannot overfit one small batch"),
    ("ignores-input", "warning", "sanity", "The model's loss does not depend on its input"),
    ("lr-too-high", "warning", "monitor", "Learning rate too high"),
    ("lr-too-low", "warning", "monitor", "Learning rate too low"),
    ("update-ratio-high", "warning", "monitor", "Updates too large relative to the weights"),
    ("update-ratio-low", "warning", "monitor", "Updates too small relative to the weights"),
    ("grads-not-zeroed", "error", "monitor", "Gradients accumulate across steps"),
    ("dead-relu", "warning", "monitor", "ReLU units that never activate"),
    ("saturated-activation", "warning", "monitor", "Tanh/sigmoid units stuck at their limits"),
    ("vanishing-gradients", "warning", "monitor", "Gradients vanish toward the first layers"),
    ("exploding-gradients", "warning", "monitor", "Gradients explode"),
    ("regularization-dominates", "warning", "monitor", "Regularization outweighs the data loss"),
    ("loss-plateau", "warning", "monitor", "The loss stopped falling while accuracy is low"),
    ("labels-sorted-no-shuffle", "warning", "monitor", "Batches are not shuffled"),
    ("eval-in-train-mode", "warning", "monitor",
     "Evaluation with dropout/batch norm in training mode"),
    ("overfitting", "warning", "monitor", "Validation loss rises while training loss falls"),
    ("underfitting", "warning", "monitor", "Training and validation loss both high and flat"),
    ("no-lr-schedule", "info", "monitor", "A constant learning rate where a schedule would help"),
]

# Filled in by the catalog's text table (minnet/diagnostics/catalog_text.py).
from minnet.diagnostics.catalog.before_training import TEXT  # noqa: E402

CATALOG = {
    code: CatalogEntry(code, severity, kind, title, *TEXT[code])
    for code, severity, kind, title in _ENTRIES
}


def make_finding(code, where, evidence, summary=None, severity=None, step=None):
    """Build a Finding for ``code`` with the catalog's explanation and fix.

    ``summary`` is the specific sentence for this case ("layer 2: 87% of units
    dead"), placed before the catalog's general explanation.
    """
    entry = CATALOG[code]
    explanation = entry.explanation if summary is None else f"{summary} {entry.explanation}"
    return Finding(code=code, severity=severity or entry.severity, where=where,
                   evidence=dict(evidence), explanation=explanation, fix=entry.fix, step=step)
