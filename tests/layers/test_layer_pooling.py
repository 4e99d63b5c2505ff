"""MaxPool1d, MaxPool2d and AvgPool2d: gradients, defaults, errors, PyTorch as the oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet.errors import ConfigError, ShapeError
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.pooling import AvgPool2d, MaxPool1d, MaxPool2d

LAYERS = {"MaxPool1d": (MaxPool1d, 1), "MaxPool2d": (MaxPool2d, 2), "AvgPool2d": (AvgPool2d, 2)}


@st.composite
def pool_layer_and_input(draw, name):
    """(layer, x): x holds distinct values, so that max pooling has no ties to break."""
    cls, dims = LAYERS[name]
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    stride = None if draw(st.booleans()) else tuple(draw(st.integers(1, 3)) for _ in range(dims))
    spatial = tuple(draw(st.integers(max(1, k - 2 * p), 6))
                    for k, p in zip(kernel, padding, strict=True))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *spatial)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(np.prod(shape)).reshape(shape) / 3.0
    return cls(kernel, stride, padding), x


@pytest.mark.parametrize("name", list(LAYERS))
@settings(max_examples=10)
@given(data=st.data(), backend=st.sampled_from(BACKENDS))
def test_gradcheck(name, data, backend):
    layer, x = data.draw(pool_layer_and_input(name))
    with use_backend(backend):
        assert gradcheck(layer, x)


def test_repr_defaults_and_shapes():
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(MaxPool1d(3, 1, 1)) == "MaxPool1d(kernel_size=3, stride=1, padding=1)"
    assert repr(AvgPool2d((2, 3), stride=1)) == (
        "AvgPool2d(kernel_size=(2, 3), stride=(1, 1), padding=(0, 0))")
    assert MaxPool2d(2)(np.zeros((4, 3, 28, 27))).shape == (4, 3, 14, 13)
    assert MaxPool1d(2)(np.zeros((4, 3, 9))).shape == (4, 3, 4)
    assert AvgPool2d(3, 2, 1)(np.zeros((1, 2, 7, 8))).shape == (1, 2, 4, 4)
    assert not list(MaxPool2d(2).parameters()) and MaxPool2d(2).state_dict() == {}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(LAYERS))
def test_keeps_the_input_float_dtype(backend, name):
    cls, dims = LAYERS[name]
    with use_backend(backend):
        for dtype in (np.float32, np.float64):
            layer = cls(2)
            out = layer(np.ones((2, 2) + (4,) * dims, dtype=dtype))
            assert out.dtype == layer.backward(np.ones_like(out)).dtype == dtype


@pytest.mark.parametrize("make, x, fragment", [
    (lambda: MaxPool2d(2), np.zeros((8, 28, 28)),
     "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)): expected input of shape "
     "(N, C, H, W), got (8, 28, 28); add a channel axis x[:, None], or a batch axis x[None]"),
    (lambda: MaxPool1d(2), np.zeros((8, 28)), "expected input of shape (N, C, L), got (8, 28)"),
    (lambda: AvgPool2d(2), np.zeros((2, 3, 4, 5, 6)), "got (2, 3, 4, 5, 6)"),
    (lambda: MaxPool2d(3), np.zeros((1, 1, 2, 5)),
     "expected an input height and width of at least the kernel size (3, 3) once padded by "
     "(0, 0) on each side, got (2, 5) (padded: (2, 5))"),
    (lambda: MaxPool1d(4, padding=1), np.zeros((1, 1, 1)), "got 1 (padded: 3)"),
])
def test_bad_input_shapes_raise_shape_errors_naming_the_layer(make, x, fragment):
    layer = make()
    with pytest.raises(ShapeError) as info:
        layer(x)
    assert str(info.value).startswith(f"{layer!r}: ")
    assert fragment in str(info.value)


@pytest.mark.parametrize("make, fragment", [
    (lambda: MaxPool2d(0), "MaxPool2d: the 'kernel_size' parameter must be an int or a tuple of "
                           "2 ints, each >= 1, got 0"),
    (lambda: MaxPool1d(2, stride=0), "MaxPool1d: the 'stride' parameter must be an int, each >= 1"),
    (lambda: AvgPool2d(2, padding=-1), "'padding' parameter"),
    (lambda: MaxPool2d(3, padding=2), "MaxPool2d: the 'padding' parameter must be at most half "
                                      "the kernel size (3, 3), got (2, 2)"),
    (lambda: MaxPool2d((2, 2, 2)), "'kernel_size'"),
    (lambda: AvgPool2d(2.0), "'kernel_size'"),
])
def test_bad_arguments_raise_config_errors_at_construction(make, fragment):
    with pytest.raises(ConfigError) as info:
        make()
    assert fragment in str(info.value)


# --- PyTorch as the oracle (optional) ---------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


CONFIGS = [
    ("MaxPool2d", dict(kernel_size=2), (2, 3, 8, 7)),
    ("MaxPool2d", dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1)), (2, 2, 6, 7)),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1), (3, 2, 10)),
    ("MaxPool1d", dict(kernel_size=2), (2, 3, 9)),
    ("AvgPool2d", dict(kernel_size=2), (2, 3, 7, 8)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1), (2, 2, 7, 6)),
]


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, kwargs, shape", CONFIGS)
def test_matches_pytorch(torch, backend, name, kwargs, shape):
    rng = np.random.default_rng(0)
    x = rng.permutation(np.prod(shape)).reshape(shape) / 5.0 - 2.0
    x_torch = torch.from_numpy(x.copy()).requires_grad_(True)
    out_torch = getattr(torch.nn, name)(**kwargs)(x_torch)
    grad_out = rng.standard_normal(tuple(out_torch.shape))
    out_torch.backward(torch.from_numpy(grad_out))
    ours = LAYERS[name][0](**kwargs)
    with use_backend(backend):
        out = ours(x)
        pending = ours._cache_stack[-1][0]  # (functional cache, output shape)
        grad_x = ours.backward(grad_out)
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)
    if name.startswith("Max"):  # the argmax is PyTorch's return_indices
        _, indices = getattr(torch.nn, name)(**kwargs, return_indices=True)(x_torch)
        np.testing.assert_array_equal(pending[1].reshape(out.shape), indices.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
def test_max_pool_ties_and_nan_match_pytorch(torch, backend):
    x = np.array([[[[1.0, 1.0, 0.0, np.nan], [1.0, 0.0, np.nan, np.nan]]]])
    expected, indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.from_numpy(x))
    with use_backend(backend):
        layer = MaxPool2d(2)
        out = layer(x)
    np.testing.assert_array_equal(out, expected.numpy())
    np.testing.assert_array_equal(layer._cache_stack[-1][0][1], indices.numpy())
