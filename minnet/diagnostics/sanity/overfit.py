"""Overfit one small batch, then check that the model's loss depends on its input.

"Overfit a single batch first" (Karpathy's Recipe): a network that cannot
drive the loss on 16 samples to zero has a bug in its model, loss or
backward pass, whatever its learning rate. The point is to test
model + loss + backward, not the user's learning rate, so when the user's
optimizer does not fit the batch, Adam at 1e-2 and 1e-3 are tried before
concluding. Regularization is off (a RegularizedLoss is replaced by its data
loss, weight decay set to 0) and so is dropout (its modules alone are put in
eval mode: batch norm stays in training mode, as in training). Everything
runs on private copies.
"""

import math

import numpy as np

from minnet.diagnostics._shared import (
    data_loss_of,
    forward_with_hooks,
    private_copies,
    submodule_where,
)
from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.sanity.common import dropout_off, sample_batch, sanity_rng
from minnet.diagnostics.sanity.uninformed import loss_per_position, uninformed_losses
from minnet.optim import Adam
from minnet.optim.optimizer import current_lr
from minnet.training import accuracy_function

FIT_LOSS_FRACTION = 0.05  # fitted: 100% accuracy, or the loss below 5% of its reference
STUCK_LOSS_FRACTION = 0.2  # the warning needs the loss above 20%: below, it is learning
IGNORES_INPUT_RATIO = 0.9  # real-input loss not clearly below the input-free loss
FALLBACK_LRS = (1e-2, 1e-3)
EXTENDED_STEPS = 4  # the most promising run gets up to 4 x steps before the verdict


class _Run:
    """Private copies training on one batch, resumable: ``train(until)`` runs to step ``until``.

    ``choice`` is ``"user"`` (a fresh optimizer of the user's type and lr) or
    an Adam learning rate.
    """

    def __init__(self, model, loss_fn, optimizer, x_batch, y_batch, label, choice):
        self.label, self.choice = label, choice
        self.model, copied, self.loss_fn = private_copies(model, optimizer, data_loss_of(loss_fn))
        params = getattr(copied, "params", None) or self.model.parameters()
        self.optimizer = (_fresh_optimizer(copied, params) if choice == "user"
                          else Adam(params, lr=choice))
        dropout_off(self.model.train())
        self.accuracy_of = accuracy_function(self.loss_fn)  # None for regression
        self.x_batch, self.y_batch = x_batch, y_batch
        self.history = {"step": [], "loss": [], "accuracy": []}
        self.fitted = self.stopped = False
        self.reference = math.nan  # set at step 0

    def train(self, until):
        """Evaluate, then step, until fitted, non-finite, or ``until`` steps were taken."""
        history = self.history
        with np.errstate(all="ignore"):  # a rate far too large overflows: that is a result
            while not (self.fitted or self.stopped):
                step = len(history["step"])
                self.model.zero_grad()
                self.optimizer.zero_grad()
                out = self.model(self.x_batch)
                loss = float(self.loss_fn(out, self.y_batch))
                correct = None if self.accuracy_of is None else self.accuracy_of(out, self.y_batch)
                history["step"].append(step)
                history["loss"].append(loss)
                if correct is not None:
                    history["accuracy"].append(correct)
                if step == 0:
                    self.reference = _reference_loss(self.loss_fn, out, self.y_batch, loss)
                self.fitted = math.isfinite(loss) and (
                    correct == 1.0 or loss <= FIT_LOSS_FRACTION * self.reference)
                self.stopped = not math.isfinite(loss)
                if self.fitted or self.stopped or step >= until:
                    break
                self.model.backward(self.loss_fn.backward())
                self.optimizer.step()
        return self

    @property
    def initial(self):
        return self.history["loss"][0]

    @property
    def best(self):
        finite = [loss for loss in self.history["loss"] if math.isfinite(loss)]
        return min(finite) if finite else math.inf

    @property
    def best_accuracy(self):
        return max(self.history["accuracy"]) if self.history["accuracy"] else None

    def progress(self):
        """Best loss over the reference loss: 0 once fitted, inf when never finite."""
        if self.fitted:
            return 0.0
        reference = self.reference
        return self.best / reference if math.isfinite(reference) and reference > 0 else math.inf


def _reference_loss(loss_fn, out, target, initial):
    """What "5% of the initial loss" is measured against: the initial loss, capped by
    the loss of an uninformed prediction (``minnet.diagnostics.sanity.uninformed``: ln C for
    a uniform softmax, ln 2 per output, the mean target's loss for regression). A
    network whose initial loss is inflated by huge logits, or by targets far from
    0, has fitted nothing when it merely gets back there."""
    yardsticks = uninformed_losses(loss_fn, out, target)
    if yardsticks is None:
        return initial
    uninformed = yardsticks[0]
    if getattr(loss_fn, "reduction", "mean") == "sum":  # yardsticks are per position
        uninformed *= initial / max(loss_per_position(loss_fn, out, target), 1e-300)
    return min(initial, uninformed) if uninformed > 0 else initial


def _fresh_optimizer(copied, params):
    """A new optimizer of the user's type, lr and hyperparameters, weight decay off.

    Falls back on the deep copy itself (with its state) for an optimizer
    whose constructor does not take its ``hyperparameters()`` back.
    """
    groups = getattr(copied, "param_groups", None)
    try:
        if groups is not None:  # minnet's: each group's settings, decay off
            fresh = [{**group, "params": list(group["params"])} for group in groups]
            for group in fresh:
                if "weight_decay" in group:
                    group["weight_decay"] = 0.0
            return type(copied)(fresh, lr=current_lr(copied))
        hyperparameters = dict(copied.hyperparameters())
        if "weight_decay" in hyperparameters:
            hyperparameters["weight_decay"] = 0.0
        return type(copied)(params, lr=copied.lr, **hyperparameters)
    except Exception:
        for group in groups if groups is not None else ():
            if group.get("weight_decay"):
                group["weight_decay"] = 0.0
        return copied


def _choices(optimizer):
    """``(label, choice)`` pairs: the user's optimizer first, then Adam at each fallback lr."""
    choices = []
    if optimizer is not None:
        choices.append((f"{type(optimizer).__name__}(lr={current_lr(optimizer):g})", "user"))
    for lr in FALLBACK_LRS:
        if not (type(optimizer) is Adam and current_lr(optimizer) == lr):
            choices.append((f"Adam(lr={lr:g})", lr))
    return choices


def _labels_vary(loss_fn, y_batch):
    """True when no input-free (constant) prediction can reach 100% accuracy."""
    y_batch = np.asarray(y_batch)
    if y_batch.dtype.kind == "f":
        y_batch = y_batch >= 0.5
    columns = y_batch.reshape(len(y_batch), -1)
    return bool(np.any(columns != columns[:1]))


def _blank(x_batch):
    """The batch without its information: every float row replaced by the batch mean
    (inside the data's range, unlike zeros for data that is not centred); integer
    inputs (token indices) replaced by 0."""
    if x_batch.dtype.kind == "f":
        return np.broadcast_to(x_batch.mean(axis=0), x_batch.shape).copy()
    return np.zeros_like(x_batch)


def _input_cut(model, x_batch, blank):
    """The first leaf layer whose input differs between the two batches but whose
    output does not: where the input's information is lost. None if there is none."""
    model = dropout_off(private_copies(model)[0].train())
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    seen = []
    for x in (x_batch, blank):
        calls = []

        def record(module, inputs, out, calls=calls):
            calls.append((module, np.array(inputs), np.array(out)))

        forward_with_hooks(model, x, leaves, record)
        seen.append(calls)
    for (module, x_real, out_real), (_, x_blank, out_blank) in zip(*seen):
        if (x_real.shape == x_blank.shape and not np.array_equal(x_real, x_blank)
                and out_real.shape == out_blank.shape
                and np.allclose(out_real, out_blank, rtol=1e-12, atol=1e-12)):
            return submodule_where(model, module)
    return None


def overfit_batch(model, loss_fn, X, y, optimizer=None, *, batch_size=16, steps=200, rng=None):
    """Train copies on ``batch_size`` random samples: can the model fit them? Does it use X?

    Each run trains until the batch is fitted: 100% training accuracy, or the
    loss at most 5% of its reference (the initial loss, capped by the loss of
    the best input-free prediction: ln C, ln 2 per logit, the targets'
    variance for MSE). Runs: the user's optimizer (fresh state), then
    Adam(1e-2) and Adam(1e-3), each for up to ``steps`` steps; the most
    promising one then continues up to 4 x ``steps`` (a batch with two close
    samples of different classes takes longer).

    ``cannot-overfit-batch`` (warning): no run fits the batch and the best
    loss stays above 20% of the reference. Between 5% and 20% the network is
    visibly learning, only slowly: no verdict.

    ``ignores-input`` (warning): the best run is repeated for as many steps
    with every input replaced by the batch mean (integer inputs by 0). If the
    real inputs do not bring the loss clearly lower (real >= 0.9 x
    input-free), the output does not depend on the input; ``where`` names the
    first layer whose output stops depending on it. Skipped when the real run
    reached 100% accuracy on varied labels (no constant prediction can), when
    the input-free run fits too (trivial labels), or when nothing trains at all.

    Shapes: X (N, ...), y (N,) class indices or the targets' shape.
    Returns ``(findings, records)`` with ``records["overfit"] = {"step",
    "loss", "accuracy", "optimizer"}`` for the best run ("accuracy" empty for
    regression) and ``"input_free_loss"`` when the input-free run was made.
    """
    x_batch, y_batch = sample_batch(X, y, batch_size, sanity_rng(rng))
    runs = []
    for label, choice in _choices(optimizer):
        runs.append(_Run(model, loss_fn, optimizer, x_batch, y_batch, label, choice).train(steps))
        if runs[-1].fitted:
            break
    best = min(runs, key=lambda run: run.progress())
    if not best.fitted:  # a hard batch (close points of different classes) needs longer
        best.train(EXTENDED_STEPS * steps)
    records = {"overfit": {**best.history, "optimizer": best.label}}
    if not math.isfinite(best.initial):
        return [], records  # non-finite values: the data checks and the monitor report them
    findings = []
    tried = ", ".join(run.label for run in runs)
    if not best.fitted and best.progress() > STUCK_LOSS_FRACTION:
        evidence = {"batch_size": len(x_batch), "steps": len(best.history["step"]) - 1,
                    "initial_loss": best.initial, "best_loss": best.best,
                    "loss_ratio": best.progress(),
                    "threshold": f"accuracy < 100% and loss > {STUCK_LOSS_FRACTION:g} x "
                                 f"min(initial loss, loss of a uniform prediction)",
                    "optimizers": tried}
        if best.best_accuracy is not None:
            evidence["best_accuracy"] = best.best_accuracy
        summary = (f"On {len(x_batch)} samples, after up to {evidence['steps']} steps with "
                   f"{tried}, the loss only fell from {best.initial:.3g} to {best.best:.3g}.")
        findings.append(make_finding("cannot-overfit-batch", "training", evidence, summary))

    if best.best_accuracy == 1.0 and _labels_vary(loss_fn, y_batch):
        return findings, records
    blank = _blank(x_batch)
    control = _Run(model, loss_fn, optimizer, blank, y_batch, best.label, best.choice)
    control.train(len(best.history["step"]) - 1)
    records["overfit"]["input_free_loss"] = control.history["loss"]
    if control.fitted or not math.isfinite(control.best) or control.best <= 0:
        return findings, records
    if best.best > (1 - 1e-3) * best.initial:
        return findings, records  # nothing trains at all: cannot-overfit-batch says it
    if best.best >= IGNORES_INPUT_RATIO * control.best:
        cut = _input_cut(model, x_batch, blank)
        evidence = {"loss_real_input": best.best, "loss_input_free": control.best,
                    "ratio": best.best / control.best,
                    "threshold": f"ratio >= {IGNORES_INPUT_RATIO:g}", "optimizer": best.label}
        if cut is not None:
            evidence["layer"] = cut
        summary = (f"Trained on {len(x_batch)} samples, the loss reaches {best.best:.3g} with "
                   f"the real inputs and {control.best:.3g} with every input replaced by the "
                   f"batch mean: the output does not depend on the input"
                   + (f" (it is lost at {cut})." if cut else "."))
        findings.append(make_finding("ignores-input", cut or "X", evidence, summary))
    return findings, records
