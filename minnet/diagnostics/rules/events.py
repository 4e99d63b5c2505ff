"""Rules on events of the training loop: what only a hand-written loop gets wrong.

Non-finite values, gradients never zeroed, evaluation with dropout or batch
norm in training mode (and training with them in eval mode), batches that
are not shuffled, probabilities fed to a loss that takes logits.
"""

import math

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import as_array, first_run, run_end, summed_counts

# grads-not-zeroed: "a parameter's .grad is already non-zero when backward starts,
# step after step". Gradient accumulation over k micro-batches zeroes after each
# optimizer step, so it never shows on consecutive steps.
GRADS_NOT_ZEROED_STEPS = 3
# labels-sorted-no-shuffle: "batches far less label-diverse than the data set".
# The mean label entropy of the batches against that of random batches of the
# same sizes drawn from the labels seen: below half of it, the batches are sorted.
LABEL_DIVERSITY_RATIO = 0.5
LABEL_MIN_BATCHES = 10
LABEL_MIN_EXPECTED_ENTROPY = 0.05  # nats; batches of 1 sample carry no diversity at all
LABEL_DRAWS = 200  # random batches per batch size for the expected entropy
LABEL_MAX_PREFIXES = 40  # prefixes of the run examined to date the first detection
# softmax-before-loss at run time: "logits reaching the loss are in [0, 1] with rows
# summing to 1" (to 1e-4, float32 round-off), on at least half the checks, twice.
PROBABILITY_ROW_ERROR = 1e-4
PROBABILITY_MIN_CHECKS = 2
# train-in-eval-mode: training steps (forward + backward) with the model and every
# dropout/batch-norm layer in eval mode; a few in a row, so that one step taken between
# an evaluation and its model.train() is not a finding.
TRAIN_IN_EVAL_STEPS = 3


def non_finite(records):
    events = records.get("events", {}).get("non_finite", {})
    if not events.get("step"):
        return []
    order = sorted(range(len(events["step"])), key=lambda i: events["step"][i])
    first = order[0]
    kind, where, step = events["kind"][first], events["where"][first], events["step"][first]
    kinds = ", ".join(sorted(set(events["kind"])))
    return [make_finding(
        "non-finite", where,
        {"first_seen_in": kind, "value": events["value"][first], "seen_in": kinds},
        summary=f"NaN or Inf appeared in the {kind} at step {step}; the first layer whose "
                f"output was not finite is {where}." if where not in ("X", "y", "loss")
        else f"NaN or Inf appeared in the {kind} at step {step} (from {where}).",
        step=int(step))]


def grads_not_zeroed(records):
    events = records.get("events", {}).get("grads_not_zeroed", {})
    steps = events.get("step", [])
    flags = [index > 0 and steps[index] == steps[index - 1] + 1 for index in range(len(steps))]
    start = first_run(flags, GRADS_NOT_ZEROED_STEPS - 1)
    if start is None:
        return []
    start -= 1  # the run's first step has no predecessor flag
    end = run_end(flags, start + 1)
    # how the gradient norm grew while the gradients piled up (sampled steps)
    global_norm = records.get("global_grad_norm", {})
    norms = np.array([value for step, value in zip(global_norm.get("step", []),
                                                   global_norm.get("value", []))
                      if steps[start] <= step <= steps[end - 1]], dtype=float)
    norms = norms[np.isfinite(norms)]
    growth = float(norms[-1] / norms[0]) if len(norms) >= 2 and norms[0] > 0 else math.nan
    return [make_finding(
        "grads-not-zeroed", "training",
        {"steps_with_stale_grads": end - start, "first_step": int(steps[start]),
         "stale_grad_norm_growth": growth, "threshold_steps": GRADS_NOT_ZEROED_STEPS},
        summary=f"At the first backward of {end - start} consecutive steps the gradients "
                f"already held values from earlier steps.",
        step=int(steps[start]))]


def eval_in_train_mode(records):
    events = records.get("events", {}).get("eval_in_train_mode", {})
    if not events.get("step"):
        return []
    modules = events["modules"][0]
    changed = any(events["running_stats_changed"])
    return [make_finding(
        "eval-in-train-mode", modules.split(", ")[0],
        {"evaluation_passes": len(events["step"]), "in_training_mode": modules,
         "running_stats_changed": "yes" if changed else "no"},
        summary=f"{len(events['step'])} forward pass(es) with no backward (evaluation) ran "
                f"while {modules} were in training mode.",
        step=int(events["step"][0]))]


def _entropy(counts):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        probs = np.where(counts > 0, counts / total, 1.0)
    return -(probs * np.log(probs)).sum(axis=-1)


def _expected_entropy(sizes, total, rng):
    """Mean label entropy of random batches of each size drawn from the distribution ``total``."""
    probs = total / total.sum()
    cache = {}
    for size in set(sizes):
        cache[size] = float(np.mean(_entropy(rng.multinomial(size, probs, size=LABEL_DRAWS))))
    return float(np.mean([cache[size] for size in sizes]))


def _diversity(counts, rng):
    """(observed, expected) mean batch entropy, or None when it cannot be judged."""
    total = summed_counts(counts)
    if (total > 0).sum() < 2:
        return None
    sizes = [int(np.sum(c)) for c in counts]
    padded = np.zeros((len(counts), len(total)))
    for row, c in enumerate(counts):
        padded[row, :len(c)] = c
    expected = _expected_entropy(sizes, total, rng)
    if expected < LABEL_MIN_EXPECTED_ENTROPY:
        return None
    return float(np.mean(_entropy(padded))), expected


def labels_sorted_no_shuffle(records):
    labels = records.get("labels", {})
    counts, steps = labels.get("counts", []), labels.get("step", [])
    if len(counts) < LABEL_MIN_BATCHES:
        return []
    rng = np.random.default_rng(0)
    result = _diversity(counts, rng)
    if result is None or result[0] >= LABEL_DIVERSITY_RATIO * result[1]:
        return []
    observed, expected = result
    stride = max(LABEL_MIN_BATCHES, len(counts) // LABEL_MAX_PREFIXES)
    first = len(counts)
    for end in range(LABEL_MIN_BATCHES, len(counts), stride):
        prefix = _diversity(counts[:end], rng)
        if prefix is not None and prefix[0] < LABEL_DIVERSITY_RATIO * prefix[1]:
            first = end
            break
    return [make_finding(
        "labels-sorted-no-shuffle", "training",
        {"batch_label_entropy": observed, "shuffled_batch_entropy": expected,
         "ratio": observed / expected, "threshold": LABEL_DIVERSITY_RATIO,
         "batches": len(counts)},
        summary=f"The batches' labels are far less mixed than random batches would be "
                f"(entropy {observed:.2f} against {expected:.2f} nats).",
        step=int(steps[first - 1]))]


def softmax_before_loss(records):
    checks = records.get("events", {}).get("probability_checks", {})
    errors = as_array(checks.get("row_sum_error", []))
    if not errors.size:
        return []
    hits = np.flatnonzero(errors <= PROBABILITY_ROW_ERROR)
    if len(hits) < min(PROBABILITY_MIN_CHECKS, len(errors)) or len(hits) < len(errors) / 2:
        return []
    return [make_finding(
        "softmax-before-loss", "loss",
        {"checks_with_probabilities": len(hits), "checks": len(errors),
         "max_row_sum_error": float(errors[hits].max())},
        summary="The outputs reaching the loss are probabilities (every entry in [0, 1], "
                "rows summing to 1), but the loss expects logits.",
        step=int(checks["step"][hits[0]]))]


def train_in_eval_mode(records):
    events = records.get("events", {}).get("train_in_eval_mode", {})
    steps = events.get("step", [])
    flags = [index > 0 and steps[index] == steps[index - 1] + 1 for index in range(len(steps))]
    start = first_run(flags, TRAIN_IN_EVAL_STEPS - 1)
    if start is None:
        return []
    start -= 1  # the run's first step has no predecessor flag
    modules = events["modules"][start]
    return [make_finding(
        "train-in-eval-mode", modules.split(", ")[0],
        {"training_steps_in_eval_mode": len(steps), "first_step": int(steps[start]),
         "in_eval_mode": modules, "threshold_steps": TRAIN_IN_EVAL_STEPS},
        summary=f"{len(steps)} training step(s) (forward and backward) ran with the model "
                f"in eval mode: {modules} did not drop units or normalize with batch "
                f"statistics while the weights were updated.",
        step=int(steps[start]))]
