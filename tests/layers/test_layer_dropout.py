"""Dropout layer: arguments, modes, its own generator, gradients on both backends, torch oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.grad_mode import no_grad
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.dropout import Dropout, Dropout2d
from minnet.layers.linear import Linear
from minnet.random import seed as set_seed


def test_repr_and_no_state():
    layer = Dropout(0.25)
    assert repr(layer) == "Dropout(p=0.25)" and repr(Dropout()) == "Dropout(p=0.5)"
    assert layer.parameters() == [] and dict(layer.state_dict()) == {}


@pytest.mark.parametrize("p, given_text", [(1.5, "1.5"), (1.0, "1.0"), (-0.1, "-0.1")])
def test_p_outside_the_range_is_refused_at_construction(p, given_text):
    with pytest.raises(ConfigError) as info:
        Dropout(p)
    assert str(info.value) == (f"Dropout: the 'p' parameter must be a float in the range "
                               f"[0.0, 1.0), got {given_text} instead")


@pytest.mark.parametrize("p", ["0.5", None, float("nan"), True])
def test_p_of_the_wrong_type_is_refused(p):
    with pytest.raises(ConfigError, match="Dropout: the 'p' parameter must be a finite float"):
        Dropout(p)


def test_bad_rng_is_refused():
    with pytest.raises(ConfigError, match="rng"):
        Dropout(0.5, rng="seed")


def test_eval_is_the_identity_and_training_is_not():
    x = np.random.default_rng(0).standard_normal((6, 7))
    layer = Dropout(0.5, rng=0)
    out = layer(x)
    assert np.count_nonzero(out == 0) > 0 and set(np.unique(out[out != 0] / x[out != 0])) == {2.0}
    layer.eval()
    np.testing.assert_array_equal(layer(x), x)
    grad_out = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(grad_out), grad_out)


def test_backward_uses_the_mask_of_the_last_forward():
    x = np.ones((5, 8))
    layer = Dropout(0.5, rng=2)
    out = layer(x)
    grad = layer.backward(np.full(x.shape, 3.0))
    np.testing.assert_array_equal(grad, 3.0 * out)


def test_masks_come_from_the_layers_own_generator():
    x = np.ones((10, 10))
    first, second = Dropout(0.5, rng=7), Dropout(0.5, rng=7)
    np.testing.assert_array_equal(first(x), second(x))
    assert not np.array_equal(first(x), Dropout(0.5, rng=8)(x))
    assert not np.array_equal(first(x), first(x))  # a fresh mask on every forward
    generator = np.random.default_rng(5)
    assert Dropout(0.5, rng=generator).rng is generator
    set_seed(3)
    a = Dropout(0.5)(x)
    set_seed(3)
    np.testing.assert_array_equal(Dropout(0.5)(x), a)  # rng=None follows mn.seed


def test_dtypes_follow_the_input():
    layer = Dropout(0.3, rng=0)
    assert layer(np.ones((2, 3), np.float32)).dtype == np.float32
    assert layer.backward(np.ones((2, 3), np.float32)).dtype == np.float32
    assert layer(np.ones((2, 3), np.int64)).dtype == np.float64
    with pytest.raises(DTypeError, match=r"Dropout\(p=0.3\): expected a float input"):
        layer(np.array(["a"]))


def test_backward_errors_name_the_layer():
    with pytest.raises(MinnetError, match=r"Dropout\(p=0.5\): backward\(\) called before"):
        Dropout().backward(np.ones(3))
    layer = Dropout()
    layer(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 3\).*got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


@pytest.mark.parametrize("backend", BACKENDS)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple),
       p=st.floats(0.0, 0.9, allow_nan=False, allow_infinity=False, allow_subnormal=False),
       seed=st.integers(0, 2**16), training=st.booleans())
def test_gradcheck(backend, shape, p, seed, training):
    layer = Dropout(p, rng=seed).train(training)
    x = np.random.default_rng(seed).standard_normal(shape)
    with use_backend(backend):
        assert gradcheck(layer, x)


def test_gradcheck_catches_a_mask_that_differs_between_forward_and_backward():
    class Redraws(Dropout):
        def backward(self, grad_out):
            self.pop_cache(grad_out, np.shape(grad_out))
            self.forward(np.ones(np.shape(grad_out)))  # draws a new mask: a classic bug
            return super().backward(grad_out)

    x = np.random.default_rng(0).standard_normal((4, 6))
    assert not gradcheck(Redraws(0.5, rng=0), x, raise_exception=False)


def test_keeps_the_expectation_inside_a_model():
    """Averaged over many forwards, Linear -> Dropout gives Linear's output."""
    x = np.random.default_rng(0).standard_normal((4, 3))
    model = Sequential(Linear(3, 5, rng=0), Dropout(0.5, rng=1))
    with no_grad():
        mean = np.mean([model(x) for _ in range(4000)], axis=0)
    reference = model.eval()(x)
    assert np.max(np.abs(mean - reference)) < 5 * np.max(np.abs(reference)) / np.sqrt(4000)


def test_inf_entries_become_nan_where_dropped_without_warnings():
    """PyTorch multiplies by the mask: a dropped inf is inf * 0 = NaN (before: RuntimeWarning)."""
    x = np.full((4, 8), np.inf)
    layer = Dropout(0.5, rng=0)
    out = layer(x)
    dropped = np.isnan(out)
    assert dropped.any() and np.all(out[~dropped] == np.inf)
    np.testing.assert_array_equal(layer.backward(np.ones(x.shape))[dropped], 0.0)


def test_huge_entries_overflow_to_inf_without_warnings():
    """A kept float32 entry near its largest value, times 1 / (1 - p), is inf in the output
    and in the gradient, as in PyTorch (before: 'overflow encountered in multiply')."""
    x = np.full((4, 8), 3e38, dtype=np.float32)
    layer = Dropout(0.5, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(x)
        grad = layer.backward(x)
    kept = out != 0
    assert kept.any() and np.all(out[kept] == np.inf) and np.all(grad[kept] == np.inf)
    assert np.all(grad[~kept] == 0)


# --- Dropout2d -------------------------------------------------------------------------------


def test_dropout2d_repr_arguments_and_state():
    assert repr(Dropout2d()) == "Dropout2d(p=0.5)" and repr(Dropout2d(0.1)) == "Dropout2d(p=0.1)"
    assert Dropout2d().parameters() == [] and not Dropout2d().state_dict()
    with pytest.raises(ConfigError, match=r"^Dropout2d: the 'p' parameter must be a float in the "
                                          r"range \[0.0, 1.0\), got 1.0 instead"):
        Dropout2d(1.0)
    with pytest.raises(TypeError, match=r"^Dropout2d: unknown argument 'inplace'; accepted: "
                                        r"p, rng"):
        Dropout2d(0.5, inplace=True)


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    x = np.random.default_rng(0).standard_normal((8, 16, 3, 4))
    layer = Dropout2d(0.25, rng=0)
    out = layer(x)
    kept = (out != 0).reshape(8, 16, -1)
    # every feature map is entirely dropped or entirely kept, and kept ones are x / (1 - p)
    assert np.all(kept == kept[:, :, :1]) and 0 < kept.mean() < 1
    np.testing.assert_array_equal(out[out != 0], x[out != 0] * (1 / 0.75))
    grad_out = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(grad_out), grad_out * ((out != 0) * (1 / 0.75)))
    layer.eval()
    assert layer(x) is x  # the identity, as PyTorch's


def test_dropout2d_drops_a_fraction_p_of_the_channels():
    n, c, p = 400, 50, 0.3
    out = Dropout2d(p, rng=3)(np.ones((n, c, 2, 2)))
    dropped = np.count_nonzero(out[:, :, 0, 0] == 0)
    assert abs(dropped - n * c * p) < 5 * np.sqrt(n * c * p * (1 - p))


@pytest.mark.parametrize("shape, hint", [
    ((2, 3, 5), r"a 3-d input is ambiguous .* for \(N, C, L\) pass x\[..., None\], for one "
                r"image \(C, H, W\) pass x\[None\]"),
    ((2, 3), r"for \(N, features\) use Dropout"),
    ((2, 3, 4, 5, 6), r"got \(2, 3, 4, 5, 6\)$"),
])
def test_dropout2d_refuses_other_ranks_with_a_hint(shape, hint):
    with pytest.raises(ShapeError, match=r"^Dropout2d\(p=0.5\): expected input of shape "
                                         r"\(N, C, H, W\).*" + hint):
        Dropout2d()(np.zeros(shape))
    with pytest.raises(ShapeError):  # in evaluation too: the shape is wrong either way
        Dropout2d().eval()(np.zeros(shape))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("training", [True, False])
def test_dropout2d_gradcheck(backend, training):
    layer = Dropout2d(0.5, rng=4).train(training)
    with use_backend(backend):
        assert gradcheck(layer, np.random.default_rng(0).standard_normal((2, 3, 2, 2)))


@pytest.mark.torch
@pytest.mark.parametrize("layer_class, p, shape", [(Dropout, 0.3, (64, 32)),
                                                   (Dropout2d, 0.4, (16, 32, 3, 3))])
def test_matches_torch_in_eval_and_in_the_structure_of_training(layer_class, p, shape):
    """Eval: identical. Training: the same kept values x / (1 - p), a fraction p dropped, and
    (Dropout2d) whole channels at a time. The random draws themselves differ by design."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    ours, theirs = layer_class(p, rng=0), getattr(torch.nn, layer_class.__name__)(p)
    ours.eval()
    theirs.eval()
    np.testing.assert_array_equal(ours(x), theirs(torch.from_numpy(x)).numpy())
    ours.train()
    theirs.train()
    torch.manual_seed(0)
    for out in (theirs(torch.from_numpy(x)).numpy(), ours(x)):
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
        units = kept.reshape(*shape[:2], -1) if layer_class is Dropout2d else kept[..., None]
        assert np.all(units == units[..., :1])  # Dropout2d keeps or drops whole channels
        dropped = ~units[..., 0]
        assert abs(np.mean(dropped) - p) < 5 * np.sqrt(p * (1 - p) / dropped.size)
