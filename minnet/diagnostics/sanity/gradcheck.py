"""Gradient check of the real model: custom layers included, on a tiny float64 copy.

``minnet.gradcheck.gradcheck`` proves one layer on every entry; the doctor
needs the whole model, as the user wrote it, checked in well under a second:
a few random entries of every tensor, the loss at the end, ReLU kinks told
apart from wrong derivatives, and the failure traced to the layer whose
backward is wrong.
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
from minnet.grad_mode import no_grad
from minnet.gradcheck import generator_states, restore_generator_states

GRADCHECK_WARNING, GRADCHECK_ERROR = 1e-4, 1e-2
# 1e-5 is the least noisy step in float64; the smaller ones step past a ReLU or
# max-pool kink lying within 1e-5 of the point.
_EPSILONS = (1e-5, 1e-6, 1e-7)


def _difference(f, array, index, eps):
    """``(central difference, f(x + eps), f(x - eps))`` along ``array[index]``, restored after.

    The forwards keep no cache (``no_grad``): no backward follows them.
    """
    original = array[index]
    with no_grad():
        array[index] = original + eps
        upper, plus = array[index], f()
        array[index] = original - eps
        lower, minus = array[index], f()
    array[index] = original
    return float((plus - minus) / (upper - lower)), plus, minus


def _check_coordinate(f, array, index, analytic, scale):
    """``(verdict, numeric, rel_error)`` with verdict "ok", "kink" (skipped) or "failed".

    An estimate passes when it agrees with the analytic value within the
    round-off of the loss difference (1e-14 * scale / eps, 10x the observed;
    its relative error then counts as 0) or within a relative 1e-4. When no
    step passes: estimates that differ from each other reveal a kink between
    the evaluation points, one-sided differences that differ at the smallest
    step reveal a kink at the point (a ReLU input of exactly 0); estimates
    that agree with each other but not with the analytic value reveal a
    wrong backward pass.
    """
    estimates = []
    for eps in _EPSILONS:
        numeric, plus, minus = _difference(f, array, index, eps)
        error, noise = abs(analytic - numeric), 1e-14 * scale / eps
        relative = error / max(1e-300, abs(analytic) + abs(numeric))
        if error <= noise or relative <= GRADCHECK_WARNING:
            return "ok", numeric, (0.0 if error <= noise else relative)
        estimates.append((numeric, relative))
    values = [numeric for numeric, _ in estimates]
    with no_grad():
        size, center = max(abs(value) for value in values), f()
    one_sided_gap = abs((plus - center) - (center - minus)) / eps
    if max(values) - min(values) > noise + 1e-4 * size or one_sided_gap > noise + 1e-3 * size:
        return "kink", values[0], math.nan
    return "failed", *estimates[0]


def _positions(analytic, count, rng):
    """Flat indices to check: half among the entries with a non-zero analytic gradient
    (an embedding table is mostly rows the batch never used: zero on both sides),
    the rest anywhere (a gradient wrongly left at zero)."""
    nonzero = np.flatnonzero(analytic)
    chosen = rng.choice(nonzero, size=min(len(nonzero), (count + 1) // 2), replace=False)
    others = np.setdiff1d(np.arange(analytic.size), chosen)
    rest = rng.choice(others, size=min(len(others), count - len(chosen)), replace=False)
    return np.concatenate([chosen, rest]).astype(np.int64)


def _check_tensors(f, tensors, scale, rng, coordinates, tally):
    """Check ``coordinates`` random entries of each ``(name, array, analytic)``.

    Returns ``{name: failure}``, failure being the worst entry (index,
    analytic, numeric, rel_error) and the counts; ``tally`` adds up the
    entries checked, the kinks skipped and the largest relative error.
    """
    failures = {}
    for name, array, analytic in tensors:
        if analytic is None or np.shape(analytic) != array.shape:
            problem = ("its backward returns None" if analytic is None else
                       f"its backward gives a gradient of shape {np.shape(analytic)} for "
                       f"shape {array.shape}")
            failures[name] = {"index": "-", "analytic": math.nan, "numeric": math.nan,
                              "rel_error": 1.0, "failed": array.size, "checked": 0,
                              "problem": problem}
            continue
        worst, failed, kinks = None, 0, 0
        positions = _positions(np.asarray(analytic), coordinates, rng)
        for position in positions:
            index = np.unravel_index(int(position), array.shape)
            value = float(analytic[index])
            verdict, numeric, error = _check_coordinate(f, array, index, value, scale)
            kinks += verdict == "kink"
            if verdict != "kink":
                tally["max_rel_error"] = max(tally.get("max_rel_error", 0.0), error)
            if verdict == "failed":
                failed += 1
                if worst is None or error > worst["rel_error"]:
                    worst = {"index": str(tuple(int(i) for i in index)), "analytic": value,
                             "numeric": numeric, "rel_error": error}
        tally["checked"] = tally.get("checked", 0) + len(positions) - kinks
        tally["kinks_skipped"] = tally.get("kinks_skipped", 0) + kinks
        if worst is not None:
            failures[name] = {**worst, "failed": failed, "checked": len(positions) - kinks}
    return failures


def _tensors_of(module, prefix, x, grad_x):
    """The input (when float) and every trainable parameter: ``(name, array, analytic
    gradient)``. A frozen parameter (``requires_grad=False``) has no gradient to check."""
    tensors = [("input", x, grad_x)] if x.dtype.kind == "f" else []
    return tensors + [(name, param.data, param.grad.copy())
                      for name, param in module.named_parameters(prefix=prefix)
                      if param.requires_grad]


def _deterministic(module, x, output):
    """``f()``: ``output(module(x))`` with the generators rewound, so dropout masks repeat.

    If two calls still differ (randomness the generators do not hold), the
    dropout modules are switched off; None when that is not enough either.
    """
    snapshot = generator_states(module)

    def forward():
        restore_generator_states(snapshot)
        return output(module(x))

    with no_grad():  # comparisons only: no backward follows
        if not np.array_equal(forward(), forward()):
            dropout_off(module)
            if not np.array_equal(forward(), forward()):
                return None
    return forward


def _localize(model, x, rng, coordinates):
    """Gradcheck each submodule alone, on the input it saw, with a random upstream gradient.

    Returns ``[(module, failures)]`` for the failing submodules that contain
    no failing submodule: the layers whose own backward is wrong.
    """
    inputs = {}

    def record(module, x):
        if isinstance(x, np.ndarray) and id(module) not in inputs:
            inputs[id(module)] = np.array(x, order="C")

    forward_with_hooks(model, x, model.modules(), record, pre=True)
    failing = []
    for name, module in list(model.named_modules())[1:]:
        x = inputs.get(id(module))
        try:  # a submodule that cannot run alone (extra arguments) is not localized
            with no_grad():
                out = np.asarray(module(x))
            grad_out = rng.standard_normal(out.shape)
            forward = _deterministic(module, x, lambda out, g=grad_out: float(np.sum(out * g)))
            if forward is None:
                continue
            module.zero_grad()
            forward()
            scale = max(1.0, float(np.sum(np.abs(out * grad_out))))  # round-off of the sum
            grad_in = module.backward(grad_out.copy())
            failures = _check_tensors(forward, _tensors_of(module, name, x, grad_in), scale,
                                      rng, coordinates, {})
        except Exception:
            continue
        if failures:
            failing.append((name, module, failures))
    return [(module, failures) for name, module, failures in failing
            if not any(other.startswith(name + ".") for other, _, _ in failing)]


def _gradcheck_finding(tensor, where, layer, failure):
    severity = "error" if failure["rel_error"] > GRADCHECK_ERROR else "warning"
    evidence = {"layer": layer, "tensor": tensor, **failure,
                "thresholds": f"warning > {GRADCHECK_WARNING:g}, error > {GRADCHECK_ERROR:g}"}
    detail = evidence.pop("problem", None)
    if detail is None:
        detail = (f"analytic {failure['analytic']:.4g} vs numeric {failure['numeric']:.4g} "
                  f"at index {failure['index']} (relative error {failure['rel_error']:.2g})")
        if failure["analytic"] == 0:
            detail += "; the analytic gradient is zero: never added into .grad or returned?"
        elif abs(failure["analytic"] + failure["numeric"]) <= 1e-4 * abs(failure["numeric"]):
            detail += "; analytic = -numeric: a sign error"
    name = ("the gradient with respect to its input" if tensor == "input"
            else f"the gradient of {tensor}")
    summary = f"In {layer}, {name} is wrong: {detail}."
    return make_finding("gradcheck-failed", where, evidence, summary, severity=severity)


def gradcheck_model(model, loss_fn, X, y, rng=None, *, num_samples=4, coordinates=5):
    """Gradient-check the real model, custom layers included, on a tiny float64 copy.

    Compares the backward pass of ``loss(model(x), y)`` (the data loss) with
    central differences on ``coordinates`` random entries of every parameter
    and of the input (float inputs), for ``num_samples`` random samples, in
    training mode (batch norm on batch statistics; the dropout generators are
    rewound before every forward, so the masks are fixed). ReLU and max-pool
    kinks are skipped (see ``_check_coordinate``). When the model fails, each
    submodule is checked alone on the input it saw, so that the finding names
    the layer whose backward is wrong, not the earlier layers that merely
    receive its wrong gradient. ``gradcheck-failed``: relative error > 1e-2
    is an error, > 1e-4 a warning; ``where`` is the dotted parameter name, or
    the layer for a wrong input gradient.

    Shapes: X (N, ...), y (N,) class indices or the targets' shape.
    Returns a list of Findings, one per failing tensor.
    """
    return gradcheck_with_tally(model, loss_fn, X, y, rng, num_samples, coordinates)[0]


def gradcheck_with_tally(model, loss_fn, X, y, rng=None, num_samples=4, coordinates=5):
    """``gradcheck_model`` returning ``(findings, tally)``: the tally (entries checked,
    kinks skipped, largest relative error) goes into ``records["gradcheck"]``."""
    rng = sanity_rng(rng)
    X_batch, y_batch = sample_batch(X, y, num_samples, rng)
    model, loss_fn = private_copies(model, data_loss_of(loss_fn))
    model.to(np.float64).train()
    x = np.array(X_batch, dtype=np.float64 if X_batch.dtype.kind == "f" else None, order="C")
    target = np.asarray(y_batch, dtype=np.float64) if y_batch.dtype.kind == "f" else y_batch
    tally = {"checked": 0, "kinks_skipped": 0, "max_rel_error": 0.0}
    with np.errstate(all="ignore"):  # non-finite values are reported by other checks
        loss_at = _deterministic(model, x, lambda out: float(loss_fn(out, target)))
        if loss_at is None:
            return [], tally  # randomness beyond reach
        with no_grad():
            if not math.isfinite(loss_at()):
                return [], tally  # non-finite values
        model.zero_grad()
        scale = max(1.0, abs(loss_at()))
        try:
            grad_x = model.backward(loss_fn.backward())
        except Exception:  # a layer passed on a broken gradient (None, a wrong shape)
            findings = _localized_findings(model, x, rng, coordinates)
            if findings:
                return findings, tally
            raise
        failures = _check_tensors(loss_at, _tensors_of(model, "", x, grad_x), scale, rng,
                                  coordinates, tally)
        if not failures:
            return [], tally
        findings = _localized_findings(model, x, rng, coordinates)
        if not findings:  # no layer fails alone: the loss, or the model as a whole
            findings = _loss_or_model_findings(model, loss_fn, x, target, failures, rng)
    return findings, tally


def _localized_findings(model, x, rng, coordinates):
    findings = []
    for module, module_failures in _localize(model, x, rng, coordinates):
        layer = submodule_where(model, module)
        findings += [_gradcheck_finding(tensor, layer if tensor == "input" else tensor,
                                        layer, failure)
                     for tensor, failure in module_failures.items()]
    return findings


def _loss_or_model_findings(model, loss_fn, x, target, failures, rng):
    """Check the loss's own backward on the model's output; else report the model's failures."""
    with no_grad():
        logits = np.array(model(x), dtype=np.float64, order="C")
    loss_fn(logits, target)
    analytic = np.asarray(loss_fn.backward(), dtype=np.float64)
    scale = max(1.0, abs(float(loss_fn(logits, target))))
    loss_failures = _check_tensors(lambda: float(loss_fn(logits, target)),
                                   [("input", logits, analytic)], scale, rng, 5, {})
    if loss_failures:
        return [_gradcheck_finding("input", "loss", f"the loss {loss_fn!r}",
                                   loss_failures["input"])]
    owners = {id(param): module for module in model.modules()
              for param in module._parameters.values()}
    parameters = dict(model.named_parameters())
    findings = []
    for tensor, failure in failures.items():
        owner = owners.get(id(parameters.get(tensor)))
        layer = "the model" if owner is None else submodule_where(model, owner)
        findings.append(_gradcheck_finding(tensor, tensor, layer, failure))
    return findings
