"""GroupNorm and its functional pair: arguments, statistics, gradients, PyTorch oracle."""

import warnings

import numpy as np
import pytest
from torch_oracle import assert_pairs_close, run_against_torch

from minnet.core import Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.functional.groupnorm import groupnorm_backward, groupnorm_forward
from minnet.gradcheck import gradcheck, numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.activations import SiLU
from minnet.layers.conv import Conv2d
from minnet.layers.groupnorm import GroupNorm


def test_repr_state_dict_and_init():
    layer = GroupNorm(2, 6)
    assert repr(layer) == "GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)"
    assert [(k, v.shape) for k, v in layer.state_dict().items()] == [("weight", (6,)),
                                                                    ("bias", (6,))]
    np.testing.assert_array_equal(layer.weight.data, 1.0)
    np.testing.assert_array_equal(layer.bias.data, 0.0)
    assert list(GroupNorm(2, 6, bias=False).state_dict()) == ["weight"]
    assert not GroupNorm(3, 6, affine=False).state_dict()
    assert repr(GroupNorm(3, 6, affine=False)) == (
        "GroupNorm(3, 6, eps=1e-05, affine=False, bias=False)")


@pytest.mark.parametrize("groups, shape", [(1, (3, 4)), (2, (3, 4, 5)), (4, (2, 4, 3, 2)),
                                           (2, (2, 4, 1, 2, 3))])
def test_each_sample_and_group_is_normalized(groups, shape, rng):
    x = rng.standard_normal(shape) * 3 + 2
    out = GroupNorm(groups, shape[1], eps=1e-12)(x)
    per_group = out.reshape(shape[0], groups, -1)
    np.testing.assert_allclose(per_group.mean(axis=2), 0.0, atol=1e-12)
    if per_group.shape[2] > 1:
        np.testing.assert_allclose(per_group.var(axis=2), 1.0, rtol=1e-9)


def test_a_batch_of_one_and_an_empty_batch_are_fine(rng):
    layer = GroupNorm(2, 4)
    assert layer(rng.standard_normal((1, 4, 3))).shape == (1, 4, 3)
    layer.backward(rng.standard_normal((1, 4, 3)))
    grads = [param.grad.copy() for param in layer.parameters()]
    assert layer(np.zeros((0, 4, 3))).shape == (0, 4, 3)  # PyTorch's empty result
    assert layer.backward(np.zeros((0, 4, 3))).shape == (0, 4, 3)
    for param, before in zip(layer.parameters(), grads):
        np.testing.assert_array_equal(param.grad, before)  # an empty batch adds nothing


@pytest.mark.parametrize("build, message", [
    (lambda: GroupNorm(4, 6), r"GroupNorm: num_channels \(6\) must be divisible by num_groups "
                              r"\(4\)"),
    (lambda: GroupNorm(0, 6), r"'num_groups' parameter must be an int >= 1, got 0"),
    (lambda: GroupNorm(2, 6.0), r"'num_channels' parameter must be an int"),
    (lambda: GroupNorm(2, 6, eps=0), r"'eps' parameter must be a float in the range \(0.0"),
    (lambda: GroupNorm(2, 6, affine="yes"), r"'affine' parameter must be a bool"),
    (lambda: GroupNorm(2, 6, bias=1), r"'bias' parameter must be a bool"),
])
def test_bad_arguments_are_config_errors(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_unknown_and_positional_bias_arguments_name_groupnorm():
    with pytest.raises(TypeError, match=r"^GroupNorm: unknown argument 'momentum'"):
        GroupNorm(2, 4, momentum=0.1)
    with pytest.raises(TypeError, match=r"^GroupNorm: too many positional arguments"):
        GroupNorm(2, 4, 1e-5, True, False)  # bias is keyword-only, as in PyTorch


@pytest.mark.parametrize("shape, message", [
    ((4,), r"expected input of shape \(N, 4, \*\), got \(4,\)"),
    ((3, 5), r"expected input of shape \(N, 4, \*\), got \(3, 5\)"),
    ((3, 4, 0), r"expected every group to hold at least one value, got input of shape "
                r"\(3, 4, 0\)"),
])
def test_bad_input_shapes_name_the_layer(shape, message):
    with pytest.raises(ShapeError, match=r"^GroupNorm\(2, 4, .*\): " + message):
        GroupNorm(2, 4)(np.zeros(shape))


def test_bad_dtype_and_backward_misuse():
    layer = GroupNorm(2, 4)
    with pytest.raises(DTypeError, match=r"GroupNorm\(2, 4.*expected a float input"):
        layer(np.full((2, 4), "a"))
    with pytest.raises(MinnetError, match="backward\\(\\) called before forward"):
        layer.backward(np.ones((2, 4)))


def test_float32_layer_computes_in_float32(rng):
    layer = GroupNorm(2, 4).to(np.float32)
    out = layer(rng.standard_normal((3, 4, 2)))
    assert out.dtype == np.float32
    assert layer.backward(np.ones((3, 4, 2), np.float32)).dtype == np.float32
    assert layer.weight.grad.dtype == np.float32


# --- the functional pair --------------------------------------------------------------------


@pytest.mark.parametrize("groups, shape, affine", [(2, (3, 4, 5), (True, True)),
                                                   (3, (2, 6), (True, False)),
                                                   (1, (2, 3, 2, 2), (False, False)),
                                                   (4, (2, 4, 3), (False, True))])
def test_pair_matches_numerical_gradients(groups, shape, affine, rng):
    x = rng.standard_normal(shape)
    gamma = rng.standard_normal(shape[1]) if affine[0] else None
    beta = rng.standard_normal(shape[1]) if affine[1] else None
    grad_out = rng.standard_normal(shape)
    _, cache = groupnorm_forward(x, groups, gamma, beta, eps=1e-3)
    dx, dgamma, dbeta = groupnorm_backward(grad_out, cache)
    numeric = numerical_gradient(lambda v: groupnorm_forward(v, groups, gamma, beta, 1e-3)[0],
                                 x.copy(), grad_out)
    assert rel_error(dx, numeric) < 1e-6
    if gamma is None:
        assert dgamma is None
    else:
        numeric = numerical_gradient(lambda g: groupnorm_forward(x, groups, g, beta, 1e-3)[0],
                                     gamma.copy(), grad_out)
        assert rel_error(dgamma, numeric) < 1e-6
    if beta is None:
        assert dbeta is None
    else:
        np.testing.assert_allclose(dbeta, grad_out.sum(axis=tuple(i for i in range(len(shape))
                                                                  if i != 1)))


def test_pair_leaves_its_inputs_untouched(rng):
    x, grad_out = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    before = x.copy(), grad_out.copy()
    _, cache = groupnorm_forward(x, 2)
    groupnorm_backward(grad_out, cache)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(grad_out, before[1])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, message", [
    (lambda: groupnorm_forward(np.zeros((2, 6)), 4), ShapeError,
     r"groupnorm_forward: expected a channel count divisible by num_groups=4"),
    (lambda: groupnorm_forward(np.zeros(6), 2), ShapeError, r"expected input of shape \(N, C"),
    (lambda: groupnorm_forward(np.zeros((2, 6)), 2, np.ones(3)), ShapeError,
     r"expected gamma of shape \(6,\) .* got \(3,\)"),
    (lambda: groupnorm_forward(np.zeros((2, 6)), 2, None, np.ones((6, 1))), ShapeError,
     r"expected beta of shape \(6,\)"),
    (lambda: groupnorm_forward(np.zeros((2, 6)), 0), ConfigError, r"'num_groups'"),
    (lambda: groupnorm_forward(np.zeros((2, 6)), 2, eps=-1.0), ConfigError, r"'eps'"),
    (lambda: groupnorm_forward(np.zeros((2, 6), complex), 2), DTypeError, r"complex"),
    (lambda: groupnorm_backward(np.zeros((2, 3)), groupnorm_forward(np.ones((2, 6)), 2)[1]),
     ShapeError, r"groupnorm_backward: expected grad_out of shape \(2, 6\)"),
])
def test_functional_entry_points_refuse_bad_arguments(backend, call, error, message):
    with use_backend(backend), pytest.raises(error, match=message):
        call()


# --- PyTorch oracle ---------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("groups, channels, shape", [
    (1, 4, (3, 4)), (2, 4, (3, 4)), (4, 4, (2, 4, 5)), (2, 6, (2, 6, 5)), (3, 6, (2, 6, 3, 4)),
    (6, 6, (1, 6, 2, 3)), (2, 4, (2, 4, 2, 2, 3)),
])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False}, {"eps": 0.1}])
def test_matches_pytorch(groups, channels, shape, options, rng):
    torch = pytest.importorskip("torch")
    ours = GroupNorm(groups, channels, **options)
    theirs = torch.nn.GroupNorm(groups, channels, **options).double()
    state = {key: rng.standard_normal(value.shape) for key, value in ours.state_dict().items()}
    ours.load_state_dict(state)
    theirs.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    assert list(theirs.state_dict()) == list(state) and repr(ours) == repr(theirs)
    x = rng.standard_normal(shape) * 2 + 1
    pairs = run_against_torch(torch, ours, theirs, x, rng.standard_normal(shape))
    assert len(pairs) == 2 + len(state)
    assert_pairs_close(pairs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradcheck_inside_a_model(backend, rng):
    model = Sequential(Conv2d(2, 4, 3, padding=1, rng=0), GroupNorm(2, 4), SiLU())
    with use_backend(backend):
        assert gradcheck(model, rng.standard_normal((2, 2, 4, 4)))


@pytest.mark.torch
def test_non_finite_values_give_pytorchs_nan_without_warnings():
    """An inf in a group makes its mean, variance and every output of the group NaN, as in
    PyTorch; infinite gradients too (before: 'invalid value encountered in subtract')."""
    torch = pytest.importorskip("torch")
    ours = GroupNorm(2, 4)
    theirs = torch.nn.GroupNorm(2, 4).double()
    x = np.array([[[np.inf, 1.0], [2.0, 3.0], [1.0, 2.0], [3.0, 5.0]],
                  [[1.0, 2.0], [3.0, 4.0], [np.nan, 1.0], [2.0, 3.0]]])
    grad_out = np.ones(x.shape)
    grad_out[1, :2, 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = run_against_torch(torch, ours, theirs, x, grad_out)
    assert np.isnan(pairs[0][1][0, :2]).all() and np.isfinite(pairs[0][1][0, 2:]).all()
    assert_pairs_close(pairs)
