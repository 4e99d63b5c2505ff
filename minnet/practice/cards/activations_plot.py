"""Card activations-plot: the four common activations and their slopes."""

import numpy as np

from minnet.layers.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import slope

ID = "activations-plot"
SOURCES = ("003:44a",)
TOPIC = "activations"
RELATED = ("activations-tradeoffs", "relu-kink", "saturation")

QUESTION = """Sketch sigmoid, tanh, ReLU and leaky ReLU, and their derivatives. What does
each derivative look like far from zero?"""

ANSWER = """Sigmoid 1/(1+e^-x) is an S from 0 to 1 through 0.5; its slope s(1-s) peaks at
0.25 at x = 0 and decays exponentially on both sides. Tanh is the same S stretched to
(-1, 1) and centred at 0 (tanh x = 2 sigmoid(2x) - 1); its slope 1 - tanh^2 peaks at 1
and also vanishes in both tails. ReLU max(0, x) is zero for negative inputs and the
identity for positive ones: slope 0 on the left, 1 on the right, no saturation on the
positive side. Leaky ReLU replaces the flat left half by a small slope (0.01 x), so a
unit pushed negative still passes some gradient. The slopes are what matters in
training: a chain of sigmoids multiplies factors of at most 0.25, while ReLU passes
gradients through active units unchanged."""

PREDICT = Prediction(
    "What is the largest slope of the sigmoid anywhere?",
    ("1", "0.5", "0.25", "it grows without bound"),
    2)

CLAIMS = (
    Claim("sigmoid-slope-at-most-quarter", "the sigmoid's slope never exceeds 0.25; tanh's "
          "does (it reaches 1)", "sigmoid_max_slope", "<=", 0.2501, "tanh_max_slope"),
    Claim("squashers-saturate", "at |x| = 6 the sigmoid's slope is below 1% of its peak; "
          "ReLU's slope at x = 6 is not", "sigmoid_tail_ratio", "<", 0.01, "relu_tail_ratio"),
    Claim("relu-flat-left", "ReLU's slope for negative inputs is below 1e-3; leaky ReLU's is "
          "not", "relu_left_slope", "<", 1e-3, "leaky_left_slope"),
)

LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky relu": LeakyReLU}


def experiment(seed, quick):
    # seed unused: the curves are deterministic (kept for the common signature).
    x = np.linspace(-6.0, 6.0, 241 if quick else 2401)
    outputs = {name: layer()(x.reshape(1, -1)).reshape(-1) for name, layer in LAYERS.items()}
    slopes = {name: slope(layer(), x) for name, layer in LAYERS.items()}
    left = x < -0.1
    return {"x": x, "outputs": outputs, "slopes": slopes,
            "sigmoid_max_slope": float(slopes["sigmoid"].max()),
            "tanh_max_slope": float(slopes["tanh"].max()),
            "sigmoid_tail_ratio": float(slopes["sigmoid"][-1] / slopes["sigmoid"].max()),
            "relu_tail_ratio": float(slopes["relu"][-1] / slopes["relu"].max()),
            "relu_left_slope": float(np.abs(slopes["relu"][left]).max()),
            "leaky_left_slope": float(np.abs(slopes["leaky relu"][left]).max())}


def figure(result, ax):
    for name, line in result["outputs"].items():
        (drawn,) = ax.plot(result["x"], line, label=name)
        ax.plot(result["x"], result["slopes"][name], linestyle=":", color=drawn.get_color())
    ax.set_ylim(-1.5, 2.0)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x) (solid), f'(x) (dotted)")
    ax.legend()
