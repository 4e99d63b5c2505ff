"""rel_error, numerical_gradient and gradcheck."""

import re
import warnings

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, DTypeError, GradcheckError, ShapeError
from minnet.gradcheck import (
    DEFAULT_SEED,
    generator_states,
    gradcheck,
    numerical_gradient,
    rel_error,
    restore_generator_states,
)
from minnet.layers.linear import Linear
from minnet.testing.tolerances import GRADCHECK_RTOL, gradcheck_tolerances

# --- rel_error and numerical_gradient -----------------------------------------


def test_rel_error_is_cs231n_formula():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)  # |1 - 3| / (1 + 3)
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)  # the 1e-8 floor


def test_numerical_gradient_matches_a_known_derivative(rng):
    x = rng.standard_normal((3, 4))
    grad_out = rng.standard_normal((3, 4))
    numeric = numerical_gradient(lambda v: v ** 3, x, grad_out)
    assert rel_error(numeric, 3 * x ** 2 * grad_out) < 1e-8


def test_numerical_gradient_of_a_scalar_function(rng):
    x = rng.standard_normal(5)
    assert rel_error(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x)) < 1e-8


def test_numerical_gradient_restores_x_and_perturbs_aliases(rng):
    weight = rng.standard_normal((2, 3))
    x = rng.standard_normal((4, 3))
    original = weight.copy()
    grad_out = rng.standard_normal((4, 2))
    numeric = numerical_gradient(lambda _: x @ weight.T, weight, grad_out)  # closes over weight
    assert np.array_equal(weight, original)
    assert rel_error(numeric, grad_out.T @ x) < 1e-8


def test_numerical_gradient_handles_a_non_contiguous_x(rng):
    base = rng.standard_normal((4, 6))
    view = base[:, ::2]  # not contiguous: a flat reshape would be a copy
    assert not view.flags.c_contiguous
    grad_out = rng.standard_normal((4, 3))
    numeric = numerical_gradient(lambda _: base[:, ::2] ** 2, view, grad_out)
    assert rel_error(numeric, 2 * view * grad_out) < 1e-8


def test_numerical_gradient_copies_an_output_that_is_a_view_of_x(rng):
    x = rng.standard_normal((2, 3, 2))
    grad_out = rng.standard_normal((2, 6))
    numeric = numerical_gradient(lambda v: v.reshape(2, 6), x, grad_out)  # Flatten's forward
    assert rel_error(numeric, grad_out.reshape(2, 3, 2)) < 1e-8


def test_numerical_gradient_in_float32_with_float32_tolerances(rng):
    x = rng.standard_normal((3, 3)).astype(np.float32)
    grad_out = rng.standard_normal((3, 3))
    tol = gradcheck_tolerances(np.float32)
    numeric = numerical_gradient(lambda v: np.tanh(v), x, grad_out, eps=tol["eps"])
    expected = (1 - np.tanh(x.astype(np.float64)) ** 2) * grad_out
    np.testing.assert_allclose(numeric, expected, rtol=tol["rtol"], atol=tol["atol"])
    # ...and float64's tolerance would be too strict for float32 arithmetic
    assert not np.allclose(numeric, expected, rtol=GRADCHECK_RTOL[np.dtype(np.float64)],
                           atol=1e-7)


@pytest.mark.parametrize("bad, error", [
    (np.arange(4), DTypeError),
    ([1.0, 2.0], DTypeError),
    (np.ones(3, dtype=np.float16), DTypeError),
])
def test_numerical_gradient_refuses_what_it_cannot_perturb(bad, error):
    with pytest.raises(error, match="numerical_gradient: expected x"):
        numerical_gradient(lambda v: np.sum(v), bad)


@pytest.mark.parametrize("f, grad_out, eps, error, message", [
    (None, None, 1e-6, ConfigError, "expected a function f"),
    (np.sum, None, "1e-6", ConfigError, "'eps' parameter must be a finite float"),
    (np.sum, None, -1e-6, ConfigError, "'eps' parameter must be a float in the range"),
    (lambda v: "x", None, 1e-6, DTypeError, "expected a float f"),
    (lambda v: [[1.0], [2.0, 3.0]], None, 1e-6, ShapeError, "f.* ragged"),
    (lambda v: v * 2, [[1.0], [2.0, 3.0]], 1e-6, ShapeError, "grad_out.* ragged"),
])
def test_numerical_gradient_refuses_bad_arguments_with_minnet_errors(f, grad_out, eps, error,
                                                                     message):
    """Before: TypeError, ValueError ('could not convert string to float') or NumPy's
    'inhomogeneous shape' from deep inside the loop."""
    with pytest.raises(error, match=f"^numerical_gradient: .*{message}"):
        numerical_gradient(f, np.ones(2), grad_out, eps)


def test_numerical_gradient_at_float32s_largest_value_gives_no_warning():
    """x + eps rounds to inf in float32 (before: 'overflow encountered in cast'); the
    step actually stored is infinite, so the estimate is 0 or NaN, never a warning."""
    x = np.array([np.finfo(np.float32).max], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numerical_gradient(lambda v: np.sum(v, dtype=np.float64), x, eps=1e38)


def test_numerical_gradient_refuses_a_read_only_x():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ConfigError, match="writeable"):
        numerical_gradient(lambda v: np.sum(v), x)


def test_numerical_gradient_shape_errors(rng):
    x = rng.standard_normal(3)
    with pytest.raises(ShapeError, match="scalar"):
        numerical_gradient(lambda v: v * 2, x)
    with pytest.raises(ShapeError, match="grad_out"):
        numerical_gradient(lambda v: v * 2, x, np.ones(4))


def test_numerical_gradient_refuses_an_eps_lost_in_rounding():
    with pytest.raises(ConfigError, match="eps"):
        numerical_gradient(lambda v: np.sum(v), np.array([1e12]), eps=1e-6)


# --- gradcheck passes on correct modules --------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_passes_on_linear(rng, bias):
    assert gradcheck(Linear(4, 3, bias=bias, rng=0), rng.standard_normal((5, 4))) is True


def test_gradcheck_passes_on_a_sequential_of_linears(rng):
    model = Sequential(Linear(4, 6, rng=0), Linear(6, 3, init="xavier", rng=1), Linear(3, 2, rng=2))
    assert gradcheck(model, rng.standard_normal((5, 4)))


def test_gradcheck_uses_a_random_upstream_gradient_not_ones(rng):
    """A backward that assumes grad_out = ones is wrong, and only a random grad_out shows it."""

    class AssumesOnes(Linear):
        def backward(self, grad_out):
            return super().backward(np.ones_like(grad_out))

    x = rng.standard_normal((5, 4))
    ones = np.ones((5, 3))
    assert gradcheck(AssumesOnes(4, 3, rng=0), x, grad_out=ones)  # vacuous with ones
    assert not gradcheck(AssumesOnes(4, 3, rng=0), x, raise_exception=False)


def test_gradcheck_default_upstream_gradient_is_seeded(rng):
    """The same default seed twice: the report of a broken layer is reproducible."""

    class Scaled(Linear):
        def backward(self, grad_out):
            return 1.01 * super().backward(grad_out)

    x = rng.standard_normal((3, 4))
    messages = []
    for rng_argument in (None, DEFAULT_SEED):
        with pytest.raises(GradcheckError) as info:
            gradcheck(Scaled(4, 2, rng=0), x, rng=rng_argument)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


class Mask(Module):
    """A dropout-like toy: multiplies by a random mask drawn from its own generator."""

    def __init__(self, rng):
        super().__init__()
        self.weight = Parameter(np.linspace(0.5, 1.5, 4))
        self.rng = np.random.default_rng(rng)
        self._cache = None

    def forward(self, x):
        mask = (self.rng.random(x.shape) < 0.5) * 2.0
        self._cache = (x, mask)
        return x * mask * self.weight.data

    def backward(self, grad_out):
        x, mask = self._cache
        self.weight.grad += np.sum(grad_out * x * mask, axis=0)
        return grad_out * mask * self.weight.data


def test_gradcheck_replays_the_same_randomness_in_every_forward(rng):
    layer = Mask(rng=3)
    state = layer.rng.bit_generator.state
    assert gradcheck(layer, rng.standard_normal((6, 4)))
    assert layer.rng.bit_generator.state == state  # the user's generator did not move


def test_generator_states_snapshot_and_restore():
    model = Sequential(Mask(rng=1), Mask(rng=2))
    snapshot = generator_states(model)
    assert len(snapshot) == 2
    first = [module.rng.random() for module in model]
    restore_generator_states(snapshot)
    assert [module.rng.random() for module in model] == first


class Lookup(Module):
    """An embedding-like toy: integer indices select rows of a table."""

    def __init__(self):
        super().__init__()
        self.weight = Parameter(np.arange(12.0).reshape(4, 3) / 7)
        self._indices = None

    def forward(self, indices):
        self._indices = indices
        return self.weight.data[indices]

    def backward(self, grad_out):
        np.add.at(self.weight.grad, self._indices, grad_out)
        return None  # integer indices have no gradient


def test_gradcheck_skips_the_input_of_integer_indices():
    assert gradcheck(Lookup(), np.array([[0, 2], [3, 2], [1, 1]]))


def test_gradcheck_zeroes_gradients_before_the_analytic_pass(rng):
    layer = Linear(3, 2, rng=0)
    layer.weight.grad[...] = 100.0  # stale gradients the user forgot to zero
    assert gradcheck(layer, rng.standard_normal((4, 3)))
    assert np.all(layer.weight.grad == 100.0)


@pytest.mark.parametrize("broken", [False, True])
def test_gradcheck_leaves_the_users_module_untouched(rng, broken):
    cls = FlippedInput if broken else Linear
    layer = cls(3, 2, rng=0).to(np.float32).eval()
    layer.bias.grad[...] = 7.0
    before = {name: (p.data.copy(), p.grad.copy()) for name, p in layer.named_parameters()}
    assert gradcheck(layer, rng.standard_normal((4, 3)), raise_exception=False) is (not broken)
    for name, param in layer.named_parameters():
        assert param.dtype == np.float32 and param.grad.dtype == np.float32
        assert np.array_equal(param.data, before[name][0])
        assert np.array_equal(param.grad, before[name][1])
    assert layer.training is False


def test_gradcheck_checks_in_the_modules_mode(rng):
    """The copy keeps train/eval mode: a layer broken only in eval mode fails only there."""

    class BrokenInEval(Linear):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            return grad_in if self.training else 2 * grad_in

    x = rng.standard_normal((3, 3))
    assert gradcheck(BrokenInEval(3, 2, rng=0), x)
    assert not gradcheck(BrokenInEval(3, 2, rng=0).eval(), x, raise_exception=False)


# --- gradcheck fires on wrong backward passes ---------------------------------


class ScaledWeightGrad(Linear):
    """dW scaled by 1.01: the typical off-by-a-little error."""

    def backward(self, grad_out):
        before = self.weight.grad.copy()
        grad_in = super().backward(grad_out)
        self.weight.grad[...] = before + 1.01 * (self.weight.grad - before)
        return grad_in


class MissingBiasGrad(Linear):
    def backward(self, grad_out):
        bias_grad = self.bias.grad.copy()
        grad_in = super().backward(grad_out)
        self.bias.grad[...] = bias_grad  # the bias gradient is never added
        return grad_in


class FlippedInput(Linear):
    def backward(self, grad_out):
        return -super().backward(grad_out)


class TransposedWeightGrad(Linear):
    def backward(self, grad_out):
        before = self.weight.grad.copy()
        grad_in = super().backward(grad_out)
        self.weight.grad[...] = before + (self.weight.grad - before).T
        return grad_in


class WrongShapeInputGrad(Linear):
    def backward(self, grad_out):
        return super().backward(grad_out).T


class NanGrad(Linear):
    def backward(self, grad_out):
        return super().backward(grad_out) * np.nan


def _worst(analytic, numeric):
    excess = np.abs(analytic - numeric) - (1e-5 + 1e-4 * np.abs(numeric))
    return np.unravel_index(np.argmax(excess), analytic.shape)


@pytest.mark.parametrize("cls, tensor, hint", [
    (ScaledWeightGrad, "weight", "1.01 * numeric"),
    (MissingBiasGrad, "bias", "all zeros"),
    (FlippedInput, "input", "sign error"),
    (TransposedWeightGrad, "weight", "transposed"),
])
def test_gradcheck_fires_and_names_tensor_index_values_and_error(rng, cls, tensor, hint):
    x = rng.standard_normal((5, 3))
    grad_out = rng.standard_normal((5, 3))
    with pytest.raises(GradcheckError) as info:
        gradcheck(cls(3, 3, rng=0), x, grad_out=grad_out)
    message = str(info.value)
    line = next(line for line in message.splitlines() if line.strip().startswith(tensor + ":"))
    # recompute both gradients independently and find the worst entry
    layer = cls(3, 3, rng=0)
    layer(x)
    grad_in = layer.backward(grad_out)
    analytic = grad_in if tensor == "input" else getattr(layer, tensor).grad
    reference = Linear(3, 3, rng=0)
    target = x.copy() if tensor == "input" else getattr(reference, tensor).data
    numeric = numerical_gradient(
        lambda v: reference(v if tensor == "input" else x), target, grad_out)
    index = tuple(int(i) for i in _worst(analytic, numeric))
    assert f"index {index}" in line
    assert f"analytic={analytic[index]:.6e}" in line
    assert f"numeric={numeric[index]:.6e}" in line
    assert f"rel_error={rel_error(analytic[index], numeric[index]):.2e}" in line
    assert hint in line
    assert message.startswith(f"gradcheck failed for {cls.__name__}(in_features=3")
    assert "|analytic - numeric| <= atol + rtol * |numeric|" in message


def test_gradcheck_default_upstream_gradient_differs_from_a_seed_0_input():
    """With grad_out == x, grad_out.T @ x is symmetric and a transposed dW would pass."""
    x = np.random.default_rng(0).standard_normal((5, 3))  # the most common test input
    assert not gradcheck(TransposedWeightGrad(3, 3, rng=0), x, raise_exception=False)
    assert gradcheck(TransposedWeightGrad(3, 3, rng=0), x, grad_out=x)  # the trap, shown


def test_gradcheck_reports_only_the_failing_tensors(rng):
    with pytest.raises(GradcheckError) as info:
        gradcheck(MissingBiasGrad(3, 2, rng=0), rng.standard_normal((4, 3)))
    names = re.findall(r"^  (\S+):", str(info.value), flags=re.MULTILINE)
    assert names == ["bias"]


def test_gradcheck_fires_on_a_wrong_input_gradient_shape(rng):
    with pytest.raises(GradcheckError, match=r"input: .*shape \(4, 5\), expected \(5, 4\)"):
        gradcheck(WrongShapeInputGrad(4, 4, rng=0), rng.standard_normal((5, 4)))


def test_gradcheck_fires_on_nan(rng):
    with pytest.raises(GradcheckError, match="NaN"):
        gradcheck(NanGrad(3, 2, rng=0), rng.standard_normal((4, 3)))


@pytest.mark.parametrize("cls", [ScaledWeightGrad, MissingBiasGrad, FlippedInput])
def test_gradcheck_returns_false_without_raising(rng, cls):
    assert gradcheck(cls(3, 3, rng=0), rng.standard_normal((4, 3)), raise_exception=False) is False


def test_gradcheck_tolerances_decide(rng):
    x = rng.standard_normal((4, 3))
    assert not gradcheck(ScaledWeightGrad(3, 3, rng=0), x, raise_exception=False)
    assert gradcheck(ScaledWeightGrad(3, 3, rng=0), x, rtol=0.02)


def test_gradcheck_argument_errors(rng):
    x = rng.standard_normal((2, 3))
    with pytest.raises(ConfigError, match="expected a Module"):
        gradcheck(lambda v: v, x)
    with pytest.raises(ConfigError, match="eps"):
        gradcheck(Linear(3, 2), x, eps=0.0)
    with pytest.raises(ConfigError, match="atol"):
        gradcheck(Linear(3, 2), x, atol=-1.0)
    with pytest.raises(DTypeError, match="float or integer"):
        gradcheck(Linear(3, 2), np.full((2, 3), "a"))
    with pytest.raises(ShapeError, match=r"grad_out of the output's shape \(2, 2\)"):
        gradcheck(Linear(3, 2), x, grad_out=np.ones((2, 3)))
