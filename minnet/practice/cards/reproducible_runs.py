"""Card reproducible-runs: same seeds, same run; a full checkpoint resumes it exactly."""

import os
import tempfile

import numpy as np

from minnet.checkpoint import load, save
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import step
from minnet.random import make_rng
from minnet.zoo.base import mlp, spiral_split

ID = "reproducible-runs"
SOURCES = ("001:C17",)
TOPIC = "reproducibility"
RELATED = ("randomness", "lr-curves")

QUESTION = """How do you keep track of experiments so that any result can be
reproduced, and what must a checkpoint contain to resume training exactly?"""

ANSWER = """Record everything a run depends on: the code version (commit), the full
configuration, the data version and split, and every random seed, and log the curves
with them; one folder or tracker entry per run, never overwritten. Seeded generators
for the init, the batch order and dropout then reproduce a run on the same machine and
software. To resume, a checkpoint must hold more than the weights: the optimizer state
(Adam's moment estimates and step count, momentum buffers), the scheduler, the step or
epoch counter and the data-order generator; resuming from weights alone silently
restarts the optimizer and gives a different run. Test it: train N steps straight, and
N/2 plus a save, load and N/2 more; the two histories should agree."""

PREDICT = Prediction(
    "Train 100 Adam steps straight, or 50 steps, save the model only, reload it into a "
    "fresh Adam, and train 50 more with the same batches. Do the loss histories match?",
    ("exactly", "no: the fresh Adam has lost its moment estimates", "only the first 50 steps "
     "differ", "no: the batches differ"),
    1)

CLAIMS = (
    Claim("same-seeds-same-run", "two runs with the same seeds agree to 1e-12 (relative) at "
          "every step; a run with another init seed does not", "rerun_gap", "<", 1e-12,
          "other_seed_gap"),
    Claim("full-checkpoint-resumes", "resuming from a checkpoint of model and optimizer "
          "matches the straight run to 1e-12; resuming from the model alone does not",
          "resume_gap", "<", 1e-12, "weights_only_gap"),
)


def _run(seed, X, y, batches, state=None, save_to=None, save_at=None):
    """Per-step losses; ``state``: checkpoint paths to load first; ``save_to``: write them."""
    model, loss_fn = mlp((2, 32, 32, 3), seed), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=1e-2)
    if state is not None:
        model.load_state_dict(load(state["model"]))
        if "optimizer" in state:
            optimizer.load_state_dict(load(state["optimizer"]))
    losses = []
    for index, batch in enumerate(batches):
        if save_to is not None and index == save_at:
            save(model, save_to["model"])
            save(optimizer, save_to["optimizer"])
        losses.append(step(model, loss_fn, optimizer, X[batch], y[batch]))
    return np.array(losses)


def _gap(a, b):
    return float(np.max(np.abs(a - b) / np.abs(a)))


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    steps = 100 if quick else 400
    rng = make_rng(seed)
    batches = [rng.integers(0, len(X), 32) for _ in range(steps)]
    half = steps // 2
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: os.path.join(folder, f"{name}.npz") for name in ("model", "optimizer")}
        straight = _run(seed, X, y, batches, save_to=paths, save_at=half)
        again = _run(seed, X, y, batches)
        other = _run(seed + 1000, X, y, batches)
        resumed = _run(seed, X, y, batches[half:], state=paths)
        weights_only = _run(seed, X, y, batches[half:], state={"model": paths["model"]})
    return {"curves": {"straight": straight, "resumed (model + optimizer)": resumed,
                       "resumed (model only)": weights_only}, "half": half,
            "rerun_gap": _gap(straight, again), "other_seed_gap": _gap(straight, other),
            "resume_gap": _gap(straight[half:], resumed),
            "weights_only_gap": _gap(straight[half:], weights_only)}


def figure(result, ax):
    curves, half = result["curves"], result["half"]
    ax.plot(curves["straight"], label="straight")
    for name in ("resumed (model + optimizer)", "resumed (model only)"):
        ax.plot(np.arange(half, half + len(curves[name])), curves[name], "--", label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("batch loss")
    ax.legend()
