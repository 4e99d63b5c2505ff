"""Activation layers: reprs, argument and input validation, agreement with the pairs."""

import numpy as np
import pytest

from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.functional import activations as F
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.layers.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh

# (layer, its repr, the functional forward it must reproduce)
LAYERS = [
    (ReLU(), "ReLU()", F.relu_forward),
    (LeakyReLU(), "LeakyReLU(negative_slope=0.01)", F.leaky_relu_forward),
    (LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)",
     lambda x: F.leaky_relu_forward(x, negative_slope=0.2)),
    (Sigmoid(), "Sigmoid()", F.sigmoid_forward),
    (Tanh(), "Tanh()", F.tanh_forward),
    (ELU(), "ELU(alpha=1.0)", F.elu_forward),
    (ELU(alpha=0.5), "ELU(alpha=0.5)", lambda x: F.elu_forward(x, alpha=0.5)),
    (GELU(), "GELU()", F.gelu_forward),
    (Softmax(), "Softmax(axis=-1)", F.softmax_forward),
    (Softmax(axis=0), "Softmax(axis=0)", lambda x: F.softmax_forward(x, axis=0)),
]
IDS = [text for _, text, _ in LAYERS]


@pytest.mark.parametrize("layer, text, forward", LAYERS, ids=IDS)
def test_repr_and_forward_match_the_functional_pair(layer, text, forward, rng):
    assert repr(layer) == text
    x = rng.standard_normal((3, 5))
    np.testing.assert_array_equal(layer(x), forward(x)[0])
    assert layer.parameters() == [] and dict(layer.state_dict()) == {}


@pytest.mark.parametrize("layer, text, forward", LAYERS, ids=IDS)
def test_backward_matches_numerical_gradient(layer, text, forward, rng):
    x = rng.standard_normal((4, 3, 2)) + 0.05  # no entry within 1e-3 of the ReLU kink
    x[np.abs(x) < 1e-2] = 0.5
    grad_out = rng.standard_normal(x.shape)
    layer(x)
    analytic = layer.backward(grad_out)
    numeric = numerical_gradient(lambda v: layer.forward(v), x.copy(), grad_out)
    assert rel_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("layer, text, forward", LAYERS, ids=IDS)
def test_dtypes(layer, text, forward):
    assert layer(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    assert layer(np.ones((2, 3), dtype=np.int64)).dtype == np.float64
    with pytest.raises(DTypeError, match=rf"{type(layer).__name__}\(.*expected a float input.*<U"):
        layer(np.array([["a", "b"]]))


@pytest.mark.parametrize("layer, text, forward", LAYERS, ids=IDS)
def test_backward_errors(layer, text, forward):
    fresh = type(layer)(**layer.arguments())
    with pytest.raises(MinnetError, match=r"backward\(\) called before forward\(\)"):
        fresh.backward(np.ones((2, 3)))
    fresh(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 3\).*got \(3, 2\)"):
        fresh.backward(np.ones((3, 2)))


@pytest.mark.parametrize("build, message", [
    (lambda: LeakyReLU("0.1"), r"LeakyReLU: the 'negative_slope' parameter must be a finite "
                               r"float, got '0.1'"),
    (lambda: LeakyReLU(float("nan")), r"LeakyReLU: the 'negative_slope'.*got nan"),
    (lambda: ELU(alpha=0.0), r"ELU: the 'alpha' parameter must be a float in the range "
                             r"\(0.0, inf\], got 0.0"),
    (lambda: ELU(alpha=-1), r"ELU: the 'alpha'.*got -1"),
    (lambda: Softmax(axis=1.5), r"Softmax: the 'axis' parameter must be an int, got 1.5"),
])
def test_bad_arguments_raise_config_error(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_softmax_axis_must_exist_in_the_input():
    with pytest.raises(ShapeError, match=r"Softmax\(axis=2\): expected an input with an axis 2 "
                                         r"\(at least 3 dimensions\), got shape \(4, 5\)"):
        Softmax(axis=2)(np.zeros((4, 5)))
    with pytest.raises(ShapeError, match=r"Softmax\(axis=-3\).*at least 3.*\(4, 5\)"):
        Softmax(axis=-3)(np.zeros((4, 5)))
    assert Softmax(axis=-2)(np.zeros((4, 5))).shape == (4, 5)


def test_backward_hooks_fire_on_the_shared_backward():
    layer = Tanh()
    seen = []
    layer.register_backward_hook(lambda module, grad_in, grad_out: seen.append(grad_in.shape))
    layer(np.zeros((2, 2)))
    layer.backward(np.ones((2, 2)))
    assert seen == [(2, 2)]


def test_sigmoid_layer_is_stable_at_huge_inputs():
    out = Sigmoid()(np.array([[-1e4, 1e4]]))
    np.testing.assert_array_equal(out, [[0.0, 1.0]])
