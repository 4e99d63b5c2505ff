"""BatchNorm1d/2d, LayerNorm and weight_norm layers: arguments, modes, state, gradients, torch."""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, MinnetError, ShapeError
from minnet.functional.batchnorm import batchnorm_backward, batchnorm_forward
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.conv import Conv1d, Conv2d
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.weight_norm import remove_weight_norm, weight_norm
from minnet.optim import SGD

BN1D = "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"


def batch(shape, seed=0):
    rng = np.random.default_rng(seed)
    offset = rng.uniform(-2, 2, (1, shape[1]) + (1,) * (len(shape) - 2))
    return rng.standard_normal(shape) * 1.5 + offset


# --- batch norm: construction and input checks --------------------------------


def test_reprs_parameters_and_buffers():
    layer = BatchNorm1d(3)
    assert repr(layer) == BN1D
    assert repr(BatchNorm2d(4, eps=1e-3, momentum=None, affine=False)) == (
        "BatchNorm2d(4, eps=0.001, momentum=None, affine=False, track_running_stats=True)")
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    state = layer.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var",
                           "num_batches_tracked"]
    counter = state["num_batches_tracked"]
    assert counter.dtype == np.int64 and counter.shape == ()
    np.testing.assert_array_equal(state["weight"], 1.0)
    np.testing.assert_array_equal(state["running_var"], 1.0)
    assert list(BatchNorm1d(3, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]
    assert list(BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]


@pytest.mark.parametrize("kwargs, message", [
    ({"num_features": 0}, "'num_features' parameter must be an int >= 1, got 0"),
    ({"num_features": 3, "eps": 0.0}, "'eps' parameter must be a float in the range (0.0, inf]"),
    ({"num_features": 3, "eps": -1e-5}, "'eps' parameter must be a float in the range"),
    ({"num_features": 3, "momentum": 1.5}, "'momentum' parameter must be a float in the range "
                                           "[0.0, 1.0], got 1.5 instead"),
    ({"num_features": 3, "momentum": -0.1}, "'momentum' parameter must be a float in the range"),
    ({"num_features": 3, "affine": "yes"}, "'affine' parameter must be a bool"),
    ({"num_features": 3, "track_running_stats": 1}, "'track_running_stats' parameter must be"),
])
@pytest.mark.parametrize("cls", [BatchNorm1d, BatchNorm2d])
def test_bad_arguments_are_refused_at_construction(cls, kwargs, message):
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: .*" + _escape(message)):
        cls(**kwargs)


def _escape(text):
    return "".join("\\" + c if c in "()[].*+?" else c for c in text)


@pytest.mark.parametrize("layer, shape, expected", [
    (BatchNorm1d(3), (4, 5), r"expected input of shape \(N, 3\) or \(N, 3, L\), got \(4, 5\)"),
    (BatchNorm1d(3), (4, 5, 2), r"expected input of shape .* got \(4, 5, 2\)"),
    (BatchNorm1d(3), (4,), r"expected input of shape \(N, 3\) or \(N, 3, L\), got \(4,\)"),
    (BatchNorm1d(3), (2, 3, 4, 4), r"expected .* got \(2, 3, 4, 4\); use BatchNorm2d for"),
    (BatchNorm2d(3), (4, 3), r"expected input of shape \(N, 3, H, W\), got \(4, 3\); use "
                             r"BatchNorm1d for \(N, C\) features"),
    (BatchNorm2d(3), (4, 2, 5, 5), r"expected input of shape \(N, 3, H, W\), got \(4, 2, 5, 5\)"),
])
def test_wrong_channel_count_or_rank_is_a_shape_error_naming_the_layer(layer, shape, expected):
    with pytest.raises(ShapeError, match=rf"^{type(layer).__name__}\(3, eps=.*\): {expected}"):
        layer(np.ones(shape))


@pytest.mark.parametrize("layer, shape", [
    (BatchNorm1d(3), (1, 3)), (BatchNorm1d(3), (1, 3, 1)), (BatchNorm2d(3), (1, 3, 1, 1)),
    (BatchNorm1d(3, track_running_stats=False).eval(), (1, 3)),
])
def test_one_value_per_channel_in_training_is_a_clear_error(layer, shape):
    with pytest.raises(ShapeError) as info:
        layer(np.ones(shape))
    assert str(info.value).startswith(
        f"{layer!r}: expected more than 1 value per channel when training, got input of "
        f"shape {shape}; use a batch of at least 2 samples, or ")
    assert ("call eval()" in str(info.value)) == layer.training


def test_batch_of_one_is_fine_in_eval_and_with_positions():
    x = batch((1, 3))
    out = BatchNorm1d(3).eval()(x)
    np.testing.assert_allclose(out, x / np.sqrt(1 + 1e-5))
    assert BatchNorm2d(3)(batch((1, 3, 2, 2))).shape == (1, 3, 2, 2)  # N*H*W = 4 values


def test_backward_errors():
    with pytest.raises(MinnetError, match=r"backward\(\) called before forward"):
        BatchNorm1d(3).backward(np.ones((2, 3)))
    layer = BatchNorm1d(3)
    layer(batch((4, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(4, 3\)"):
        layer.backward(np.ones((3, 4)))


# --- batch norm: behaviour ---------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls, shape", [(BatchNorm1d, (8, 3)), (BatchNorm1d, (4, 3, 5)),
                                        (BatchNorm2d, (3, 3, 4, 2))])
def test_training_normalizes_each_channel_and_updates_running_stats(backend, cls, shape):
    layer = cls(3, momentum=0.2)
    axes = (0,) + tuple(range(2, len(shape)))
    mean, var = np.zeros(3), np.ones(3)
    with use_backend(backend):
        for step in range(3):
            x = batch(shape, step)
            out = layer(x)
            np.testing.assert_allclose(out.mean(axis=axes), 0.0, atol=1e-12)
            np.testing.assert_allclose(out.var(axis=axes), x.var(axis=axes)
                                       / (x.var(axis=axes) + 1e-5), rtol=1e-10)
            mean = 0.8 * mean + 0.2 * x.mean(axis=axes)
            var = 0.8 * var + 0.2 * x.var(axis=axes, ddof=1)  # unbiased, as in PyTorch
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
        assert layer.num_batches_tracked == 3
        layer.eval()
        x = batch(shape, 9)
        expected = (x - mean.reshape((1, 3) + (1,) * (len(shape) - 2))) / np.sqrt(
            var.reshape((1, 3) + (1,) * (len(shape) - 2)) + 1e-5)
        np.testing.assert_allclose(layer(x), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer(x[:1]), expected[:1], rtol=1e-12, atol=1e-12)
        assert layer.num_batches_tracked == 3  # evaluation leaves the state alone


def test_momentum_none_is_a_cumulative_average_and_zero_freezes():
    layer = BatchNorm1d(2, momentum=None)
    batches = [batch((5, 2), seed) for seed in range(4)]
    for x in batches:
        layer(x)
    np.testing.assert_allclose(layer.running_mean, np.mean([x.mean(axis=0) for x in batches],
                                                           axis=0), rtol=1e-12)
    frozen = BatchNorm1d(2, momentum=0.0)
    frozen(batches[0])
    np.testing.assert_array_equal(frozen.running_mean, 0.0)
    assert frozen.num_batches_tracked == 1


def test_without_running_stats_evaluation_uses_the_batch():
    layer = BatchNorm1d(3, track_running_stats=False)
    x = batch((6, 3))
    np.testing.assert_array_equal(layer.eval()(x), layer.train()(x))
    assert layer.running_mean is None


def test_affine_parameters_and_float32():
    layer = BatchNorm1d(3).to(np.float32)
    layer.weight.data[:] = [1.0, 2.0, 3.0]
    layer.bias.data[:] = [0.0, -1.0, 1.0]
    out = layer(batch((6, 3)))
    assert out.dtype == np.float32 and layer.running_mean.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=0), [0.0, -1.0, 1.0], atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), [1.0, 2.0, 3.0], rtol=1e-3)
    assert layer.backward(np.ones((6, 3), np.float32)).dtype == np.float32
    plain = BatchNorm1d(3, affine=False)
    assert plain(batch((4, 3)).astype(np.float32)).dtype == np.float32


def test_layer_backward_agrees_with_the_graph_derivation():
    layer = BatchNorm2d(2)
    layer.weight.data[:] = [0.5, 2.0]
    x, grad_out = batch((3, 2, 2, 3)), np.random.default_rng(4).standard_normal((3, 2, 2, 3))
    layer(x)
    grad_x = layer.backward(grad_out)
    _, cache = batchnorm_forward(x, layer.weight.data, layer.bias.data)
    expected = batchnorm_backward(grad_out, cache)
    np.testing.assert_allclose(grad_x, expected[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, expected[1], rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, expected[2], rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@given(shape=st.sampled_from([(1, 3), (2, 3), (5, 3), (1, 3, 1), (1, 3, 4), (3, 3, 2),
                              (1, 3, 1, 1), (2, 3, 2, 1), (1, 3, 2, 3)]),
       training=st.booleans(), momentum=st.sampled_from([0.1, 1.0, None]),
       seed=st.integers(0, 2**16))
def test_batchnorm_gradcheck(backend, shape, training, momentum, seed):
    count = shape[0] * int(np.prod(shape[2:]))
    if training and count < 2:
        training = False  # training needs 2 values per channel; evaluation takes a batch of 1
    cls = BatchNorm2d if len(shape) == 4 else BatchNorm1d
    layer = cls(3, momentum=momentum).train(training)
    rng = np.random.default_rng(seed)
    layer.weight.data[:] = rng.uniform(0.5, 1.5, 3)
    layer.running_mean = rng.standard_normal(3)
    with use_backend(backend):
        assert gradcheck(layer, batch(shape, seed))


# --- layer norm --------------------------------------------------------------


def test_layernorm_repr_state_and_arguments():
    layer = LayerNorm(4)
    assert repr(layer) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    assert repr(LayerNorm([2, 3], eps=1e-3)) == (
        "LayerNorm((2, 3), eps=0.001, elementwise_affine=True)")
    assert {k: v.shape for k, v in LayerNorm((2, 3)).state_dict().items()} == {
        "weight": (2, 3), "bias": (2, 3)}
    assert LayerNorm(4, elementwise_affine=False).parameters() == []
    for bad in (0, (), (2, 0), "4", 2.5, True):
        with pytest.raises(ConfigError, match="LayerNorm: the 'normalized_shape' parameter"):
            LayerNorm(bad)
    with pytest.raises(ConfigError, match="LayerNorm: the 'eps' parameter"):
        LayerNorm(4, eps=0)


@pytest.mark.parametrize("shape", [(3, 5), (5,), (2, 4, 3)])
def test_layernorm_wrong_trailing_shape(shape):
    with pytest.raises(ShapeError, match=r"^LayerNorm\(\(4,\).*\): expected input of shape "
                                         r"\(\*, 4\) \(normalized over the last axis\), got "):
        LayerNorm(4)(np.ones(shape))


@pytest.mark.parametrize("backend", BACKENDS)
@given(shape=st.sampled_from([(1, 4), (3, 4), (2, 5, 4), (4,)]), seed=st.integers(0, 2**16),
       affine=st.booleans())
def test_layernorm_gradcheck_including_batch_of_one(backend, shape, seed, affine):
    layer = LayerNorm(4, elementwise_affine=affine)
    if affine:
        layer.weight.data[:] = np.random.default_rng(seed).uniform(0.5, 1.5, 4)
    with use_backend(backend):
        assert gradcheck(layer, batch((1,) + shape, seed)[0])


def test_layernorm_normalizes_each_sample_the_same_in_both_modes():
    x = batch((3, 2, 5))
    layer = LayerNorm((2, 5))
    out = layer(x)
    np.testing.assert_allclose(out.reshape(3, -1).mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_array_equal(layer.eval()(x), out)
    np.testing.assert_allclose(layer(x[1:2]), out[1:2], rtol=1e-14)


# --- weight normalization -------------------------------------------------------


def test_weight_norm_reparametrizes_in_place_with_pytorchs_names():
    layer = Linear(3, 4, rng=0)
    x = batch((5, 3))
    before = layer(x)
    assert weight_norm(layer) is layer
    assert [name for name, _ in layer.named_parameters()] == ["bias", "weight_g", "weight_v"]
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        "bias": (4,), "weight_g": (4, 1), "weight_v": (4, 3)}
    assert all(p is not layer.weight for p in layer.parameters())  # not trainable twice
    np.testing.assert_allclose(layer(x), before, rtol=1e-13)
    np.testing.assert_allclose(layer.weight_g.data[:, 0], np.linalg.norm(layer.weight_v.data,
                                                                         axis=1))
    assert weight_norm(Linear(3, 4), dim=None).weight_g.shape == ()
    assert weight_norm(Linear(3, 4), dim=-1).weight_g.shape == ()  # PyTorch's meaning of -1
    assert weight_norm(Linear(3, 4), dim=1).weight_g.shape == (1, 3)


def test_training_moves_g_and_v_and_the_weight_follows():
    layer = weight_norm(Linear(3, 2, rng=1))
    x, grad_out = batch((4, 3)), np.random.default_rng(2).standard_normal((4, 2))
    optimizer = SGD(layer.parameters(), lr=0.1)
    layer(x)
    layer.backward(grad_out)
    assert np.any(layer.weight_g.grad) and np.any(layer.weight_v.grad)
    optimizer.step()
    layer(x)
    expected = layer.weight_g.data * layer.weight_v.data / np.linalg.norm(
        layer.weight_v.data, axis=1, keepdims=True)
    np.testing.assert_allclose(layer.weight.data, expected, rtol=1e-14)


class Mixer(Module):
    """A conv-like toy with a 3-D weight (out, in, k): weight_norm must not care what it wraps."""

    def __init__(self, rng):
        super().__init__()
        self.weight = Parameter(np.random.default_rng(rng).standard_normal((2, 3, 2)))
        self._x = None

    def forward(self, x):
        self._x = x
        return x @ self.weight.data.reshape(2, -1).T

    def backward(self, grad_out):
        if self._x is None:
            raise MinnetError("Mixer: backward() called before forward(); expected a forward")
        self.weight.grad += (grad_out.T @ self._x).reshape(self.weight.shape)
        return grad_out @ self.weight.data.reshape(2, -1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("make, dim, shape", [
    (lambda: Linear(3, 4, rng=0), 0, (5, 3)), (lambda: Linear(3, 4, rng=0), None, (1, 3)),
    (lambda: Linear(3, 4, bias=False, rng=0), 1, (2, 3)), (lambda: Mixer(0), 0, (4, 6)),
    (lambda: Mixer(1), 2, (4, 6)),
    (lambda: Sequential(Linear(3, 4, rng=0), Linear(4, 2, rng=1)), None, (3, 3)),
])
def test_weight_norm_gradcheck_on_any_wrapped_layer(backend, make, dim, shape):
    module = make()
    targets = [module[0], module[1]] if isinstance(module, Sequential) else [module]
    for target in targets:
        weight_norm(target, dim=dim)
    with use_backend(backend):
        assert gradcheck(module, batch(shape))
        copied = copy.deepcopy(module)  # the hooks travel with a deep copy
        x = batch(shape, 1)
        np.testing.assert_array_equal(copied(x), module(x))


@pytest.mark.parametrize("backend", BACKENDS)
def test_weight_norm_on_convolutions(backend):
    layer = weight_norm(Conv2d(2, 3, 3, padding=1, rng=0))
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        "bias": (3,), "weight_g": (3, 1, 1, 1), "weight_v": (3, 2, 3, 3)}
    with use_backend(backend):
        assert gradcheck(layer, batch((2, 2, 4, 4)))
        assert gradcheck(weight_norm(Conv1d(2, 3, 3, stride=2, rng=0), dim=None),
                         batch((2, 2, 7)))


def test_weight_norm_survives_to_float32_and_state_dict_round_trip():
    layer = weight_norm(Linear(3, 4, rng=0))
    other = weight_norm(Linear(3, 4, rng=5))
    other.load_state_dict(layer.state_dict())
    x = batch((2, 3))
    np.testing.assert_array_equal(other(x), layer(x))
    layer.to(np.float32)
    assert layer(x).dtype == np.float32 and layer.weight.dtype == np.float32


def test_weight_norm_errors_and_removal():
    with pytest.raises(ConfigError, match=r"weight_norm: expected a Module, got int"):
        weight_norm(3)
    with pytest.raises(ConfigError, match=r"expected the name of a parameter of Linear\(.*\), "
                                          r"one of \['weight', 'bias'\]; got 'weights'"):
        weight_norm(Linear(3, 4), name="weights")
    with pytest.raises(ConfigError, match=r"the 'dim' parameter must be None .* in \[0, 2\)"):
        weight_norm(Linear(3, 4), dim=2)
    layer = weight_norm(Linear(3, 4, rng=0))
    with pytest.raises(ConfigError, match="already has weight normalization on 'weight'"):
        weight_norm(layer)
    x = batch((2, 3))
    before = layer(x)
    assert remove_weight_norm(layer) is layer
    assert list(layer.state_dict()) == ["bias", "weight"] and not layer._forward_pre_hooks
    np.testing.assert_allclose(layer(x), before, rtol=1e-14)
    with pytest.raises(ConfigError, match="remove_weight_norm: expected a module with weight"):
        remove_weight_norm(layer)
