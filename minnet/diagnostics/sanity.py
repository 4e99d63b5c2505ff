"""Sanity routines: the checks a careful practitioner runs before training for real.

Karpathy's "Recipe" and CS231n's "babysitting the learning process": check
the loss at initialization against ln C, check the gradients of the real
model numerically, overfit one small batch, and sweep the learning rate.
Every routine works on private copies of the model, loss and optimizer
(``copy.deepcopy``, without the modules' hooks, so that a watcher attached to
the user's model does not see the sanity runs): the user's parameters,
gradients, modes, caches, optimizer state and random generators are left
exactly as they were. ``rng=None`` uses a fixed seed, so a sanity run is
reproducible and leaves minnet's default random stream untouched.

This file holds the helpers the routines share, ``initial_loss_check`` and
``run_sanity``. ``gradcheck_model`` lives in ``minnet.diagnostics.model_gradcheck``,
``overfit_batch`` (with the "ignores-input" check) in ``minnet.diagnostics.overfit``
and ``lr_range_test`` in ``minnet.diagnostics.lr_range``; all three can be
imported from here too (loaded on first use: those files import the helpers).
"""

import importlib
import math

import numpy as np

from minnet.diagnostics._shared import private_copies
from minnet.diagnostics.catalog import make_finding
from minnet.diagnostics.uninformed import BINARY, MULTICLASS, loss_per_position, uninformed_losses
from minnet.errors import ConfigError, DataError, MinnetError
from minnet.grad_mode import no_grad
from minnet.losses import BCELoss, RegularizedLoss
from minnet.random import make_rng

DEFAULT_SEED = 20_240_611

# --- shared helpers ------------------------------------------------------------


def sanity_rng(rng):
    """A Generator for a sanity routine: a fixed seed for ``None`` (reproducible reports)."""
    return np.random.default_rng(DEFAULT_SEED) if rng is None else make_rng(rng)


def data_loss_of(loss_fn):
    """The data loss inside any RegularizedLoss wrappers (regularization off)."""
    while isinstance(loss_fn, RegularizedLoss):
        loss_fn = loss_fn.loss_fn
    return loss_fn


def is_dropout(module):
    """True for dropout-like modules (by class name, so any Dropout variant counts)."""
    return "Dropout" in type(module).__name__


def layer_where(model, target):
    """``"<dotted name> (<ClassName>)"`` for a submodule of ``model``."""
    for name, module in model.named_modules():
        if module is target:
            return f"{name or type(model).__name__} ({type(module).__name__})"
    return f"({type(target).__name__})"


def finite_rows(X, y):
    """Indices of the samples whose input and target are all finite."""
    X, y = np.asarray(X), np.asarray(y)
    keep = np.ones(len(X), dtype=bool)
    for array in (X, y):
        if array.dtype.kind in "fc":
            keep &= np.isfinite(array.reshape(len(array), -1)).all(axis=1)
    return np.flatnonzero(keep)


def sample_batch(X, y, size, rng):
    """Up to ``size`` random samples with finite values: ``(X_batch, y_batch)``.

    Random rather than the first ones: data sorted by class would give a
    one-class batch. Raises DataError when no sample is finite.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise DataError(f"sanity checks: X and y must have the same number of samples, "
                        f"got {len(X)} and {len(y)}")
    usable = finite_rows(X, y)
    if usable.size == 0:
        raise DataError("sanity checks: every sample holds a NaN or Inf (see the data checks)")
    chosen = np.sort(rng.permutation(usable)[:size])
    return X[chosen], y[chosen]


def accuracy(loss_fn, out, target):
    """Training accuracy for classification losses (the loss's own ``accuracy``); None
    for regression."""
    measure = getattr(data_loss_of(loss_fn), "accuracy", None)
    return None if measure is None else measure(out, target)


# --- initial loss ----------------------------------------------------------------

HIGH_RATIO = 1.5  # loss / the loss of a uniform prediction
MAX_LOGIT_SPREAD = 2.5  # a fresh He-initialized net has logits of spread ~1.4
LOW_RATIO = 0.5  # loss / the loss of the best constant prediction


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
    (``minnet.diagnostics.uninformed``: class weights, ignore_index, label
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
    model.train()
    for module in model.modules():
        if is_dropout(module):
            module.eval()
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
    if ratio > HIGH_RATIO and spread > MAX_LOGIT_SPREAD:
        summary = (f"The loss at step 0 is {loss:.3g}, {ratio:.2g} x {label} = "
                   f"{uniform:.3g} (C = {num_classes}): the logits start with a spread of "
                   f"{spread:.3g} instead of about 1, confidently wrong.")
        return [make_finding("initial-loss-off", "loss", evidence, summary)]
    if loss < LOW_RATIO * best:
        evidence["label_entropy"] = best
        summary = (f"The loss at step 0 is {loss:.3g}, below half the entropy of the labels "
                   f"({best:.3g}): an untrained model cannot do that. Is it already "
                   f"trained, or do the inputs leak the labels?")
        return [make_finding("initial-loss-off", "loss", evidence, summary)]
    return []


# --- all of them ---------------------------------------------------------------------

CHECKS = ("initial_loss", "gradcheck", "overfit", "lr_range")
_ELSEWHERE = {"gradcheck_model": "minnet.diagnostics.model_gradcheck",
              "overfit_batch": "minnet.diagnostics.overfit",
              "lr_range_test": "minnet.diagnostics.lr_range"}


def run_sanity(model, loss_fn, X, y, optimizer=None, *, rng=None, checks=CHECKS):
    """Run the sanity routines named in ``checks`` (default: all four) on private copies.

    Each routine gets its own seed drawn from ``rng``, so a report does not
    depend on which checks ran. A routine that meets bad data (labels out of
    range: a DataError) is skipped and its message kept in
    ``records["sanity_skipped"]``: the data checks report the data problem.
    So is a routine that crashes on a backward pass the gradient check has
    already found broken (a layer returning None instead of its gradient).

    Returns ``(findings, records)``; records: ``"gradcheck"`` (entries
    checked, kinks skipped, largest relative error), ``"overfit"`` and
    ``"lr_range"`` (see ``overfit_batch`` and ``lr_range_test``).
    """
    from minnet.diagnostics.lr_range import lr_range_test
    from minnet.diagnostics.model_gradcheck import gradcheck_with_tally
    from minnet.diagnostics.overfit import overfit_batch

    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise ConfigError(f"run_sanity: unknown checks {unknown}; expected some of {CHECKS}")
    X, y = np.asarray(X), np.asarray(y)

    def gradcheck(seed):
        found, tally = gradcheck_with_tally(model, loss_fn, X, y, rng=seed)
        return found, {"gradcheck": tally}

    routines = {
        "initial_loss": lambda seed: (initial_loss_check(model, loss_fn, X, y, rng=seed), {}),
        "gradcheck": gradcheck,
        "overfit": lambda seed: overfit_batch(model, loss_fn, X, y, optimizer, rng=seed),
        "lr_range": lambda seed: lr_range_test(model, loss_fn, X, y, optimizer, rng=seed),
    }
    seeds = sanity_rng(rng).integers(2**63, size=len(CHECKS)).tolist()
    findings, records = [], {}
    for name, seed in zip(CHECKS, seeds):
        if name not in checks:
            continue
        try:
            found, recorded = routines[name](seed)
        except DataError as error:
            records.setdefault("sanity_skipped", {})[name] = str(error)
            continue
        except MinnetError as error:  # a broken backward that the gradient check named
            if not any(f.code == "gradcheck-failed" and f.severity == "error"
                       for f in findings):
                raise
            records.setdefault("sanity_skipped", {})[name] = str(error)
            continue
        findings.extend(found)
        records.update(recorded)
    return findings, records


def __getattr__(name):
    # The other routines live in their own files, which import the helpers above;
    # they are loaded on first use to avoid a circular import.
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
