"""Activation layers: reprs, argument and input validation, textbook formulas, torch."""

import math

import numpy as np
import pytest
from torch_oracle import assert_pairs_close, run_against_torch

from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.layers.activations import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)

ERF = np.vectorize(math.erf)  # the standard library's, not minnet's Cephes port


def softmax(x, axis):
    return np.exp(x) / np.sum(np.exp(x), axis=axis, keepdims=True)


def softplus(x, beta, threshold):
    return np.where(beta * x > threshold, x, np.log(1 + np.exp(beta * x)) / beta)


# (layer, its repr, its textbook formula: the plain NumPy a reader would write, none of the
# layer's overflow guards, which inputs of a standard normal scale never reach)
LAYERS = [
    (ReLU(), "ReLU()", lambda x: np.where(x > 0, x, 0.0)),
    (LeakyReLU(), "LeakyReLU(negative_slope=0.01)", lambda x: np.where(x > 0, x, 0.01 * x)),
    (LeakyReLU(0.2), "LeakyReLU(negative_slope=0.2)", lambda x: np.where(x > 0, x, 0.2 * x)),
    (Sigmoid(), "Sigmoid()", lambda x: 1 / (1 + np.exp(-x))),
    (Tanh(), "Tanh()", lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))),
    (ELU(), "ELU(alpha=1.0)", lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    (ELU(alpha=0.5), "ELU(alpha=0.5)", lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    (GELU(), "GELU()", lambda x: x * 0.5 * (1 + ERF(x / math.sqrt(2)))),
    (Softmax(), "Softmax(axis=-1)", lambda x: softmax(x, -1)),
    (Softmax(axis=0), "Softmax(axis=0)", lambda x: softmax(x, 0)),
    (SiLU(), "SiLU()", lambda x: x / (1 + np.exp(-x))),
    (Softplus(), "Softplus(beta=1.0, threshold=20.0)", lambda x: softplus(x, 1.0, 20.0)),
    (Softplus(beta=3, threshold=2), "Softplus(beta=3.0, threshold=2.0)",
     lambda x: softplus(x, 3.0, 2.0)),
    (LogSoftmax(), "LogSoftmax(axis=-1)", lambda x: np.log(softmax(x, -1))),
    (LogSoftmax(dim=0), "LogSoftmax(axis=0)", lambda x: np.log(softmax(x, 0))),
]
IDS = [text for _, text, _ in LAYERS]


@pytest.mark.parametrize("layer, text, formula", LAYERS, ids=IDS)
def test_repr_and_forward_match_the_textbook_formula(layer, text, formula, rng):
    assert repr(layer) == text
    x = rng.standard_normal((3, 5)) * 2
    x[0, :3] = [-0.5, 0.5, 0.7]  # both sides of 2 / 3, Softplus(beta=3, threshold=2)'s edge
    np.testing.assert_allclose(layer(x), formula(x), rtol=1e-13, atol=1e-15)
    assert layer.parameters() == [] and dict(layer.state_dict()) == {}


@pytest.mark.parametrize("layer, text, formula", LAYERS, ids=IDS)
def test_backward_matches_numerical_gradient(layer, text, formula, rng):
    x = rng.standard_normal((4, 3, 2)) + 0.05  # no entry within 1e-3 of the ReLU kink
    x[np.abs(x) < 1e-2] = 0.5
    grad_out = rng.standard_normal(x.shape)
    layer(x)
    analytic = layer.backward(grad_out)
    numeric = numerical_gradient(lambda v: layer.forward(v), x.copy(), grad_out)
    assert rel_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("layer, text, formula", LAYERS, ids=IDS)
def test_dtypes(layer, text, formula):
    assert layer(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    assert layer(np.ones((2, 3), dtype=np.int64)).dtype == np.float64
    with pytest.raises(DTypeError, match=rf"{type(layer).__name__}\(.*expected a float input.*<U"):
        layer(np.array([["a", "b"]]))


@pytest.mark.parametrize("layer, text, formula", LAYERS, ids=IDS)
def test_backward_errors(layer, text, formula):
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
    (lambda: Softmax(dim="1"), r"Softmax: the 'dim' parameter must be an int, got '1'"),
    (lambda: LogSoftmax(axis=1, dim=0), r"LogSoftmax: got both axis=1 and dim=0; they are the "
                                        r"same argument"),
    (lambda: Softplus(beta=0), r"Softplus: the 'beta' parameter must be a float in the range "
                               r"\(0.0, inf\], got 0"),
    (lambda: Softplus(beta=-1.0), r"Softplus: the 'beta'.*got -1.0"),
    (lambda: Softplus(threshold=float("nan")), r"Softplus: the 'threshold'.*finite float"),
])
def test_bad_arguments_raise_config_error(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_dim_is_accepted_as_pytorchs_name_for_axis():
    assert Softmax(dim=1).axis == 1 and repr(LogSoftmax(dim=-2)) == "LogSoftmax(axis=-2)"
    assert Softmax(1).axis == 1 and LogSoftmax(axis=0).axis == 0


@pytest.mark.parametrize("build, message", [
    (lambda: ReLU(foo=1), r"^ReLU\(\) takes no arguments, got foo=1$"),
    (lambda: Tanh(0.5), r"^Tanh\(\) takes no arguments, got 0.5$"),
    (lambda: SiLU(inplace=False), r"^SiLU\(\) takes no arguments, got inplace=False"),
    (lambda: ReLU(inplace=True), r"ReLU\(\) takes no arguments, got inplace=True; minnet "
                                 r"never modifies a layer's input in place"),
    (lambda: LeakyReLU(slope=0.1), r"^LeakyReLU: unknown argument 'slope'; did you mean "
                                   r"'negative_slope'\? accepted: negative_slope"),
    (lambda: Softplus(alpha=1), r"^Softplus: unknown argument 'alpha'; accepted: beta, threshold"),
    (lambda: LogSoftmax(foo=1), r"^LogSoftmax: unknown argument 'foo'; accepted: axis, dim"),
])
def test_unknown_arguments_name_the_public_class(build, message):
    """Never the private base (before: 'Module.__init__() got an unexpected keyword')."""
    with pytest.raises(TypeError, match=message) as info:
        build()
    assert "Module" not in str(info.value) and "Activation" not in str(info.value)


def test_softmax_axis_must_exist_in_the_input():
    with pytest.raises(ShapeError, match=r"Softmax\(axis=2\): expected an input with an axis 2 "
                                         r"\(at least 3 dimensions\), got shape \(4, 5\)"):
        Softmax(axis=2)(np.zeros((4, 5)))
    with pytest.raises(ShapeError, match=r"Softmax\(axis=-3\).*at least 3.*\(4, 5\)"):
        Softmax(axis=-3)(np.zeros((4, 5)))
    assert Softmax(axis=-2)(np.zeros((4, 5))).shape == (4, 5)
    with pytest.raises(ShapeError, match=r"LogSoftmax\(axis=1\): expected an input with an axis "
                                         r"1 \(at least 2 dimensions\), got shape \(4,\)"):
        LogSoftmax(axis=1)(np.zeros(4))


@pytest.mark.parametrize("layer", [Softmax(), LogSoftmax(), Softmax(axis=0), LogSoftmax(axis=0)],
                         ids=repr)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0)])
def test_softmax_over_an_empty_batch_gives_pytorchs_empty_result(layer, shape):
    """Before: ValueError 'zero-size array to reduction operation maximum'."""
    out = layer(np.zeros(shape))
    assert out.shape == shape
    assert layer.backward(np.zeros(shape)).shape == shape


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


# --- PyTorch oracle ----------------------------------------------------------------------


def torch_twin(torch, layer):
    """The torch.nn module that ``layer`` reproduces (same arguments)."""
    nn = torch.nn
    twins = {
        "ReLU": lambda: nn.ReLU(), "Sigmoid": lambda: nn.Sigmoid(), "Tanh": lambda: nn.Tanh(),
        "GELU": lambda: nn.GELU(), "SiLU": lambda: nn.SiLU(),
        "LeakyReLU": lambda: nn.LeakyReLU(layer.negative_slope),
        "ELU": lambda: nn.ELU(layer.alpha),
        "Softplus": lambda: nn.Softplus(layer.beta, layer.threshold),
        "Softmax": lambda: nn.Softmax(dim=layer.axis),
        "LogSoftmax": lambda: nn.LogSoftmax(dim=layer.axis),
    }
    return twins[type(layer).__name__]()


@pytest.mark.torch
@pytest.mark.parametrize("layer", [
    SiLU(), Softplus(), Softplus(beta=2.0, threshold=5.0), Softplus(beta=0.5, threshold=1.0),
    Softplus(beta=10.0, threshold=0.0), LogSoftmax(), LogSoftmax(axis=1), LogSoftmax(axis=0),
], ids=repr)
def test_new_activations_match_pytorch_in_float64(layer, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 3, 6)) * 6
    # the edges of softplus' linear region: beta * x just below, at and above threshold
    x[0, 0, :3] = np.array([-1e-9, 0.0, 1e-9]) + getattr(layer, "threshold", 0.0) / getattr(
        layer, "beta", 1.0)
    x[0, 1] = [-300.0, -40.0, 40.0, 300.0, 1e-8, -1e-8]  # far tails, and around 0
    pairs = run_against_torch(torch, layer, torch_twin(torch, layer), x,
                              rng.standard_normal(x.shape))
    assert_pairs_close(pairs, rtol=1e-12, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(0.1), Sigmoid(), Tanh(), ELU(0.7), GELU(),
                                   SiLU(), Softplus(), Softplus(beta=2.0, threshold=3.0),
                                   Softmax(), LogSoftmax()], ids=repr)
def test_non_finite_inputs_give_pytorchs_nan_and_inf_without_warnings(layer):
    """The test configuration turns minnet's RuntimeWarnings into errors: none may leak."""
    torch = pytest.importorskip("torch")
    inf, nan = np.inf, np.nan
    x = np.array([[-inf, 0.5, -1.0], [inf, 0.5, -1.0], [nan, 0.5, -1.0], [-inf, -inf, -inf],
                  [inf, -inf, 2.0], [-1e4, 1e4, -800.0], [800.0, -3.0, 0.3]])
    grad_out = np.linspace(-1, 1, x.size).reshape(x.shape)
    for name, ours, theirs in run_against_torch(torch, layer, torch_twin(torch, layer), x,
                                                grad_out):
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=name)
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-300, err_msg=name)


def test_softplus_never_overflows_where_pytorch_would():
    """threshold=1000: PyTorch's log1p(exp(800)) is inf; minnet gives 800 (documented)."""
    layer = Softplus(threshold=1000.0)
    out = layer(np.array([800.0, -800.0]))
    np.testing.assert_array_equal(out, [800.0, 0.0])
    np.testing.assert_array_equal(layer.backward(np.ones(2)), [1.0, 0.0])


def test_log_softmax_is_exact_where_log_of_softmax_underflows():
    out = LogSoftmax()(np.array([[0.0, -800.0, -1000.0]]))
    np.testing.assert_allclose(out, [[0.0, -800.0, -1000.0]], rtol=1e-15)
    assert np.all(np.isfinite(out))


def test_an_array_as_axis_beside_dim_is_a_config_error():
    """Found by the public-API fuzz: ``axis != -1`` on an array raised NumPy's ValueError."""
    import minnet as mn

    with pytest.raises(mn.ConfigError, match="got both axis="):
        mn.Softmax(np.array([1, 2]), dim=0)
