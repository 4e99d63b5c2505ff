"""Card rnn-gradients: back through T steps the gradient is multiplied by W^T, T times."""

import numpy as np

from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "rnn-gradients"
SOURCES = ("003:46b",)
TOPIC = "recurrent"
RELATED = ("exploding-gradients", "skip-connections")

QUESTION = """Why are vanishing and exploding gradients a particular problem for
recurrent networks?"""

ANSWER = """An RNN applies the same recurrent matrix W at every step, so the gradient
of the last state with respect to the first is a product of T Jacobians, each W^T
times the activation's slope. For a linear RNN whose W is rho times an orthogonal
matrix, that product has norm exactly rho^T: 0.9^50 is 0.005, 1.1^50 is 117. A
feed-forward net of the same depth multiplies different matrices, whose effects
partly cancel; the RNN multiplies the same one, so its largest and smallest singular
directions compound without mercy, and sequences are often far longer than networks
are deep. The effects: long-range dependencies stop receiving gradient (vanishing),
or single steps blow the weights up (exploding). Remedies: orthogonal or
identity-scaled recurrent init, gradient clipping, gated cells (LSTM, GRU) whose
additive cell path carries gradient, and truncated backpropagation."""

PREDICT = Prediction(
    "A linear RNN with W = 0.9 x (an orthogonal matrix), 50 steps. By how much does the "
    "gradient shrink from the last state back to the first?",
    ("about 2x (0.9 x 2)", "about 0.9^50 = 0.005", "not at all: orthogonal matrices keep norms",
     "it depends on the inputs"),
    1)

CLAIMS = (
    Claim("orthogonal-gives-rho-to-the-T", "with W = rho x orthogonal, the backpropagated "
          "gradient norm matches rho^T to 1% (in log) for rho = 0.9, 1, 1.1; for a random W "
          "of the same spectral radius it does not", "orthogonal_log_error", "<", 0.01,
          "random_log_error"),
    Claim("vanishes-below-one", "at rho = 0.9 the gradient from step 50 back to step 0 is "
          "below 1% of its size; at rho = 1.1 it is not", "shrink_09", "<", 0.01, "shrink_11"),
)

H, T = 16, 50
RHOS = (0.9, 1.0, 1.1)


def _orthogonal(rng):
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    return q * np.sign(np.diag(r))


def _backprop_norms(W, g):
    """|g_t| for t = T .. 0 under g_{t-1} = W^T g_t (a linear RNN, h_t = W h_{t-1} + U x_t)."""
    norms = [np.linalg.norm(g)]
    for _ in range(T):
        g = W.T @ g
        norms.append(np.linalg.norm(g))
    return np.array(norms)


def _worst_log_error(Ws, rng):
    """Largest |log(|W^T-product| / rho^T)| / T over the given (rho, W) pairs."""
    errors = []
    for rho, W in Ws:
        g = rng.standard_normal(H)
        shrink = _backprop_norms(W, g)[-1] / np.linalg.norm(g)
        errors.append(abs(np.log(shrink) - T * np.log(rho)) / (T * abs(np.log(1.1))))
    return max(errors)


def experiment(seed, quick):
    # quick and full are the same size: the measurement takes microseconds.
    rng = make_rng(seed)
    orthogonal = [(rho, rho * _orthogonal(rng)) for rho in RHOS]
    random = []
    for rho in RHOS:
        W = rng.standard_normal((H, H))
        random.append((rho, rho * W / np.max(np.abs(np.linalg.eigvals(W)))))
    g = rng.standard_normal(H)
    curves = {rho: _backprop_norms(W, g) / np.linalg.norm(g) for rho, W in orthogonal}
    return {"curves": curves,
            "orthogonal_log_error": _worst_log_error(orthogonal, rng),
            "random_log_error": _worst_log_error(random, rng),
            "shrink_09": float(curves[0.9][-1]), "shrink_11": float(curves[1.1][-1])}


def figure(result, ax):
    for rho, curve in result["curves"].items():
        ax.semilogy(curve, label=f"rho = {rho}")
    ax.set_xlabel("steps back in time")
    ax.set_ylabel("|dL/dh_t| / |dL/dh_T|")
    ax.legend()
