"""Pooling against PyTorch's functional pooling: outputs, input gradients and max-pool
indices, float64, to round-off, over every option, on both backends. Where PyTorch refuses
a geometry (or returns -inf for a window over padding only), minnet raises a ShapeError."""

import itertools

import numpy as np
import pytest

from minnet.errors import ShapeError
from minnet.functional import adaptive_pooling, pooling
from minnet.kernels import BACKENDS, use_backend

MAX = {1: (pooling.max_pool1d_forward, pooling.max_pool1d_backward, "max_pool1d"),
       2: (pooling.max_pool2d_forward, pooling.max_pool2d_backward, "max_pool2d")}
AVG = {1: (pooling.avg_pool1d_forward, pooling.avg_pool1d_backward, "avg_pool1d"),
       2: (pooling.avg_pool2d_forward, pooling.avg_pool2d_backward, "avg_pool2d")}
SIZES = {1: [(1,), (5,), (8,)], 2: [(5, 6), (2, 7)]}


def torch_pass(torch, call, x, rng):
    """(out, dL/dx, extra) from PyTorch, or None when it refuses or gives -inf."""
    x_torch = torch.tensor(x, requires_grad=True)
    try:
        result = call(x_torch)
    except RuntimeError:
        return None
    out, extra = result if isinstance(result, tuple) else (result, None)
    if torch.isinf(out).any():  # a window over padding only
        return None
    grad_out = rng.standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(grad_out))
    return out.detach().numpy(), x_torch.grad.numpy(), extra, grad_out


def check_against(expected, forward, backward, x, args):
    """Compare with PyTorch's ``expected`` on each backend; return the last cache."""
    cache = None
    for backend in BACKENDS:
        with use_backend(backend):
            if expected is None:
                with pytest.raises(ShapeError):
                    forward(x, *args)
                continue
            out_torch, grad_torch, _, grad_out = expected
            out, cache = forward(x, *args)
            np.testing.assert_allclose(out, out_torch, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(backward(grad_out, cache), grad_torch, rtol=1e-12,
                                       atol=1e-12)
    return cache


def max_grid():
    for dims, kernel, stride, padding, dilation, ceil_mode in itertools.product(
            [1, 2], [2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True]):
        yield pytest.param(dims, kernel, stride, padding, dilation, ceil_mode,
                           id=f"{dims}d-k{kernel}-s{stride}-p{padding}-d{dilation}-c{ceil_mode}")


@pytest.mark.torch
@pytest.mark.parametrize("dims, kernel, stride, padding, dilation, ceil_mode", list(max_grid()))
def test_max_pool_matches_pytorch(dims, kernel, stride, padding, dilation, ceil_mode):
    torch = pytest.importorskip("torch")
    forward, backward, name = MAX[dims]
    rng = np.random.default_rng(0)
    for size in SIZES[dims]:
        shape = (2, 3) + size
        x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0 - 3.0  # no ties
        args = (kernel, stride, padding, dilation, ceil_mode)
        expected = torch_pass(torch, lambda t: getattr(torch.nn.functional, name)(
            t, kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True),
            x, rng)
        cache = check_against(expected, forward, backward, x, args)
        if cache is not None:  # PyTorch's return_indices
            np.testing.assert_array_equal(pooling.indices_of(cache), expected[2].numpy())


def avg_grid():
    for dims, kernel, stride, padding, ceil_mode, count_include_pad in itertools.product(
            [1, 2], [2, 3], [None, 1, 2], [0, 1], [False, True], [True, False]):
        overrides = [None, 2] if dims == 2 else [None]
        for divisor_override in overrides:
            yield pytest.param(
                dims, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override,
                id=f"{dims}d-k{kernel}-s{stride}-p{padding}-c{ceil_mode}-cip{count_include_pad}"
                   f"-div{divisor_override}")


@pytest.mark.torch
@pytest.mark.parametrize("dims, kernel, stride, padding, ceil_mode, count_include_pad, "
                         "divisor_override", list(avg_grid()))
def test_avg_pool_matches_pytorch(dims, kernel, stride, padding, ceil_mode,
                                  count_include_pad, divisor_override):
    torch = pytest.importorskip("torch")
    forward, backward, name = AVG[dims]
    rng = np.random.default_rng(1)
    args = (kernel, stride, padding, ceil_mode, count_include_pad)
    args += (divisor_override,) if dims == 2 else ()
    for size in SIZES[dims]:
        x = rng.standard_normal((2, 3) + size)
        expected = torch_pass(torch, lambda t: getattr(torch.nn.functional, name)(t, *args),
                              x, rng)
        check_against(expected, forward, backward, x, args)


ADAPTIVE = {1: (adaptive_pooling.adaptive_avg_pool1d_forward,
                adaptive_pooling.adaptive_avg_pool1d_backward, "adaptive_avg_pool1d"),
            2: (adaptive_pooling.adaptive_avg_pool2d_forward,
                adaptive_pooling.adaptive_avg_pool2d_backward, "adaptive_avg_pool2d")}


@pytest.mark.torch
@pytest.mark.parametrize("dims, size, output_size", [
    (1, (7,), 3), (1, (6,), 4), (1, (5,), 5), (1, (3,), 7), (1, (10,), 1),
    (2, (7, 5), (3, 2)), (2, (6, 9), 4), (2, (5, 5), (None, 2)), (2, (4, 6), (3, None)),
    (2, (3, 2), (5, 7)), (2, (9, 9), 1),
])
def test_adaptive_avg_pool_matches_pytorch(dims, size, output_size):
    """Divisible and not (overlapping windows), larger outputs, None entries, global."""
    torch = pytest.importorskip("torch")
    forward, backward, name = ADAPTIVE[dims]
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3) + size)
    expected = torch_pass(torch, lambda t: getattr(torch.nn.functional, name)(t, output_size),
                          x, rng)
    check_against(expected, forward, backward, x, (output_size,))
