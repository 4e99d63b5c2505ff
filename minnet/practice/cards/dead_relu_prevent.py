"""Card dead-relu-prevent: three fixes for dead ReLUs, each measured."""

from minnet.practice import dead_units
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction

ID = "dead-relu-prevent"
SOURCES = ("003:67c",)
TOPIC = "activations"
RELATED = ("dead-relu-what", "dead-relu-detect", "zero-init", "lr-curves")

QUESTION = """How do you prevent ReLU units from dying, or bring a network with dead
units back to life?"""

ANSWER = """Start them alive: He initialization with biases at zero (or slightly
positive, such as 0.01 to 0.1) keeps about half the units active on any input. Keep
them alive: a learning rate that is not too high, with warmup and gradient clipping,
avoids the single huge update that pushes a bias far negative; batch or layer norm
before the ReLU keeps the pre-activations centred. Make death impossible: leaky ReLU,
ELU, GELU or SiLU keep a nonzero slope for negative inputs, so a unit that goes
negative still gets a gradient and can recover. Units already dead can only be
revived by re-initializing them (or by switching to a leaky activation), since no
gradient will ever reach them."""

PREDICT = Prediction(
    "The biases -3 spiral MLP, and three changes: biases 0, biases +0.1, LeakyReLU with the "
    "biases still at -3. Which leave under 10% of the first layer dead after training?",
    ("only biases 0", "the two bias fixes", "all three", "none"),
    2)

CLAIMS = (
    Claim("every-fix-keeps-units-alive", "with each of the three fixes, fewer than 10% of the "
          "first layer's units get zero gradient; without a fix they do not", "worst_fix_dead",
          "<", 0.1, "broken_dead"),
)


def experiment(seed, quick):
    steps = 200 if quick else 1000
    dead = {name: dead_units.run(name, seed, steps)[0] for name in dead_units.SETUPS}
    fixes = [value for name, value in dead.items() if name.startswith("fix")]
    return {"dead": dead, "worst_fix_dead": max(fixes),
            "broken_dead": dead["biases -3 (broken)"]}


def figure(result, ax):
    ax.barh(list(result["dead"]), list(result["dead"].values()))
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of first-layer units with zero gradient")
