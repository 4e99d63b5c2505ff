"""Card gradcheck-bugs: a gradient check names the layer whose backward is wrong, and how."""

import numpy as np

from minnet.errors import GradcheckError
from minnet.gradcheck import gradcheck
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo.custom import MyLinear, Swish

ID = "gradcheck-bugs"
SOURCES = ("001:C5", "001:C8")
TOPIC = "backprop"
RELATED = ("two-layer-numpy", "grow-gradually", "reg-dominates")

QUESTION = """You wrote your own layer and the network trains badly. How do you find out
whether its gradients are wrong, and what kind of mistake it is?"""

ANSWER = """Gradient-check it, layer by layer. For one layer, take a small float64
input and a random upstream gradient g, compute the analytic gradients of sum(out * g)
with the layer's backward, and compare each entry with a central difference
(f(x + eps) - f(x - eps)) / 2 eps for the input and every parameter. A correct layer
agrees to about 1e-7 in relative terms; a wrong one fails, and the pattern of the
failure names the mistake: analytic = -numeric is a sign error (subtracting a
gradient the optimizer will subtract again), a constant factor is a missing scale, a
mismatch on some entries only points at a forgotten term or a mask. Checking each layer
alone localizes the bug; the built-in layers pass, so the custom one is the suspect.
minnet.gradcheck prints the tensor, worst index, values and hint."""

PREDICT = Prediction(
    "Gradient-check each layer of a net built from minnet's Linear and ReLU plus a student's "
    "Swish and MyLinear. Which layers fail?",
    ("all of them", "only the student's two", "only minnet's", "none"),
    1)

CLAIMS = (
    Claim("student-layers-fail", "both hand-written layers (the zoo's Swish and MyLinear) fail "
          "the check; of minnet's Linear and ReLU none does", "student_fail_rate", ">", 0.99,
          "minnet_fail_rate"),
    Claim("sign-error-named", "the check's message for MyLinear names a sign error; its "
          "message for Swish (a forgotten term) does not", "mylinear_says_sign", ">", 0.5,
          "swish_says_sign"),
)


def _verdict(layer, x):
    """(failed, message) of minnet's gradcheck on one layer."""
    try:
        gradcheck(layer, x)
    except GradcheckError as error:
        return 1.0, str(error)
    return 0.0, ""


def experiment(seed, quick):
    rng = make_rng(seed)
    x = rng.standard_normal((4, 5))
    layers = {"Swish (student)": Swish(), "MyLinear (student)": MyLinear(5, 5, rng=rng),
              "Linear (minnet)": Linear(5, 5, rng=rng), "ReLU (minnet)": ReLU()}
    # keep the ReLU's input away from its kink, where central differences read 0.5
    x_relu = np.where(np.abs(x) < 1e-3, 0.5, x)
    verdicts = {name: _verdict(layer, x_relu if "ReLU" in name else x)
                for name, layer in layers.items()}
    failed = {name: v[0] for name, v in verdicts.items()}
    return {"failed": failed,
            "student_fail_rate": float(np.mean([v for n, v in failed.items() if "student" in n])),
            "minnet_fail_rate": float(np.mean([v for n, v in failed.items() if "minnet" in n])),
            "mylinear_says_sign": float("sign error" in verdicts["MyLinear (student)"][1]),
            "swish_says_sign": float("sign error" in verdicts["Swish (student)"][1])}


def figure(result, ax):
    ax.barh(list(result["failed"]), list(result["failed"].values()))
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("gradient check failed (1) or passed (0)")
