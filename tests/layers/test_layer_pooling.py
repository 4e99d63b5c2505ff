"""Pooling layers: gradients, PyTorch's defaults and argument order, errors, PyTorch as oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet.errors import ArgumentError, ConfigError, ShapeError
from minnet.functional.windows import output_size
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)

LAYERS = {"MaxPool1d": (MaxPool1d, 1), "MaxPool2d": (MaxPool2d, 2), "AvgPool1d": (AvgPool1d, 1),
          "AvgPool2d": (AvgPool2d, 2), "AdaptiveAvgPool1d": (AdaptiveAvgPool1d, 1),
          "AdaptiveAvgPool2d": (AdaptiveAvgPool2d, 2)}


@st.composite
def pool_layer_and_input(draw, name):
    """(layer, x): x holds distinct values, so that max pooling has no ties to break."""
    cls, dims = LAYERS[name]
    if name.startswith("Adaptive"):
        spatial = tuple(draw(st.integers(1, 6)) for _ in range(dims))
        layer = cls(tuple(draw(st.integers(1, 5)) for _ in range(dims)) if dims == 2
                    else draw(st.integers(1, 5)))
    else:
        kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
        stride = None if draw(st.booleans()) else tuple(draw(st.integers(1, 3))
                                                        for _ in range(dims))
        ceil_mode = draw(st.booleans())
        dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
        if name.startswith("Max"):
            layer = cls(kernel, stride, padding, dilation, False, ceil_mode)
        else:
            dilation = (1,) * dims
            layer = cls(kernel, stride, padding, ceil_mode, draw(st.booleans()))
        spatial = []
        for k, s, p, d in zip(kernel, stride or kernel, padding, dilation, strict=True):
            size = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6))
            count = output_size(size, k, s, p, p, d, ceil_mode)
            taps = np.arange(count)[:, None] * s - p + d * np.arange(k)
            spatial.append(size if ((taps >= 0) & (taps < size)).any(axis=1).all() else 6)
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *spatial)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(np.prod(shape)).reshape(shape) / 3.0
    return layer, x


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
    assert repr(MaxPool1d(3, 1, 1, 2, True, True)) == (
        "MaxPool1d(kernel_size=3, stride=1, padding=1, dilation=2, return_indices=True, "
        "ceil_mode=True)")
    assert repr(AvgPool2d((2, 3), stride=1)) == (
        "AvgPool2d(kernel_size=(2, 3), stride=(1, 1), padding=(0, 0))")
    assert repr(AvgPool2d(3, 2, 1, True, False, 4)) == (
        "AvgPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True, "
        "count_include_pad=False, divisor_override=4)")
    assert repr(AvgPool1d(2)) == "AvgPool1d(kernel_size=2, stride=2, padding=0)"
    assert repr(AdaptiveAvgPool2d((None, 3))) == "AdaptiveAvgPool2d(output_size=(None, 3))"
    assert repr(AdaptiveAvgPool1d(4)) == "AdaptiveAvgPool1d(output_size=4)"
    assert MaxPool2d(2)(np.zeros((4, 3, 28, 27))).shape == (4, 3, 14, 13)
    assert MaxPool2d(2, ceil_mode=True)(np.zeros((4, 3, 28, 27))).shape == (4, 3, 14, 14)
    assert MaxPool1d(2)(np.zeros((4, 3, 9))).shape == (4, 3, 4)
    assert AvgPool2d(3, 2, 1)(np.zeros((1, 2, 7, 8))).shape == (1, 2, 4, 4)
    assert AvgPool1d(3, 2, 1, True)(np.zeros((1, 2, 8))).shape == (1, 2, 5)
    assert AdaptiveAvgPool2d((None, 3))(np.zeros((1, 2, 7, 8))).shape == (1, 2, 7, 3)
    assert AdaptiveAvgPool1d(5)(np.zeros((1, 2, 3))).shape == (1, 2, 5)
    assert not list(MaxPool2d(2).parameters()) and MaxPool2d(2).state_dict() == {}
    assert AdaptiveAvgPool2d(1).state_dict() == {}


def test_positional_arguments_follow_pytorch():
    """PyTorch's order: (kernel, stride, padding, dilation, return_indices, ceil_mode) for max,
    (kernel, stride, padding, ceil_mode, count_include_pad[, divisor_override]) for average."""
    layer = MaxPool2d(3, 1, 1, 2, False, True)
    assert (layer.dilation, layer.return_indices, layer.ceil_mode) == ((2, 2), False, True)
    layer = AvgPool2d(3, 2, 1, True, False, 4)
    assert (layer.ceil_mode, layer.count_include_pad, layer.divisor_override) == (True, False,
                                                                                 4)
    layer = AvgPool1d(3, 2, 1, True, False)
    assert (layer.ceil_mode, layer.count_include_pad) == (True, False)
    with pytest.raises(ArgumentError, match=r"^AvgPool1d: too many positional arguments"):
        AvgPool1d(3, 2, 1, True, False, 4)  # no divisor_override in 1d, as in PyTorch


@pytest.mark.parametrize("cls, accepted", [
    (MaxPool1d, "kernel_size, stride, padding, dilation, return_indices, ceil_mode"),
    (MaxPool2d, "kernel_size, stride, padding, dilation, return_indices, ceil_mode"),
    (AvgPool1d, "kernel_size, stride, padding, ceil_mode, count_include_pad"),
    (AvgPool2d, "kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override"),
    (AdaptiveAvgPool1d, "output_size"), (AdaptiveAvgPool2d, "output_size"),
])
def test_unknown_keyword_names_the_public_class(cls, accepted):
    with pytest.raises(ArgumentError) as info:
        cls(2, ceil=True)
    assert str(info.value).startswith(f"{cls.__name__}: unknown argument 'ceil'; ")
    assert str(info.value).endswith(f"accepted: {accepted}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(LAYERS))
def test_keeps_the_input_float_dtype(backend, name):
    cls, dims = LAYERS[name]
    with use_backend(backend):
        for dtype in (np.float32, np.float64):
            layer = cls(2)
            out = layer(np.ones((2, 2) + (5,) * dims, dtype=dtype))
            assert out.dtype == layer.backward(np.ones_like(out)).dtype == dtype


@pytest.mark.parametrize("make, x, fragment", [
    (lambda: MaxPool2d(2), np.zeros((8, 28, 28)),
     "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)): expected input of shape "
     "(N, C, H, W), got (8, 28, 28); add a channel axis x[:, None], or a batch axis x[None]"),
    (lambda: MaxPool1d(2), np.zeros((8, 28)), "expected input of shape (N, C, L), got (8, 28)"),
    (lambda: AvgPool2d(2), np.zeros((2, 3, 4, 5, 6)), "got (2, 3, 4, 5, 6)"),
    (lambda: AdaptiveAvgPool1d(2), np.zeros((2, 3)), "expected input of shape (N, C, L)"),
    (lambda: MaxPool2d(3), np.zeros((1, 1, 2, 5)),
     "expected an input height and width of at least the kernel size (3, 3) once padded by "
     "(0, 0) on each side, got (2, 5) (padded: (2, 5))"),
    (lambda: MaxPool1d(4, padding=1), np.zeros((1, 1, 1)), "got 1 (padded: 3)"),
    # pooling over an empty length: uninitialised memory (numba) or NaN (NumPy) before
    (lambda: MaxPool1d(2, padding=1), np.zeros((2, 3, 0)),
     "expected a non-empty input length, got 0 from input of shape (2, 3, 0)"),
    (lambda: MaxPool2d(2, padding=1), np.zeros((2, 3, 0, 4)), "non-empty input height"),
    (lambda: AvgPool1d(2, padding=1), np.zeros((2, 3, 0)), "non-empty input length"),
    (lambda: AvgPool2d(2, padding=1), np.zeros((1, 1, 4, 0)), "non-empty input height"),
    (lambda: AdaptiveAvgPool1d(2), np.zeros((2, 3, 0)), "non-empty input length"),
    (lambda: AdaptiveAvgPool2d(1), np.zeros((2, 3, 0, 0)), "non-empty input height"),
    (lambda: MaxPool1d(2, 1, 1, 3), np.zeros((1, 1, 2)),
     "window 0 along the length covers only padding"),
])
@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_input_shapes_raise_shape_errors_naming_the_layer(backend, make, x, fragment):
    layer = make()
    with use_backend(backend), pytest.raises(ShapeError) as info:
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
    (lambda: MaxPool1d(2, dilation=0), "MaxPool1d: the 'dilation' parameter must be an int, "
                                       "each >= 1, got 0"),
    (lambda: MaxPool2d(2, return_indices=1), "MaxPool2d: the 'return_indices' parameter must be "
                                             "a bool, got 1"),
    (lambda: MaxPool2d(2, ceil_mode="yes"), "MaxPool2d: the 'ceil_mode' parameter must be a bool"),
    (lambda: AvgPool1d(2, ceil_mode=None), "AvgPool1d: the 'ceil_mode' parameter must be a bool"),
    (lambda: AvgPool1d(2, count_include_pad=0), "AvgPool1d: the 'count_include_pad' parameter"),
    (lambda: AvgPool2d(2, divisor_override=0), "AvgPool2d: the 'divisor_override' parameter must "
                                               "be an int >= 1, got 0"),
    (lambda: AvgPool2d(2, divisor_override=1.5), "'divisor_override' parameter must be an int"),
    (lambda: AdaptiveAvgPool1d(0), "AdaptiveAvgPool1d: the 'output_size' parameter must be an "
                                   "int, each >= 1, got 0"),
    (lambda: AdaptiveAvgPool1d(None), "AdaptiveAvgPool1d: the 'output_size' parameter"),
    (lambda: AdaptiveAvgPool2d((3, -1)), "AdaptiveAvgPool2d: the 'output_size' parameter must "
                                         "be an int or a tuple of 2 ints (or None"),
    (lambda: AdaptiveAvgPool2d((1, 2, 3)), "'output_size'"),
    (lambda: AdaptiveAvgPool2d(True), "'output_size'"),
])
def test_bad_arguments_raise_config_errors_at_construction(make, fragment):
    with pytest.raises(ConfigError) as info:
        make()
    assert fragment in str(info.value)


@pytest.mark.parametrize("cls", [MaxPool1d, MaxPool2d])
@pytest.mark.parametrize("backend", BACKENDS)
def test_return_indices_gives_the_argmax_and_backward_still_works(cls, backend):
    dims = 1 if cls is MaxPool1d else 2
    x = np.random.default_rng(0).permutation(2 * 3 * 6 ** dims).reshape((2, 3) + (6,) * dims)
    plain, indexed = cls(3, 2, 1, ceil_mode=True), cls(3, 2, 1, return_indices=True,
                                                         ceil_mode=True)
    with use_backend(backend):
        out, indices = indexed(x)
        np.testing.assert_array_equal(out, plain(x))
        assert indices.dtype == np.int64 and indices.shape == out.shape
        flat = x.reshape(2, 3, -1)
        np.testing.assert_array_equal(
            np.take_along_axis(flat, indices.reshape(2, 3, -1), axis=2).reshape(out.shape), out)
        grad = np.random.default_rng(1).standard_normal(out.shape)
        np.testing.assert_array_equal(indexed.backward(grad), plain.backward(grad))


# --- PyTorch as the oracle (optional) ---------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


CONFIGS = [
    ("MaxPool2d", dict(kernel_size=2), (2, 3, 8, 7)),
    ("MaxPool2d", dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1)), (2, 2, 6, 7)),
    ("MaxPool2d", dict(kernel_size=2, ceil_mode=True), (2, 3, 7, 5)),
    ("MaxPool2d", dict(kernel_size=(2, 3), stride=2, padding=1, dilation=(2, 1),
                       ceil_mode=True), (2, 2, 8, 9)),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1), (3, 2, 10)),
    ("MaxPool1d", dict(kernel_size=2), (2, 3, 9)),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True),
     (2, 3, 10)),
    ("AvgPool2d", dict(kernel_size=2), (2, 3, 7, 8)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1), (2, 2, 7, 6)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                       count_include_pad=False), (2, 2, 8, 6)),
    ("AvgPool2d", dict(kernel_size=(2, 3), padding=1, ceil_mode=True, divisor_override=5),
     (2, 2, 5, 7)),
    ("AvgPool1d", dict(kernel_size=2), (2, 3, 9)),
    ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
    ("AvgPool1d", dict(kernel_size=4, stride=3, padding=2, ceil_mode=True,
                       count_include_pad=False), (2, 3, 11)),
    ("AdaptiveAvgPool1d", dict(output_size=3), (2, 3, 7)),
    ("AdaptiveAvgPool1d", dict(output_size=6), (2, 3, 4)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 2)), (2, 3, 7, 5)),
    ("AdaptiveAvgPool2d", dict(output_size=(None, 4)), (2, 3, 5, 7)),
    ("AdaptiveAvgPool2d", dict(output_size=1), (2, 3, 5, 6)),
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
        grad_x = ours.backward(grad_out)
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)
    if name.startswith("Max"):  # PyTorch's return_indices
        _, indices = getattr(torch.nn, name)(**kwargs, return_indices=True)(x_torch)
        with use_backend(backend):
            _, ours_indices = LAYERS[name][0](**kwargs, return_indices=True)(x)
        np.testing.assert_array_equal(ours_indices, indices.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
def test_max_pool_ties_and_nan_match_pytorch(torch, backend):
    x = np.array([[[[1.0, 1.0, 0.0, np.nan], [1.0, 0.0, np.nan, np.nan]]]])
    expected, indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.from_numpy(x))
    with use_backend(backend):
        out, ours_indices = MaxPool2d(2, return_indices=True)(x)
    np.testing.assert_array_equal(out, expected.numpy())
    np.testing.assert_array_equal(ours_indices, indices.numpy())


NON_FINITE = [
    ("Conv1d", dict(in_channels=1, out_channels=2, kernel_size=2), 1),
    ("Conv2d", dict(in_channels=1, out_channels=2, kernel_size=2, padding=1), 2),
    ("MaxPool1d", dict(kernel_size=2, stride=1), 1),
    ("MaxPool2d", dict(kernel_size=2, ceil_mode=True), 2),
    ("AvgPool1d", dict(kernel_size=3, stride=1, padding=1, count_include_pad=False), 1),
    ("AvgPool2d", dict(kernel_size=2, stride=1, padding=1, ceil_mode=True), 2),
    ("AdaptiveAvgPool1d", dict(output_size=4), 1),
    ("AdaptiveAvgPool2d", dict(output_size=(2, 4)), 2),
]


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, kwargs, dims", NON_FINITE)
def test_non_finite_values_propagate_as_in_pytorch(torch, backend, name, kwargs, dims):
    """inf - inf gives NaN where PyTorch gives NaN, with no NumPy warning (the test
    configuration turns a RuntimeWarning from minnet into an error)."""
    import minnet.layers as layers

    row = np.array([np.inf, -np.inf, 1.0, np.nan, 2.0, np.inf, -1.0])
    x = row.reshape(1, 1, 7) if dims == 1 else np.stack([row, row[::-1], row]).reshape(1, 1, 3, 7)
    theirs = getattr(torch.nn, name)(**kwargs).double()
    ours = getattr(layers, name)(**kwargs, **({"rng": 0} if name.startswith("Conv") else {}))
    if name.startswith("Conv"):
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x_torch = torch.from_numpy(x.copy()).requires_grad_(True)
    out_torch = theirs(x_torch)
    grad_out = np.where(np.arange(out_torch.numel()).reshape(out_torch.shape) % 2, 1.5, -np.inf)
    out_torch.backward(torch.from_numpy(grad_out))
    with use_backend(backend):
        out = ours(x)
        grad_x = ours.backward(grad_out)
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", LAYERS)
def test_a_float64_gradient_beyond_float32_becomes_inf_without_warnings(backend, name):
    """A float32 layer casts its float64 grad_out; 1e39 is inf, as in PyTorch (before:
    NumPy's 'overflow encountered in cast')."""
    cls, dims = LAYERS[name]
    layer = cls(2) if name.startswith("Adaptive") else cls(kernel_size=2)
    x = np.ones((1, 1) + (4,) * dims, dtype=np.float32)
    with use_backend(backend), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(x)
        grad_x = layer.backward(np.full(out.shape, 1e39))
    assert grad_x.dtype == np.float32 and np.isinf(grad_x).any()
