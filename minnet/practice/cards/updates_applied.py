"""Card updates-applied: step() before backward() (or never) leaves every weight where it was."""

import numpy as np

from minnet.diagnostics.watch import watch
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo import healthy as zoo_healthy

ID = "updates-applied"
SOURCES = ("001:C5",)
TOPIC = "debugging"
RELATED = ("no-zero-grad", "update-ratio", "gradcheck-bugs")

QUESTION = """The loss does not move at all, not even slowly. Before suspecting the model,
what do you verify about the training step?"""

ANSWER = """That gradients are computed and actually applied, in the right order: zero
the gradients, forward, loss, backward, then optimizer step. Calling step() before
backward() applies the gradients that were just zeroed (nothing happens), and with
zero_grad() at the top of the next iteration the fresh gradients are thrown away
before they are ever used; forgetting step() altogether has the same effect. Other
variants: an optimizer built on a different copy of the parameters, frozen
parameters, or a learning rate of zero. Check directly: copy the weights, run one
step, and compare; or plot the update-to-weight ratio, which is zero here instead of
about 1e-3. minnet's doctor reports optimizer-not-updating when the weights do not move
at all although backward() produced gradients (and keeps update-ratio-low, "raise the
learning rate", for updates that are small but not zero)."""

PREDICT = Prediction(
    "A loop that calls zero_grad(), forward, step(), then backward(), 100 times. How far "
    "have the weights moved?",
    ("about as far as a correct loop", "half as far", "not at all", "they diverge"),
    2)

CLAIMS = (
    Claim("weights-never-move", "with step() before backward() the weights move by less than "
          "1e-12 (relative) in 100 steps; in the right order they do not", "misordered_change",
          "<", 1e-12, "correct_change"),
    Claim("doctor-flags-it", "watch() reports optimizer-not-updating on the misordered loop; "
          "on the correct loop it does not", "misordered_fires", ">", 0.5, "correct_fires"),
)


def _run(seed, step_first, steps):
    """(relative weight change, doctor codes) of a hand-written loop on the spiral MLP."""
    ex = zoo_healthy.mlp_spiral(seed)
    model, loss_fn, optimizer = ex.model, ex.loss_fn, ex.optimizer
    start = np.concatenate([p.data.ravel() for p in model.parameters()])
    rng = make_rng(seed)
    watcher = watch(model, optimizer=optimizer, loss_fn=loss_fn)
    with watcher:
        for _ in range(steps):
            batch = rng.integers(0, len(ex.X), 32)
            optimizer.zero_grad()
            loss_fn(model(ex.X[batch]), ex.y[batch])
            if step_first:
                optimizer.step()  # MISTAKE: the gradients are still zero here
                model.backward(loss_fn.backward())
            else:
                model.backward(loss_fn.backward())
                optimizer.step()
    end = np.concatenate([p.data.ravel() for p in model.parameters()])
    codes = {f.code for f in watcher.report().problems("warning")}
    return float(np.linalg.norm(end - start) / np.linalg.norm(start)), codes


def experiment(seed, quick):
    steps = 100 if quick else 400
    misordered, bad_codes = _run(seed, True, steps)
    correct, good_codes = _run(seed, False, steps)
    return {"changes": {"step before backward": misordered, "backward then step": correct},
            "misordered_change": misordered, "correct_change": correct,
            "misordered_fires": float("optimizer-not-updating" in bad_codes),
            "correct_fires": float("optimizer-not-updating" in good_codes)}


def figure(result, ax):
    ax.bar(list(result["changes"]), [max(v, 1e-17) for v in result["changes"].values()])
    ax.set_yscale("log")
    ax.set_ylabel("relative weight change after training")
