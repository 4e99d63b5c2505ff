"""Conv1d and Conv2d: gradients, parameters, errors that teach, and PyTorch as the oracle."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet.errors import ArgumentError, ConfigError, DTypeError, MinnetError, ShapeError
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.conv import Conv1d, Conv2d


@st.composite
def conv_layer_and_input(draw, dims):
    """(layer, x): small channels, kernels, strides, paddings, dilations, groups and sizes;
    the dilated kernel fits."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    same = draw(st.booleans())
    padding = "same" if same else tuple(draw(st.integers(0, 2)) for _ in range(dims))
    stride = (1,) * dims if same else tuple(draw(st.integers(1, 3)) for _ in range(dims))
    spatial = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 5)) for k, d, p in zip(
        kernel, dilation, (0,) * dims if same else padding, strict=True))
    groups = draw(st.integers(1, 2))
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**16))
    cls = Conv1d if dims == 1 else Conv2d
    layer = cls(in_channels, out_channels, kernel, stride, padding, dilation, groups,
                draw(st.booleans()), init=draw(st.sampled_from(["he", "pytorch"])), rng=seed)
    x = np.random.default_rng(seed + 1).standard_normal(
        (draw(st.integers(1, 3)), in_channels, *spatial))
    return layer, x


@pytest.mark.parametrize("dims", [1, 2])
@settings(max_examples=10)
@given(data=st.data(), backend=st.sampled_from(BACKENDS))
def test_gradcheck(dims, data, backend):
    layer, x = data.draw(conv_layer_and_input(dims))
    with use_backend(backend):
        assert gradcheck(layer, x)


@pytest.mark.torch
@pytest.mark.parametrize("cls, args", [
    (Conv1d, (3, 4, 2)), (Conv2d, (3, 4, (2, 5))), (Conv2d, (6, 4, 3, 1, 1, 2, 2)),
    (Conv1d, (6, 9, 3, 1, "same", 1, 3, False)), (Conv2d, (4, 4, 3, 1, 0, 1, 4)),
])
def test_state_dict_follows_pytorch(cls, args):
    """Keys, order and shapes as PyTorch's: weight (out, in / groups, *kernel), bias (out,)."""
    torch = pytest.importorskip("torch")
    ours = cls(*args, rng=0).state_dict()
    theirs = getattr(torch.nn, cls.__name__)(*args).state_dict()
    assert [(key, value.shape) for key, value in ours.items()] == [
        (key, tuple(value.shape)) for key, value in theirs.items()]


def test_state_dict_shapes():
    assert [(key, value.shape) for key, value in Conv2d(6, 4, 3, groups=2).state_dict().items()
            ] == [("weight", (4, 3, 3, 3)), ("bias", (4,))]
    assert list(Conv1d(3, 4, 2, bias=False).state_dict()) == ["weight"]


@pytest.mark.parametrize("cls", [Conv1d, Conv2d])
@pytest.mark.parametrize("groups", [1, 4])
def test_initializers(cls, groups):
    """fan_in = in_channels / groups * kernel elements, as PyTorch's."""
    kernel = 3 if cls is Conv2d else 9  # 9 kernel elements either way
    fan_in = 32 // groups * 9
    he = cls(32, 64, kernel, groups=groups, rng=0)
    assert not he.bias.data.any()  # the bias starts at zero (except with "pytorch")
    np.testing.assert_allclose(he.weight.data.std(), np.sqrt(2 / fan_in), rtol=0.1)
    torch_like = cls(32, 64, kernel, groups=groups, init="pytorch", rng=0)
    bound = 1 / np.sqrt(fan_in)
    for param in (torch_like.weight.data, torch_like.bias.data):
        assert np.all(np.abs(param) <= bound) and np.abs(param).max() > 0.8 * bound
    np.testing.assert_array_equal(cls(2, 3, 2, rng=5).weight.data, cls(2, 3, 2, rng=5).weight.data)
    assert cls(2, 3, 2, init="pytorch", rng=5).bias.data.any()


def test_repr_and_argument_forms():
    assert repr(Conv2d(1, 16, 3, padding=1)) == (
        "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True)")
    assert repr(Conv1d(2, 4, 5, stride=2, bias=False)) == (
        "Conv1d(2, 4, kernel_size=5, stride=2, padding=0, bias=False)")
    assert repr(Conv2d(2, 4, 3, 1, "same", 2, 2)) == (
        "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), "
        "groups=2, bias=True)")
    assert repr(Conv1d(2, 4, 3, padding="valid")) == (
        "Conv1d(2, 4, kernel_size=3, stride=1, padding=valid, bias=True)")
    layer = Conv2d(1, 2, (3, 1), stride=[2, 1], padding=(0, 1))
    assert (layer.kernel_size, layer.stride, layer.padding) == ((3, 1), (2, 1), (0, 1))
    assert layer(np.zeros((1, 1, 5, 2))).shape == (1, 2, 2, 4)


def test_positional_arguments_follow_pytorch():
    """in, out, kernel, stride, padding, dilation, groups, bias: the 6th is the dilation
    (it used to land on ``bias``), the 8th the bias; minnet's options are keyword-only."""
    layer = Conv2d(4, 6, 3, 2, 1, 3, 2, False)
    assert (layer.stride, layer.padding, layer.dilation, layer.groups) == ((2, 2), (1, 1),
                                                                           (3, 3), 2)
    assert layer.bias is None and layer.weight.shape == (6, 2, 3, 3)
    assert Conv1d(2, 2, 3, 1, 0, 2).dilation == (2,)
    with pytest.raises(ArgumentError, match=r"^Conv2d: too many positional arguments"):
        Conv2d(1, 2, 3, 1, 0, 1, 1, True, "he")


@pytest.mark.parametrize("cls", [Conv1d, Conv2d])
def test_unknown_keyword_names_the_public_class(cls):
    with pytest.raises(ArgumentError) as info:
        cls(1, 2, 3, padding_mod="zeros")
    assert str(info.value).startswith(
        f"{cls.__name__}: unknown argument 'padding_mod'; did you mean 'padding'? accepted: "
        f"in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, "
        f"init, rng, input_grad")


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_padding_keeps_the_size(backend):
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 6))
    with use_backend(backend):
        for kernel, dilation in ((3, 1), (4, 1), ((2, 5), (3, 1)), (3, 2)):
            assert Conv2d(4, 2, kernel, padding="same", dilation=dilation)(x).shape == (
                2, 2, 7, 6)
        assert Conv1d(4, 4, 6, padding="same", groups=4)(x[:, :, 0]).shape == (2, 4, 6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_layer_casts_its_input(backend):
    layer = Conv2d(2, 3, 3, rng=0).to(np.float32)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    with use_backend(backend):
        out = layer(x)
        grad_x = layer.backward(np.ones(out.shape, dtype=np.float32))
    assert out.dtype == grad_x.dtype == layer.weight.grad.dtype == np.float32


@pytest.mark.parametrize("make, x, fragment", [
    (lambda: Conv2d(1, 4, 3), np.zeros((8, 28, 28)),
     "expected input of shape (N, 1, H, W), got (8, 28, 28); add a channel axis: x[:, None]"),
    (lambda: Conv1d(1, 4, 3), np.zeros((8, 40)), "add a channel axis: x[:, None]"),
    (lambda: Conv2d(3, 4, 3), np.zeros((3, 9, 9)), "add a batch axis: x[None]"),
    (lambda: Conv2d(1, 4, 3), np.zeros((8, 784)), "x.reshape(-1, 1, 28, 28)"),
    (lambda: Conv2d(3, 4, 3), np.zeros((2, 2, 9, 9)),
     "expected input of shape (N, 3, H, W) with 3 channels on axis 1, got (2, 2, 9, 9)"),
    (lambda: Conv2d(3, 4, 3), np.zeros((2, 9, 9, 3)), "x.transpose(0, 3, 1, 2)"),
    (lambda: Conv2d(1, 4, 5, padding=1), np.zeros((2, 1, 2, 9)),
     "expected an input height and width of at least the kernel size (5, 5) once padded by "
     "(1, 1) on each side, got (2, 9) (padded: (4, 11))"),
    (lambda: Conv1d(2, 4, 7), np.zeros((2, 2, 6)), "got 6 (padded: 6)"),
    (lambda: Conv1d(2, 4, 3, dilation=3), np.zeros((2, 2, 6)),
     "the dilated kernel size 7 (kernel_size 3, dilation 3)"),
    (lambda: Conv2d(4, 4, 3, groups=2), np.zeros((2, 2, 5, 5)), "with 4 channels on axis 1"),
    (lambda: Conv1d(1, 4, 1, padding=1), np.zeros((2, 1, 0)),
     "expected a non-empty input length, got 0"),
    (lambda: Conv2d(1, 4, 1, padding="same"), np.zeros((2, 1, 3, 0)),
     "expected a non-empty input height and width, got (3, 0)"),
])
@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_input_shapes_raise_shape_errors_naming_the_layer(backend, make, x, fragment):
    layer = make()
    with use_backend(backend), pytest.raises(ShapeError) as info:
        layer(x)
    assert str(info.value).startswith(f"{layer!r}: ")
    assert fragment in str(info.value)


@pytest.mark.parametrize("make, fragment", [
    (lambda: Conv2d(0, 4, 3), "Conv2d: the 'in_channels' parameter must be an int >= 1, got 0"),
    (lambda: Conv1d(1, -2, 3), "'out_channels' parameter must be an int >= 1"),
    (lambda: Conv2d(1, 4, 0), "'kernel_size' parameter must be an int or a tuple of 2 ints, "
                              "each >= 1, got 0"),
    (lambda: Conv2d(1, 4, (3,)), "'kernel_size'"),
    (lambda: Conv2d(1, 4, 2.5), "'kernel_size'"),
    (lambda: Conv1d(1, 4, True), "'kernel_size'"),
    (lambda: Conv2d(1, 4, 3, stride=(1, 0)), "'stride'"),
    (lambda: Conv1d(1, 4, 3, padding=-1), "'padding' parameter must be an int, each >= 0"),
    (lambda: Conv2d(1, 4, 3, init="kaiming_magic"), "unknown init 'kaiming_magic'"),
    (lambda: Conv2d(1, 4, 3, dilation=0), "Conv2d: the 'dilation' parameter must be an int or "
                                          "a tuple of 2 ints, each >= 1, got 0"),
    (lambda: Conv1d(1, 4, 3, dilation=(1, 2)), "Conv1d: the 'dilation' parameter"),
    (lambda: Conv2d(4, 4, 3, groups=0), "Conv2d: the 'groups' parameter must be an int >= 1"),
    (lambda: Conv2d(4, 4, 3, groups=1.0), "Conv2d: the 'groups' parameter must be an int"),
    (lambda: Conv2d(3, 4, 3, groups=2), "Conv2d: in_channels=3 must be divisible by groups=2"),
    (lambda: Conv1d(4, 3, 3, groups=2), "Conv1d: out_channels=3 must be divisible by groups=2"),
    (lambda: Conv2d(1, 4, 3, padding="full"),
     "Conv2d: the 'padding' parameter must be an int, a tuple of 2 ints, 'valid' or 'same', "
     "got 'full'"),
    (lambda: Conv1d(1, 4, 3, stride=2, padding="same"),
     "Conv1d: padding='same' is not supported for strided convolutions (stride=2)"),
    (lambda: Conv1d(1, 4, 3, bias="no"), "Conv1d: the 'bias' parameter must be a bool"),
    (lambda: Conv1d(1, 4, 3, input_grad=None), "the 'input_grad' parameter must be a bool"),
    (lambda: Conv2d(1, 4, 3, rng=-1), "Conv2d: rng: expected None, a non-negative int seed"),
    (lambda: Conv2d(1, 4, 3, init=lambda shape, rng: np.zeros(3)),
     "Conv2d: the init callable returned an array of shape (3,), expected the weight's shape "
     "(4, 1, 3, 3)"),
])
def test_bad_arguments_raise_config_errors_at_construction(make, fragment):
    with pytest.raises(ConfigError) as info:
        make()
    assert fragment in str(info.value)


def test_string_input_and_early_backward():
    layer = Conv1d(1, 2, 3)
    with pytest.raises(DTypeError, match=r"^Conv1d\(1, 2, .*expected a float input"):
        layer(np.full((1, 1, 5), "a"))
    with pytest.raises(MinnetError, match="backward\\(\\) called before forward"):
        layer.backward(np.zeros((1, 2, 3)))


# --- PyTorch as the oracle (optional) ---------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


CONFIGS = [
    (Conv2d, dict(in_channels=3, out_channels=4, kernel_size=3, padding=1), (2, 3, 7, 6)),
    (Conv2d, dict(in_channels=4, out_channels=6, kernel_size=(2, 3), padding="same",
                  dilation=(2, 1), groups=2), (2, 4, 6, 7)),
    (Conv2d, dict(in_channels=4, out_channels=4, kernel_size=3, stride=2, padding=(2, 1),
                  dilation=2, groups=4, bias=False), (2, 4, 9, 8)),
    (Conv1d, dict(in_channels=6, out_channels=3, kernel_size=4, padding="same", dilation=3,
                  groups=3), (3, 6, 11)),
    (Conv1d, dict(in_channels=2, out_channels=4, kernel_size=3, stride=3, padding="valid",
                  dilation=2, groups=2), (2, 2, 13)),
    (Conv2d, dict(in_channels=2, out_channels=3, kernel_size=(2, 3), stride=(2, 1),
                  padding=(1, 0)), (3, 2, 6, 7)),
    (Conv2d, dict(in_channels=1, out_channels=2, kernel_size=4, stride=3, bias=False),
     (2, 1, 9, 10)),
    (Conv1d, dict(in_channels=3, out_channels=5, kernel_size=5, stride=2, padding=1),
     (2, 3, 17)),
    (Conv1d, dict(in_channels=2, out_channels=2, kernel_size=1, bias=False), (3, 2, 4)),
]


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # PyTorch's own copy
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls, kwargs, shape", CONFIGS)
def test_matches_pytorch_both_ways(torch, backend, cls, kwargs, shape):
    rng = np.random.default_rng(0)
    ours = cls(**kwargs, init="pytorch", rng=1)
    theirs = getattr(torch.nn, cls.__name__)(**kwargs).double()
    # minnet -> torch
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = rng.standard_normal(shape)
    grad_out = None
    for _ in range(2):  # then torch -> minnet, with torch's own weights
        x_torch = torch.from_numpy(x.copy()).requires_grad_(True)
        out_torch = theirs(x_torch)
        grad_out = rng.standard_normal(tuple(out_torch.shape))
        out_torch.backward(torch.from_numpy(grad_out))
        ours.zero_grad()
        with use_backend(backend):
            out = ours(x)
            grad_x = ours.backward(grad_out)
        np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)
        for name, param in ours.named_parameters():
            expected = getattr(theirs, name).grad.numpy()
            np.testing.assert_allclose(param.grad, expected, rtol=1e-12, atol=1e-12)
        with torch.no_grad():
            for tensor in theirs.parameters():
                tensor.copy_(torch.randn_like(tensor))
            theirs.zero_grad()
        ours.load_state_dict({k: v.numpy().copy() for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("make, shape", [
    (lambda flag: Conv1d(2, 3, 3, padding=1, rng=0, input_grad=flag), (4, 2, 9)),
    (lambda flag: Conv2d(2, 3, 3, stride=2, rng=0, input_grad=flag), (4, 2, 7, 7)),
])
def test_conv_can_skip_its_input_gradient(make, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    full, lean = make(True), make(False)
    out = full(x)
    lean(x)
    grad = np.random.default_rng(1).standard_normal(out.shape)
    assert full.backward(grad).shape == shape
    assert lean.backward(grad) is None
    np.testing.assert_array_equal(full.weight.grad, lean.weight.grad)
    np.testing.assert_array_equal(full.bias.grad, lean.bias.grad)
    assert "input_grad=False" in repr(lean)
