"""Card lr-decay-exceptions: decaying too early stalls training far from the optimum."""

from minnet.practice import noisy_regression
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction

ID = "lr-decay-exceptions"
SOURCES = ("003:57b",)
TOPIC = "optimization"
RELATED = ("lr-decay-why", "warmup", "adam-vs-sgd")

QUESTION = """Are there cases where decaying the learning rate does not help, or hurts?"""

ANSWER = """Yes. Decay too early or too hard and the run freezes before it has reached
a good region: the steps become too small to travel, and the loss stays high, a
plateau that looks like convergence but is just a stalled optimizer (compare with a
constant rate before trusting it). At the very start, rather than decay, a warmup
(increasing the rate) is often what helps. Adaptive optimizers already scale each
coordinate's step, so they depend less on a schedule, though most large runs still
decay. When training continues with new data (fine-tuning, online learning) a decayed
rate cannot adapt to it. And a decay cannot rescue a wrong setup: if the loss is stuck
because of a bug, a lower rate only hides it. Tie the schedule to the training length,
and check the loss curve right after each decay."""

PREDICT = Prediction(
    "Same noisy least squares, but the rate drops x0.001 after only 10 steps. Compared with "
    "a constant rate, after 1,000 steps the loss is...",
    ("lower: smaller steps are more precise", "about the same", "much higher: it stalled",
     "NaN"),
    2)

CLAIMS = (
    Claim("too-early-stalls", "decaying x0.001 after 10 steps ends over 10x the constant "
          "rate's excess loss; decaying x0.1 at half-way does not", "too_early_ratio", ">",
          10.0, "decayed_ratio"),
)


def experiment(seed, quick):
    return noisy_regression.schedule_experiment(seed, quick)


def figure(result, ax):
    noisy_regression.draw(result, ax)
