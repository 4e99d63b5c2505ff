"""Card sigmoid-jacobian: an elementwise function has a diagonal Jacobian; softmax does not."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.gradcheck import numerical_gradient
from minnet.layers.activations import Sigmoid, Softmax
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import norm_error
from minnet.random import make_rng

ID = "sigmoid-jacobian"
SOURCES = ("003:44d",)
TOPIC = "backprop"
RELATED = ("activations-plot", "two-layer-numpy")

QUESTION = """Applied to a vector x, what is the derivative of the sigmoid with respect
to x? How does that differ from the softmax's?"""

ANSWER = """Sigmoid acts entry by entry, so output i depends only on input i: the
Jacobian is diagonal with entries s_i (1 - s_i), where s = sigmoid(x). The backward
never builds it: it multiplies the upstream gradient elementwise, dx = g * s * (1 - s).
Softmax couples the entries through the shared normalizer: dp_i/dx_j = p_i (delta_ij -
p_j), a full matrix diag(p) - p p^T. Its backward is therefore not elementwise:
dx = p * (g - sum(g * p)). Treating softmax like the sigmoid, with only the diagonal
p (1 - p), is a classic bug that a gradient check exposes at once; fused softmax plus
cross-entropy sidesteps the whole Jacobian with dz = p - y."""

PREDICT = Prediction(
    "Compute both Jacobians numerically for a 6-vector. Which has non-zero off-diagonal "
    "entries?",
    ("sigmoid only", "softmax only", "both", "neither"),
    1)

CLAIMS = (
    Claim("sigmoid-jacobian-diagonal", "off the diagonal, the sigmoid's numerical Jacobian "
          "is below 1e-8 of its diagonal (by norm); the softmax's is not",
          "sigmoid_off_diagonal", "<", 1e-8, "softmax_off_diagonal"),
    Claim("elementwise-backward-only-for-sigmoid", "g * s * (1 - s) matches the sigmoid's "
          "backward (error below 1e-8); g * p * (1 - p) does not match the softmax's",
          "sigmoid_elementwise_error", "<", 1e-8, "softmax_elementwise_error"),
)

SIZE = 6


def _jacobian(layer, x):
    """Numerical d out / d x, shape (SIZE, SIZE): row i is the gradient of output i."""
    rows = []
    with no_grad():  # forwards only: no cache waits for a backward
        for i in range(SIZE):
            pick = np.zeros((1, SIZE))
            pick[0, i] = 1.0
            rows.append(numerical_gradient(lambda v: layer(v), x.copy(), grad_out=pick)[0])
    return np.array(rows)


def _off_diagonal_share(jacobian):
    off = jacobian - np.diag(np.diag(jacobian))
    return float(np.linalg.norm(off) / np.linalg.norm(np.diag(jacobian)))


def experiment(seed, quick):
    rng = make_rng(seed)
    x = rng.standard_normal((1, SIZE))
    g = rng.standard_normal((1, SIZE))
    jacobians = {"sigmoid": _jacobian(Sigmoid(), x), "softmax": _jacobian(Softmax(), x)}
    errors = {}
    for name, layer in (("sigmoid", Sigmoid()), ("softmax", Softmax())):
        out = layer(x)
        errors[name] = norm_error(layer.backward(g), g * out * (1 - out))
    return {"jacobians": jacobians,
            "sigmoid_off_diagonal": _off_diagonal_share(jacobians["sigmoid"]),
            "softmax_off_diagonal": _off_diagonal_share(jacobians["softmax"]),
            "sigmoid_elementwise_error": errors["sigmoid"],
            "softmax_elementwise_error": errors["softmax"]}


def figure(result, ax):
    both = np.hstack([result["jacobians"]["sigmoid"], np.full((SIZE, 1), np.nan),
                      result["jacobians"]["softmax"]])
    image = ax.imshow(both, cmap="coolwarm")
    ax.figure.colorbar(image, ax=ax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("sigmoid Jacobian (left), softmax Jacobian (right)")
