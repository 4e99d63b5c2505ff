"""The loss at step 0 against ln C: a network that starts confidently wrong, or not fresh."""

import math

import numpy as np

from minnet.diagnostics._shared import BINARY, MULTICLASS, data_loss_of, private_copies
from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.sanity.common import dropout_off, sample_batch, sanity_rng
from minnet.diagnostics.sanity.uninformed import loss_per_position, uninformed_losses
from minnet.grad_mode import no_grad
from minnet.losses import BCELoss

HIGH_RATIO = 1.5  # loss / the loss of a uniform prediction
MAX_LOGIT_SPREAD = 2.5  # a fresh He-initialized net has logits of spread ~1.4
LOW_RATIO = 0.5  # loss / the loss of the best constant prediction
# A loss too low at step 0 is not cured by starting the last layer small (the catalog's fix
# for a loss too high): the model is not fresh or the inputs hold the answer.
LOW_LOSS_FIX = ("Diagnose the model before it is trained (build it afresh, or re-create it "
                "before calling the doctor); look for the labels inside the inputs (a column "
                "equal to y: [j for j in range(X.shape[1]) if np.array_equal(X[:, j], y)]); "
                "check that the loss receives the model's logits and the true labels.")


def _score_spread(loss_fn, out):
    """How far the scores are from a uniform guess: the RMS over positions of the
    scores' std across classes (axis 1) for a multiclass loss, the RMS of the logits
    (probabilities turned back into logits) for a binary one."""
    if isinstance(loss_fn, MULTICLASS):
        return float(np.sqrt(np.mean(np.var(out, axis=1))))
    if isinstance(loss_fn, BCELoss):
        probabilities = np.clip(out, 1e-12, 1 - 1e-12)
        out = np.log(probabilities / (1 - probabilities))
    return float(np.sqrt(np.mean(out ** 2)))


def initial_loss_check(model, loss_fn, X, y, rng=None, *, batch_size=256):
    """Compare the loss at step 0 with the loss of a uniform prediction, ln C.

    With small random logits a C-class softmax predicts about 1/C for every
    class, so the cross-entropy starts near ln C (ln 2 per output for a
    binary loss). The yardsticks are computed with the user's own loss
    (``minnet.diagnostics.sanity.uninformed``: class weights, ignore_index, label
    smoothing, probability targets, (N, C, d...) outputs, NLLLoss on
    log-probabilities and BCELoss on probabilities included; a summed loss is
    taken per position). The loss is measured on up to ``batch_size`` random
    samples (the data loss of a RegularizedLoss; batch norm in training mode,
    dropout off). ``initial-loss-off`` (warning) fires when:

    - the loss is above 1.5 x the uniform prediction's while the scores'
      spread (RMS over positions of the std across classes) exceeds 2.5: the
      network starts confidently wrong. The spread condition keeps quiet on
      fresh He-initialized nets, whose loss on a binary task reaches 2 ln 2
      with a spread of only ~1.4; weights ten times too large give spreads of
      10 and more (ReLU nets: 10^(depth), since they are homogeneous);
    - the loss is below half the best constant prediction's (the entropy of
      the labels for a plain cross-entropy: the best loss reachable without
      looking at the inputs): an untrained model cannot do that; it is not
      fresh, or the inputs leak the labels.

    Regression losses are skipped.

    Shapes: X (N, ...), y (N, ...) class indices, probabilities or 0/1 targets.
    Returns a list of Findings (empty when healthy or not applicable).
    """
    loss_fn = data_loss_of(loss_fn)
    if not isinstance(loss_fn, MULTICLASS + BINARY):
        return []
    X_batch, y_batch = sample_batch(X, y, batch_size, sanity_rng(rng))
    model, loss_fn = private_copies(model, loss_fn)
    dropout_off(model.train())
    with np.errstate(all="ignore"), no_grad():  # overflowing logits are reported as non-finite
        out = np.asarray(model(X_batch), dtype=np.float64)
        loss = loss_per_position(loss_fn, out, y_batch)
    yardsticks = uninformed_losses(loss_fn, out, y_batch)
    if not math.isfinite(loss) or yardsticks is None:
        return []  # non-finite values are the data checks' and the monitor's finding
    uniform, best = yardsticks
    multiclass = isinstance(loss_fn, MULTICLASS)
    num_classes = out.shape[1] if multiclass else 2
    label = "ln C" if multiclass else "ln 2"
    spread = _score_spread(loss_fn, out)
    ratio = loss / uniform
    evidence = {"loss": loss, label.replace(" ", "_"): uniform, "ratio": ratio,
                "logit_spread": spread, "samples": len(X_batch),
                "threshold": f"loss > {HIGH_RATIO:g} x {label} with logit spread > "
                             f"{MAX_LOGIT_SPREAD:g}, or loss < {LOW_RATIO:g} x label entropy"}
    expected = (f"{label} = ln {num_classes} = {uniform:.3g} here (C = {num_classes})"
                if multiclass else f"ln 2 = {uniform:.3g} per output here")
    if ratio > HIGH_RATIO and spread > MAX_LOGIT_SPREAD:
        summary = (f"The loss at step 0 is {loss:.3g}, {ratio:.2g} x the expected "
                   f"{expected}: the logits start with a spread of {spread:.3g} instead of "
                   f"about 1, confidently wrong.")
        return [make_finding("initial-loss-off", "loss", evidence, summary)]
    if loss < LOW_RATIO * best:
        evidence["label_entropy"] = best
        summary = (f"The loss at step 0 is {loss:.3g}, below half the entropy of the labels "
                   f"({best:.3g}; a fresh model is expected near {expected}): an untrained "
                   f"model cannot do that. Is it already trained, or do the inputs leak the "
                   f"labels?")
        return [make_finding("initial-loss-off", "loss", evidence, summary, fix=LOW_LOSS_FIX)]
    return []


