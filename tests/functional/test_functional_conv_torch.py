"""conv1d / conv2d against PyTorch's F.conv1d / F.conv2d: outputs and all three gradients,
float64, to round-off, over dilation x groups x padding forms x stride, on both backends."""

import itertools

import numpy as np
import pytest

from minnet.functional.conv import conv1d_backward, conv1d_forward, conv2d_backward, conv2d_forward
from minnet.kernels import BACKENDS, use_backend

PAIRS = {1: (conv1d_forward, conv1d_backward), 2: (conv2d_forward, conv2d_backward)}
PADDINGS = {1: [0, 2, "same", "valid"], 2: [0, 1, (2, 0), "same", "valid"]}
KERNELS = {1: 4, 2: (3, 2)}  # even kernels: "same" pads one more zero on the right


def grid():
    for dims in (1, 2):
        for padding, dilation, groups, stride in itertools.product(
                PADDINGS[dims], [1, 2], [1, 3], [1, 2]):
            if padding == "same" and stride != 1:
                continue  # PyTorch refuses it too (tested with the errors)
            yield pytest.param(dims, padding, dilation, groups, stride,
                               id=f"{dims}d-pad{padding}-dil{dilation}-g{groups}-s{stride}")


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # PyTorch's own copy
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims, padding, dilation, groups, stride", list(grid()))
def test_matches_pytorch(backend, dims, padding, dilation, groups, stride):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional.conv1d if dims == 1 else torch.nn.functional.conv2d
    rng = np.random.default_rng(dims * 100 + dilation * 10 + groups)
    kernel = (KERNELS[1],) if dims == 1 else KERNELS[2]
    x = rng.standard_normal((2, 2 * groups) + (9, 8)[:dims])
    w = rng.standard_normal((2 * groups, 2) + kernel)
    b = rng.standard_normal(2 * groups)
    x_torch, w_torch, b_torch = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out_torch = functional(x_torch, w_torch, b_torch, stride, padding, dilation, groups)
    grad_out = rng.standard_normal(tuple(out_torch.shape))
    out_torch.backward(torch.from_numpy(grad_out))
    forward, backward = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, w, b, stride, padding, dilation, groups)
        grads = backward(grad_out, cache)
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    for grad, tensor in zip(grads, (x_torch, w_torch, b_torch), strict=True):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda f, x, w: f(x, w, None, 2, "same"),
    lambda f, x, w: f(x, w, None, 1, 0, 1, 2),  # 2 groups do not divide 1 channel
    lambda f, x, w: f(x[:, :, :0], w),  # an empty length
])
def test_pytorch_refuses_what_minnet_refuses(call):
    """Each refusal of the error tests is PyTorch's too (here checked against PyTorch)."""
    torch = pytest.importorskip("torch")
    x, w = np.zeros((1, 1, 5)), np.zeros((2, 1, 3))
    with pytest.raises((RuntimeError, ValueError)):
        call(torch.nn.functional.conv1d, torch.from_numpy(x), torch.from_numpy(w))
    with pytest.raises(ValueError):  # ShapeError and ConfigError are ValueErrors
        call(conv1d_forward, x, w)
