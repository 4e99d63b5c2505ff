"""Flatten and Residual: shapes, gradients, state_dict keys and errors."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.grad_mode import no_grad
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.layers.activations import Tanh
from minnet.layers.linear import Linear
from minnet.layers.reshape import Flatten, Reshape
from minnet.layers.residual import Residual


def test_flatten_matches_row_major_reshape_and_back(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    layer = Flatten()
    out = layer(x)
    assert repr(layer) == "Flatten()"
    assert out.shape == (2, 60)
    np.testing.assert_array_equal(out[1], x[1].ravel())
    grad_out = rng.standard_normal((2, 60))
    grad_x = layer.backward(grad_out)
    np.testing.assert_array_equal(grad_x, grad_out.reshape(2, 3, 4, 5))
    with no_grad():
        numeric = numerical_gradient(lambda v: layer.forward(v), x.copy(), grad_out)
    assert rel_error(grad_x, numeric) < 1e-8


def test_flatten_edge_shapes_and_dtypes():
    assert Flatten()(np.zeros((0, 3, 2))).shape == (0, 6)
    assert Flatten()(np.zeros((5, 2), dtype=np.float32)).dtype == np.float32
    assert Flatten()(np.zeros((5, 2), dtype=np.int32)).dtype == np.float64


def test_flatten_errors():
    with pytest.raises(ShapeError, match=r"Flatten\(\): expected input of shape "
                                         r"\(N, d_1, ..., d_k\), got \(7,\).*reshape\(-1, 1\)"):
        Flatten()(np.zeros(7))
    with pytest.raises(DTypeError, match=r"Flatten\(\): expected a float input.*<U"):
        Flatten()(np.array([["a"]]))
    layer = Flatten()
    with pytest.raises(MinnetError, match=r"Flatten\(\): backward\(\) called before forward"):
        layer.backward(np.zeros((2, 6)))
    layer(np.zeros((2, 3, 2)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 6\).*got \(2, 3, 2\)"):
        layer.backward(np.zeros((2, 3, 2)))


def test_residual_adds_the_block_and_backpropagates_both_paths(rng):
    block = Sequential(Linear(4, 4, rng=0), Tanh())
    layer = Residual(block)
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(layer(x), x + block.forward(x))
    grad_out = rng.standard_normal((3, 4))
    layer(x)
    layer.zero_grad()
    grad_x = layer.backward(grad_out)
    numeric_x = numerical_gradient(lambda v: layer.forward(v), x.copy(), grad_out)
    assert rel_error(grad_x, numeric_x) < 1e-7
    weight = block[0].weight
    numeric_w = numerical_gradient(lambda w: layer.forward(x), weight.data, grad_out)
    assert rel_error(weight.grad, numeric_w) < 1e-7


def test_residual_registers_the_block_with_dotted_keys():
    assert list(Residual(Linear(3, 3, rng=0)).state_dict()) == ["block.weight", "block.bias"]
    nested = Residual(Sequential(Linear(3, 3, rng=0), Tanh(), Linear(3, 3, rng=1)))
    assert list(nested.state_dict()) == [
        "block.0.weight", "block.0.bias", "block.2.weight", "block.2.bias"]
    assert "(block): Linear(in_features=3, out_features=3, bias=True)" in repr(
        Residual(Linear(3, 3, rng=0)))


def test_residual_computes_in_the_blocks_dtype():
    layer = Residual(Linear(2, 2, rng=0).to(np.float32))
    assert layer(np.ones((1, 2))).dtype == np.float32
    assert Residual(Tanh())(np.ones((1, 2), dtype=np.float32)).dtype == np.float32


def test_residual_errors():
    with pytest.raises(ShapeError, match=r"Residual: expected the block's output to have the "
                                         r"input's shape \(2, 3\), got \(2, 5\) from Linear"):
        Residual(Linear(3, 5, rng=0))(np.zeros((2, 3)))
    with pytest.raises(ConfigError, match=r"Residual: the 'block' parameter must be a Module, "
                                          r"got type; did you pass a class"):
        Residual(Linear)
    layer = Residual(Tanh())
    with pytest.raises(MinnetError, match=r"Residual\(.*backward\(\) called before forward"):
        layer.backward(np.zeros((2, 3)))
    layer(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 3\)"):
        layer.backward(np.zeros((3, 2)))


def test_reshape_adds_a_channel_axis_and_back():
    layer = Reshape(1, 40)
    x = np.arange(80.0).reshape(2, 40)
    out = layer(x)
    assert out.shape == (2, 1, 40) and repr(layer) == "Reshape(1, 40)"
    assert layer.backward(np.ones((2, 1, 40))).shape == (2, 40)
    assert Reshape(-1, 2)(np.zeros((3, 4, 2))).shape == (3, 4, 2)


@pytest.mark.parametrize("shape", [(), (0, 3), (-1, -1), (2.5,), (True,)])
def test_reshape_rejects_invalid_shapes(shape):
    with pytest.raises(ConfigError, match="Reshape: expected positive ints"):
        Reshape(*shape)


def test_reshape_rejects_a_sample_of_the_wrong_size():
    with pytest.raises(ShapeError, match=r"Reshape\(1, 40\): expected input with 40 values "
                                         r"per sample.*got shape \(2, 30\)"):
        Reshape(1, 40)(np.zeros((2, 30)))


def test_residual_whose_block_returns_no_array_is_a_clear_error():
    class Broken(Tanh):
        def forward(self, x):
            return [[1.0, 2.0], [3.0]]

    with pytest.raises(ShapeError, match="Residual.*output from the block.*ragged"):
        Residual(Broken())(np.ones((2, 2)))


def test_residual_around_a_block_without_input_gradient_says_why():
    layer = Residual(Linear(3, 3, rng=0, input_grad=False))
    layer(np.ones((2, 3)))
    with pytest.raises(MinnetError, match="Residual.*input_grad=False.*needs input_grad=True"):
        layer.backward(np.ones((2, 3)))
