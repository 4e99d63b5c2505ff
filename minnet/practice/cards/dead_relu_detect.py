"""Card dead-relu-detect: count the units that are zero on a whole batch; the doctor does."""

from minnet.practice import dead_units
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction

ID = "dead-relu-detect"
SOURCES = ("003:67b", "002:F2")
TOPIC = "activations"
RELATED = ("dead-relu-what", "dead-relu-prevent", "four-plots")

QUESTION = """How do you detect dead ReLU units in a network you are training?"""

ANSWER = """Record each ReLU layer's outputs on a batch (a forward hook does it) and
count the units that are zero for every example of the batch; track that fraction over
training, per layer. A healthy layer has a few such units; half a layer or more is a
problem, and a fraction that jumps up after a large step points at the learning rate.
A histogram of pre-activations shows the same thing as a mass of negative values with
nothing above zero. The gradients agree: the weight-gradient rows of dead units are
exactly zero, so per-layer gradient norms collapse. Other symptoms are a loss that
plateaus early and layers whose update-to-weight ratio is near zero. minnet's doctor
samples these statistics while you train and reports dead-relu with the layer and the
fraction."""

PREDICT = Prediction(
    "Train the biases -3 spiral MLP and the biases 0 one under minnet's watch(). Which run "
    "gets a dead-relu finding?",
    ("both", "only biases -3", "only biases 0", "neither: dead units are silent"),
    1)

CLAIMS = (
    Claim("doctor-reports-dead-relu", "the doctor's watch reports dead-relu on the biases -3 "
          "run; on the biases 0 run it does not", "broken_fires", ">", 0.5, "healthy_fires"),
    Claim("batch-count-finds-them", "counting units <= 0 on the whole training set flags over "
          "half the layer for biases -3; for biases 0 it does not", "broken_below", ">", 0.5,
          "healthy_below"),
)


def experiment(seed, quick):
    steps = 200 if quick else 1000
    _, broken_below, broken_codes = dead_units.run("biases -3 (broken)", seed, steps, True)
    _, healthy_below, healthy_codes = dead_units.run("fix: biases 0", seed, steps, True)
    return {"codes": {"biases -3": sorted(broken_codes), "biases 0": sorted(healthy_codes)},
            "broken_fires": float("dead-relu" in broken_codes),
            "healthy_fires": float("dead-relu" in healthy_codes),
            "broken_below": broken_below, "healthy_below": healthy_below}


def figure(result, ax):
    names = ["biases -3", "biases 0"]
    ax.bar(names, [result["broken_below"], result["healthy_below"]])
    ax.axhline(0.5, color="k", linestyle="--", linewidth=1, label="doctor's threshold")
    ax.set_ylim(0, 1)
    ax.set_ylabel("units <= 0 on every example")
    ax.legend()
