"""Card saturation: tanh units pinned at +-1 pass almost no gradient, so learning is slow."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.zoo import story

ID = "saturation"
SOURCES = ("000:P7", "002:F1")
TOPIC = "activations"
RELATED = ("activations-tradeoffs", "deep-init-scale", "center-inputs")

QUESTION = """Training is very slow although the loss is far from good and the learning
rate is reasonable. Looking inside the network, what would you check?"""

ANSWER = """Whether the activations are saturated. A tanh or sigmoid unit whose input
is large sits on a flat part of its curve: the output is pinned near +-1 (or 0 and 1)
and the local slope 1 - tanh^2 is almost zero, so almost no gradient passes through it
and its weights, and everything before it, barely move. Plot a histogram of each
layer's activations: a healthy tanh layer spreads over (-1, 1); a saturated one piles
up at the two ends. Causes: inputs that are not standardized, weights initialized too
large (or embeddings scaled up), a learning rate that blew the weights up. Fixes:
standardize the inputs, use Glorot or orthogonal initialization, add normalization,
or prefer non-saturating activations where possible."""

PREDICT = Prediction(
    "The RNN story with its word vectors scaled x10. What fraction of the RNN's final tanh "
    "states has |h| > 0.99?",
    ("under 10%", "about a quarter", "over half", "none"),
    2)

CLAIMS = (
    Claim("most-units-pinned", "with word vectors x10, over 50% of the RNN's final states "
          "have |h| > 0.99; in the fixed story they do not", "saturated", ">", 0.5,
          "fixed_saturated"),
    Claim("healthy-units-spread", "in the fixed story under 10% of the states have "
          "|h| > 0.99; with word vectors x10 they do not", "fixed_saturated", "<", 0.1,
          "saturated"),
)


def _states(model, X):
    """The RNN's final hidden states for X, shape (N, H)."""
    with no_grad():
        return model[1](model[0](X))


def experiment(seed, quick):
    X, _, X_val, _ = story.story_data(seed)
    broken = story.step_3(seed).model  # the embedding scaled x10
    fixed = story.story_model(seed)
    states = {"word vectors x10": _states(broken, X_val), "fixed": _states(fixed, X_val)}
    return {"states": states,
            "saturated": float(np.mean(np.abs(states["word vectors x10"]) > 0.99)),
            "fixed_saturated": float(np.mean(np.abs(states["fixed"]) > 0.99))}


def figure(result, ax):
    for name, h in result["states"].items():
        ax.hist(h.ravel(), bins=40, range=(-1, 1), alpha=0.6, label=name)
    ax.set_xlabel("RNN final state h")
    ax.set_ylabel("count")
    ax.legend()
