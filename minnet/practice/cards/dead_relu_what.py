"""Card dead-relu-what: a ReLU unit that is negative on every input never learns again."""

from minnet.practice import dead_units
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction

ID = "dead-relu-what"
SOURCES = ("003:67a", "001:C7")
TOPIC = "activations"
RELATED = ("dead-relu-detect", "dead-relu-prevent", "activations-tradeoffs")

QUESTION = """What is a dead ReLU unit, and why does it stay dead?"""

ANSWER = """A ReLU unit outputs max(0, w . x + b). If its pre-activation is negative
for every input in the data, its output is always 0 and so is its local slope; the
gradient reaching w and b is then exactly zero for every example, no update ever
changes them, and the unit is permanently switched off: dead. Units die from a bad
start (large negative biases, badly scaled weights) or during training, when one
large update, typically from too high a learning rate or an exploding gradient, shoves
the bias far negative. A few dead units are harmless; a mostly dead layer wastes its
capacity and, if all its units die, blocks every gradient to the layers below, so
those stop learning too and the loss plateaus."""

PREDICT = Prediction(
    "The zoo's spiral MLP with every hidden bias set to -3, 200 Adam steps. What fraction "
    "of the first hidden layer's units receive any gradient at the end?",
    ("all of them", "about half", "almost none", "it depends on the learning rate only"),
    2)

CLAIMS = (
    Claim("most-units-dead", "after training with biases at -3, over 90% of the first layer's "
          "units get zero gradient from every example; with biases at 0 they do not",
          "broken_dead", ">", 0.9, "healthy_dead"),
    Claim("negative-everywhere", "over 90% of those units are <= 0 on every training "
          "example; with biases at 0 they are not", "broken_below", ">", 0.9, "healthy_below"),
)


def experiment(seed, quick):
    steps = 200 if quick else 1000
    broken_dead, broken_below, _ = dead_units.run("biases -3 (broken)", seed, steps)
    healthy_dead, healthy_below, _ = dead_units.run("fix: biases 0", seed, steps)
    return {"broken_dead": broken_dead, "healthy_dead": healthy_dead,
            "broken_below": broken_below, "healthy_below": healthy_below}


def figure(result, ax):
    names = ["biases -3", "biases 0"]
    ax.bar(names, [result["broken_dead"], result["healthy_dead"]])
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of first-layer units\nwith zero gradient")
