"""Linear on (N, *, in_features), as PyTorch applies it, and the checks of the functional pair."""

import warnings

import numpy as np
import pytest
from torch_oracle import assert_pairs_close, run_against_torch

from minnet.core import Sequential
from minnet.errors import DTypeError, MinnetError, ShapeError
from minnet.functional.linear import linear_backward, linear_forward
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.activations import GELU
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 3, 4, 3), (1, 1, 1, 1, 3)])
def test_every_leading_position_gets_the_same_map(shape, rng):
    layer = Linear(3, 4, rng=0)
    layer.bias.data[...] = rng.standard_normal(4)
    x = rng.standard_normal(shape)
    out = layer(x)
    assert out.shape == shape[:-1] + (4,)
    rows = layer(x.reshape(-1, 3))
    np.testing.assert_allclose(out.reshape(-1, 4), rows, rtol=1e-14)
    layer.backward(np.ones(rows.shape))
    grad_x = layer.backward(np.ones(out.shape))
    assert grad_x.shape == shape


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_on_higher_rank_inputs(backend, bias, rng):
    with use_backend(backend):
        assert gradcheck(Linear(3, 2, bias=bias, rng=0), rng.standard_normal((2, 4, 3)))
        model = Sequential(Embedding(7, 3, rng=0), Linear(3, 5, rng=1), GELU(), Linear(5, 2))
        assert gradcheck(model, rng.integers(0, 7, size=(2, 4)))  # (N, T, D) through Linear


def test_input_grad_false_still_skips_the_input_gradient_on_higher_rank(rng):
    layer = Linear(3, 2, rng=0, input_grad=False)
    twin = Linear(3, 2, rng=0)
    x, grad_out = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 2))
    layer(x)
    assert layer.backward(grad_out) is None
    twin(x)
    twin.backward(grad_out)
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad, rtol=1e-14)
    np.testing.assert_allclose(layer.bias.grad, twin.bias.grad, rtol=1e-14)


@pytest.mark.parametrize("shape, ending", [
    ((32, 28, 28), r"got \(32, 28, 28\); did you forget Flatten\(\)\?$"),
    ((2, 2, 392), r"got \(2, 2, 392\); did you forget Flatten\(\)\?$"),
    ((32, 28, 27), r"got \(32, 28, 27\)$"),  # the trailing axes do not make 784: no hint
    ((32, 100), r"got \(32, 100\)$"),
    ((784,), r"got \(784,\); add the batch axis: x.reshape\(1, -1\) is one sample$"),
    ((), r"got \(\); add the batch axis"),
])
def test_wrong_shapes_name_the_layer_and_hint_the_fix(shape, ending):
    with pytest.raises(ShapeError, match=r"^Linear\(in_features=784, out_features=10, bias=True\): "
                                         r"expected input of shape \(N, \*, 784\), " + ending):
        Linear(784, 10)(np.zeros(shape))


def test_backward_checks_the_higher_rank_gradient_shape():
    layer = Linear(3, 2)
    layer(np.ones((4, 5, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(4, 5, 2\)"):
        layer.backward(np.ones((20, 2)))
    layer.backward(np.ones((4, 5, 2)))
    with pytest.raises(MinnetError, match="called before forward"):
        layer.backward(np.ones((4, 5, 2)))


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (2, 3, 4, 3), (0, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_matches_pytorch_on_higher_rank_inputs(shape, bias, rng):
    torch = pytest.importorskip("torch")
    ours = Linear(3, 4, bias=bias, rng=0)
    theirs = torch.nn.Linear(3, 4, bias=bias).double()
    ours.load_state_dict({k: rng.standard_normal(v.shape) for k, v in ours.state_dict().items()})
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = rng.standard_normal(shape)
    pairs = run_against_torch(torch, ours, theirs, x, rng.standard_normal(shape[:-1] + (4,)))
    assert len(pairs) == (4 if bias else 3)
    assert_pairs_close(pairs, rtol=1e-12, atol=1e-14)


# --- the functional pair ---------------------------------------------------------------------


X, W, B = np.ones((2, 3)), np.ones((4, 3)), np.ones(4)
CACHE = linear_forward(np.ones((2, 5, 3)), W, B)[1]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, message", [
    (lambda: linear_forward(np.ones((2, 4)), W, B), ShapeError,
     r"^linear_forward: expected x of shape \(N, \*, 3\) \(its last axis w's D_in; w is "
     r"\(4, 3\)\), got \(2, 4\)"),
    (lambda: linear_forward(np.ones(3), W, B), ShapeError, r"got \(3,\)"),
    (lambda: linear_forward(X, np.ones(3), B), ShapeError,
     r"^linear_forward: expected w of shape \(D_out, D_in\), got \(3,\)"),
    (lambda: linear_forward(X, W, np.ones(3)), ShapeError,
     r"^linear_forward: expected b of shape \(4,\) \(w is \(4, 3\)\), got \(3,\)"),
    (lambda: linear_forward(X, W, np.ones((1, 4))), ShapeError, r"got \(1, 4\)"),
    (lambda: linear_forward(np.full((2, 3), "a"), W), DTypeError,
     r"^linear_forward: expected a float input"),
    (lambda: linear_forward(X, W.astype(complex)), DTypeError, r"expected a float weight w"),
    (lambda: linear_forward(X, W, np.array([None] * 4)), DTypeError, r"expected a float bias"),
    (lambda: linear_backward(np.ones((10, 4)), CACHE), ShapeError,
     r"^linear_backward: expected grad_out of shape \(2, 5, 4\) \(the forward output's\), "
     r"got \(10, 4\)"),
    (lambda: linear_backward(np.full((2, 5, 4), "g"), CACHE), DTypeError,
     r"^linear_backward: expected a float grad_out"),
])
def test_entry_points_refuse_bad_arguments_on_both_backends(backend, call, error, message):
    with use_backend(backend), pytest.raises(error, match=message):
        call()


def test_functional_pair_on_higher_rank_without_bias(rng):
    x, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4))
    out, cache = linear_forward(x, w)
    np.testing.assert_allclose(out, np.einsum("abi,ji->abj", x, w), rtol=1e-13)
    grad_out = rng.standard_normal(out.shape)
    dx, dw, db = linear_backward(grad_out, cache)
    assert db is None
    np.testing.assert_allclose(dx, np.einsum("abj,ji->abi", grad_out, w), rtol=1e-13)
    np.testing.assert_allclose(dw, np.einsum("abj,abi->ji", grad_out, x), rtol=1e-13)
    assert linear_backward(grad_out, cache, input_grad=False)[0] is None


@pytest.mark.torch
def test_infinite_values_give_pytorchs_nan_without_warnings():
    """inf * 0 and inf - inf in the three matrix products are NaN, as in PyTorch (before:
    NumPy's 'invalid value encountered in matmul' RuntimeWarning)."""
    torch = pytest.importorskip("torch")
    ours = Linear(3, 2, rng=0)
    ours.weight.data[0, 0] = 0.0  # inf * 0 in the forward
    theirs = torch.nn.Linear(3, 2).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.array([[np.inf, 1.0, 2.0], [-np.inf, np.inf, 0.0], [1.0, 2.0, 3.0]])
    grad_out = np.array([[1.0, 0.0], [np.inf, -np.inf], [np.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = run_against_torch(torch, ours, theirs, x, grad_out)
    assert np.isnan(pairs[0][1]).any() and np.isnan(pairs[1][1]).any()
    assert_pairs_close(pairs)


def test_weight_gradient_lands_in_grad_and_accumulates_after():
    """The first backward after zero_grad writes dW into .grad itself; later ones add."""
    import minnet as mn
    from minnet.functional.linear import linear_backward, linear_forward

    rng = np.random.default_rng(0)
    layer = mn.Linear(3, 2, rng=0)
    buffer = layer.weight.grad
    x, grad = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    _, cache = linear_forward(x, layer.weight.data, layer.bias.data)
    _, expected, _ = linear_backward(grad, cache)
    layer(x)
    layer.backward(grad)
    assert layer.weight.grad is buffer and layer.weight.has_grad
    np.testing.assert_allclose(layer.weight.grad, expected, rtol=1e-12)
    layer(x)
    layer.backward(grad)  # accumulates, as PyTorch's .grad does
    np.testing.assert_allclose(layer.weight.grad, 2 * expected, rtol=1e-12)
    layer.zero_grad()
    layer.weight.requires_grad = False  # frozen: nothing written, nothing added
    layer(x)
    layer.backward(grad)
    np.testing.assert_array_equal(layer.weight.grad, 0)


def test_fresh_grad_is_given_once_per_zero_grad():
    from minnet.parameter import Parameter

    param = Parameter(np.ones(3))
    assert param.fresh_grad() is param.grad and param.has_grad
    assert param.fresh_grad() is None  # written: the next gradient must be added
    param.zero_grad()
    assert param.fresh_grad() is param.grad
