"""Normalization and reshaping layers on inputs at the edges: empty batches, ±inf, bad state.

±inf propagates as in PyTorch (compared with torch, NaN positions included,
on both backends) and never leaks a NumPy RuntimeWarning; a negative running
variance is a clear error at forward, as it is at load_state_dict.
"""

import warnings

import numpy as np
import pytest

from minnet import errors
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.reshape import Flatten, Reshape

INF = np.inf
# channel 0 holds +inf and -inf (mean NaN), channels 2 and 3 one +inf each (mean inf,
# var NaN; in channel 3 it is the first value, where the numba kernel takes its pivot),
# channel 1 is finite; every row holds an inf but the last.
X_INF = np.array([[INF, 1.0, 2.0, INF], [0.0, 1.5, INF, 1.0], [-INF, 3.0, 4.0, 2.0],
                  [1.0, -2.0, 0.5, 3.0]])


def torch_twin(torch, layer, mode):
    if isinstance(layer, LayerNorm):
        twin = torch.nn.LayerNorm(layer.normalized_shape, eps=layer.eps).double()
    else:
        twin = torch.nn.BatchNorm1d(layer.num_features, eps=layer.eps).double()
    twin.load_state_dict({key: torch.from_numpy(np.array(value))
                          for key, value in layer.state_dict().items()})
    return twin.train(mode == "train")


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("build, mode", [
    (lambda: BatchNorm1d(4), "train"), (lambda: BatchNorm1d(4), "eval"),
    (lambda: LayerNorm(4), "train"),
])
def test_inf_propagates_as_in_pytorch_without_numpy_warnings(backend, build, mode):
    torch = pytest.importorskip("torch")
    layer = build().train(mode == "train")
    if isinstance(layer, BatchNorm1d):  # non-trivial running statistics for eval
        layer.running_mean = np.array([0.5, -1.0, 2.0, 0.0])
        layer.running_var = np.array([2.0, 0.5, 1.5, 1.0])
    twin = torch_twin(torch, layer, mode)
    grad_out = np.arange(16.0).reshape(4, 4) - 5.0
    with use_backend(backend), warnings.catch_warnings():
        warnings.simplefilter("error")  # any NumPy warning at all fails the test
        out = layer(X_INF)
        grad_x = layer.backward(grad_out)
    tx = torch.from_numpy(X_INF.copy()).requires_grad_(True)
    t_out = twin(tx)
    t_out.backward(torch.from_numpy(grad_out))
    pairs = [(out, t_out), (grad_x, tx.grad), (layer.weight.grad, twin.weight.grad),
             (layer.bias.grad, twin.bias.grad)]
    if isinstance(layer, BatchNorm1d):
        pairs += [(layer.running_mean, twin.running_mean), (layer.running_var, twin.running_var)]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_batchnorm2d_with_inf_and_nan_keeps_quiet_on_both_backends(backend):
    x = np.ones((2, 2, 2, 2))
    x[0, 0, 0, 0], x[1, 1, 1, 1] = INF, np.nan
    layer = BatchNorm2d(2)
    with use_backend(backend), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(x)
        layer.backward(np.ones_like(x))
        layer.eval()(x)
    assert np.isnan(out).all()  # each channel holds a non-finite value


@pytest.mark.parametrize("backend", BACKENDS)
def test_batchnorm_eval_of_an_empty_batch_is_empty_as_in_pytorch(backend):
    layer = BatchNorm1d(3).eval()
    with use_backend(backend):
        out = layer(np.zeros((0, 3)))
        grad_x = layer.backward(np.zeros((0, 3)))
    assert out.shape == grad_x.shape == (0, 3)
    assert not layer.weight.grad.any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_batchnorm_training_on_an_empty_batch_is_a_clear_error(backend):
    with use_backend(backend), pytest.raises(errors.ShapeError, match="more than 1 value"):
        BatchNorm1d(3)(np.zeros((0, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_a_negative_running_variance_is_refused_at_forward(backend, mode):
    layer = BatchNorm1d(3).train(mode == "train")
    layer.running_var = np.array([1.0, -0.5, 1.0])
    with use_backend(backend), pytest.raises(errors.DataError) as info:
        layer(np.arange(6.0).reshape(2, 3))
    message = str(info.value)
    assert message.startswith("BatchNorm1d(3, eps=") and "running_var" in message
    assert "-0.5" in message


@pytest.mark.parametrize("value", [np.ones(4), np.ones((3, 1)), np.array(["a", "b", "c"]),
                                   [1.0, [2.0]]])
def test_running_statistics_of_the_wrong_shape_or_kind_are_refused(value):
    layer = BatchNorm1d(3).eval()
    layer.running_mean = value
    with pytest.raises(errors.ShapeError, match=r"BatchNorm1d\(3.*running_mean"):
        layer(np.ones((2, 3)))


def test_a_nan_running_variance_propagates_as_in_pytorch():
    layer = BatchNorm1d(2).eval()
    layer.running_var = np.array([np.nan, 1.0])
    out = layer(np.ones((2, 2)))
    assert np.isnan(out[:, 0]).all() and np.isfinite(out[:, 1]).all()


def test_layernorm_of_an_empty_batch_is_empty():
    layer = LayerNorm((2, 3))
    assert layer(np.zeros((0, 2, 3))).shape == (0, 2, 3)
    assert layer.backward(np.zeros((0, 2, 3))).shape == (0, 2, 3)


# --- Reshape and Flatten -----------------------------------------------------------

@pytest.mark.parametrize("shape, given, expected", [
    ((3, -1), (0, 6), (0, 3, 2)),   # an empty batch: NumPy alone cannot infer the -1
    ((3, -1), (2, 0), (2, 3, 0)),   # empty samples: -1 is 0, as NumPy and PyTorch say
    ((-1,), (0, 2, 2), (0, 4)),
    (((2, 2),), (5, 4), (5, 2, 2)),  # a tuple, as x.reshape((2, 2)) takes one
])
def test_reshape_edge_shapes(shape, given, expected):
    layer = Reshape(*shape)
    out = layer(np.zeros(given))
    assert out.shape == expected
    assert layer.backward(np.zeros(expected)).shape == given


def test_reshape_that_cannot_fit_is_a_shape_error_naming_the_layer():
    with pytest.raises(errors.ShapeError, match=r"^Reshape\(3, -1\): expected input with 3 "):
        Reshape(3, -1)(np.zeros((2, 4)))


def test_flatten_of_a_ragged_list_is_a_shape_error():
    with pytest.raises(errors.ShapeError, match=r"^Flatten\(\): .*ragged"):
        Flatten()([[1.0, 2.0], [3.0]])
