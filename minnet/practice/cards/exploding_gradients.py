"""Card exploding-gradients: an RNN whose recurrent gain is too large, with and without clipping."""

import numpy as np

from minnet.core import Sequential
from minnet.data import adding_problem
from minnet.diagnostics.watch import watch
from minnet.layers.linear import Linear
from minnet.layers.recurrent import RNN
from minnet.losses import MSELoss
from minnet.optim import SGD, clip_grad_norm_
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "exploding-gradients"
SOURCES = ("003:46a", "000:P5", "001:C12", "002:O1")
TOPIC = "recurrent"
RELATED = ("rnn-gradients", "four-plots", "lr-curves")

QUESTION = """What are exploding gradients, how do you spot them in the loss and
gradient-norm curves, and what do you do about them?"""

ANSWER = """Backpropagation multiplies many Jacobians; when their norms exceed one the
gradient grows geometrically with depth or with time steps, and one update can throw
the weights far away. The signs: the loss spikes or jumps to inf/NaN, and the
gradient-norm curve shows values orders of magnitude above its usual level,
usually just before the loss goes bad. Fixes: clip the global gradient norm before
each step (it keeps the direction and bounds the step), lower the learning rate,
initialize recurrent weights near-orthogonal with gain at most one, and prefer gated
cells or normalization. Clipping treats the symptom: it makes training survive the
rare huge gradient, while the init fixes the cause. Plot the gradient norm every
step: it is the cheapest early warning there is."""

PREDICT = Prediction(
    "A tanh RNN whose recurrent matrix is 3 x orthogonal, SGD on the adding problem. What "
    "does clipping the gradient norm at 1 change?",
    ("nothing: the loss diverges either way", "the unclipped run blows up; the clipped one "
     "stays finite and learns", "clipping slows learning, so the clipped run ends higher",
     "both train normally"),
    1)

CLAIMS = (
    Claim("unclipped-ends-far-higher", "with recurrent gain 3 the unclipped run ends over 10x "
          "higher (or diverges) than the clipped one; with gain 0.9 clipping changes little",
          "clip_benefit", ">", 10.0, "healthy_clip_benefit"),
    Claim("doctor-flags-the-explosion", "the doctor's watch reports exploding-gradients on "
          "the unclipped gain-3 run; on the unclipped gain-0.9 run it does not",
          "doctor_fires", ">", 0.5, "healthy_doctor_fires"),
)

NOTES = """The spec plans this card on rnn-story-4. On that setup the N(0, 1) recurrent
weights saturate the tanh units, clipping does not rescue a 5-epoch run and the doctor's
exploding-gradients fired on 2 of 5 seeds, so the card uses an orthogonal recurrent
matrix times 3 on the adding problem (as the zoo's exploding-rnn does) instead. The
doctor also fires on the clipped run on most seeds (it sees the gradient before the
clip), so no claim is made about it there."""

H, T, LR = 16, 30, 0.1


def _run(seed, gain, clip, steps):
    """Train; returns (per-step losses, per-step gradient norms, doctor fired)."""
    rng = make_rng(seed)
    X, y = adding_problem(256, T, rng=rng)
    rnn = RNN(2, H, rng=rng)
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    rnn.weight_hh_l0.data[...] = gain * q * np.sign(np.diag(r))
    model = Sequential(rnn, Linear(H, 1, rng=rng))
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=LR)
    losses, norms = [], []
    watcher = watch(model, optimizer=optimizer, loss_fn=loss_fn)
    with watcher, np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            batch = rng.integers(0, len(X), 32)
            optimizer.zero_grad()
            losses.append(float(loss_fn(model(X[batch]), y[batch, None])))
            model.backward(loss_fn.backward())
            # max_norm 1e300 (it must be finite): measures the norm, clips nothing
            norms.append(float(clip_grad_norm_(model.parameters(), clip or 1e300)))
            optimizer.step()
    fired = "exploding-gradients" in {f.code for f in watcher.report().problems("warning")}
    return np.array(losses), np.array(norms), fired


def _final(losses):
    """Mean of the last 20 losses; inf once the run has diverged (inf or NaN)."""
    tail = losses[-20:]
    return float(tail.mean()) if np.all(np.isfinite(tail)) else np.inf


def experiment(seed, quick):
    steps = 60 if quick else 300
    runs = {(gain, clip): _run(seed, gain, clip, steps)
            for gain in (3.0, 0.9) for clip in (None, 1.0)}
    final = {key: _final(losses) for key, (losses, _, _) in runs.items()}
    return {"curves": {f"gain {g}, {'clip 1' if c else 'no clip'}": (losses, norms)
                       for (g, c), (losses, norms, _) in runs.items()},
            "clip_benefit": final[3.0, None] / final[3.0, 1.0],
            "healthy_clip_benefit": final[0.9, None] / final[0.9, 1.0],
            "doctor_fires": float(runs[3.0, None][2]),
            "healthy_doctor_fires": float(runs[0.9, None][2])}


def figure(result, ax):
    for name, (_, norms) in result["curves"].items():
        ax.semilogy(np.minimum(norms, 1e30), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm before clipping")
    ax.legend(fontsize=8)
