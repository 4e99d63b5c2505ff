"""Card pruning-why: half the weights can go with almost no loss once the rest are fine-tuned."""

from minnet.practice import pruning
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction

ID = "pruning-why"
SOURCES = ("003:68a",)
TOPIC = "compression"
RELATED = ("pruning-what", "distillation")

QUESTION = """Why would you prune a trained network, and why does it work?"""

ANSWER = """Pruning removes weights (or whole units, channels, heads) from a trained
network to make it smaller, faster and cheaper to store and run, for phones, embedded
devices or serving at scale. It works because trained networks are heavily
over-parametrized: many weights are near zero or redundant, and the function can be
carried by a much smaller subnetwork (the lottery-ticket observation). Removing them
perturbs the outputs a little, and a short fine-tuning of the surviving weights, with
the pruned ones held at zero, recovers most or all of the accuracy. Speed gains need
care: scattered zeros only help with sparse kernels or hardware support, so structured
pruning (entire neurons or channels) is what shrinks dense computation."""

PREDICT = Prediction(
    "An MNIST-1D MLP loses half of its weights (the smallest) and is fine-tuned for 200 "
    "steps with them held at zero. Its validation accuracy compared with the dense net:",
    ("within a few points", "about half", "chance level", "far above it"),
    0)

CLAIMS = (
    Claim("fine-tuned-matches-dense", "after fine-tuning, the 50%-pruned net is within 5 points "
          "of the dense net's validation accuracy; pruned at random and not fine-tuned it is "
          "not", "fine_tuned_drop", "<", 0.05, "random_drop"),
)


def experiment(seed, quick):
    accuracy = pruning.study(seed, quick)
    return {"accuracy": accuracy,
            "fine_tuned_drop": accuracy["dense"] - accuracy["magnitude, fine-tuned"],
            "random_drop": accuracy["dense"] - accuracy["random"]}


def figure(result, ax):
    pruning.draw(result, ax)
