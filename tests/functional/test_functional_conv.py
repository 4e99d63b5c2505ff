"""conv1d / conv2d pairs: fast == naive loops, numerical gradients, purity, bad inputs.

Dilation, groups and the padding forms ("same", "valid", ints, tuples) are
drawn together; PyTorch as the oracle is in test_functional_conv_torch.py.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_guard import assert_refused_before_any_kernel

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional import conv as conv_module
from minnet.functional.conv import conv1d_backward, conv1d_forward, conv2d_backward, conv2d_forward
from minnet.functional.conv_naive import (
    conv1d_backward_naive,
    conv1d_forward_naive,
    conv2d_backward_naive,
    conv2d_forward_naive,
)
from minnet.gradcheck import numerical_gradient
from minnet.kernels import BACKENDS, use_backend

BACKEND = st.sampled_from(BACKENDS)


def assert_close(analytic, numeric):
    """Central differences of a function linear in the checked array are exact up to rounding
    (about 1e-9 here): a tight rtol with a small atol for entries near zero."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


@st.composite
def conv_problem(draw, dims, max_side=6):
    """(x, w, b or None, stride, padding, dilation, groups) in float64; the window fits."""
    as_ints = dims == 1 or draw(st.booleans())  # stride, padding, dilation as ints or tuples
    axes = 1 if as_ints else dims

    def per_axis(values):
        return tuple(draw(values) for _ in range(axes)) * (dims // axes)

    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation, stride = per_axis(st.integers(1, 2)), per_axis(st.integers(1, 3))
    form = draw(st.sampled_from(["ints", "same", "valid"]))
    if form == "same":
        stride = (1,) * dims  # PyTorch's rule
    pads = per_axis(st.integers(0, 2)) if form == "ints" else (0,) * dims
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = tuple(draw(st.integers(max(1, span - 2 * p), max_side))
                    for span, p in zip(spans, pads, strict=True))
    groups = draw(st.integers(1, 2))
    batch = draw(st.integers(1, 3))
    channels, filters = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, channels, *spatial))
    w = rng.standard_normal((filters, channels // groups, *kernel))
    b = rng.standard_normal(filters) if draw(st.booleans()) else None
    padding = pads if form == "ints" else form
    if as_ints:
        stride, dilation = stride[0], dilation[0]
        padding = padding[0] if form == "ints" else padding
    return x, w, b, stride, padding, dilation, groups


PAIRS = {1: (conv1d_forward, conv1d_backward, conv1d_forward_naive, conv1d_backward_naive),
         2: (conv2d_forward, conv2d_backward, conv2d_forward_naive, conv2d_backward_naive)}


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data(), backend=BACKEND)
def test_fast_equals_naive(dims, data, backend):
    x, w, b, *options = data.draw(conv_problem(dims))
    forward, backward, forward_naive, backward_naive = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, w, b, *options)
        grad_out = np.random.default_rng(1).standard_normal(out.shape)
        grads = backward(grad_out, cache)
    expected, naive_cache = forward_naive(x, w, b, *options)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    for grad, grad_naive in zip(grads, backward_naive(grad_out, naive_cache), strict=True):
        if b is None and grad is None:
            assert grad_naive is None
            continue
        np.testing.assert_allclose(grad, grad_naive, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@settings(max_examples=12)
@given(data=st.data(), backend=BACKEND)
def test_gradients_match_central_differences(dims, data, backend):
    x, w, b, *options = data.draw(conv_problem(dims, max_side=5))
    forward, backward = PAIRS[dims][:2]
    with use_backend(backend):
        out, cache = forward(x, w, b, *options)
        grad_out = np.random.default_rng(2).standard_normal(out.shape)  # random, never ones
        grad_x, grad_w, grad_b = backward(grad_out, cache)
        numeric_x = numerical_gradient(lambda v: forward(v, w, b, *options)[0], x, grad_out)
        numeric_w = numerical_gradient(lambda v: forward(x, v, b, *options)[0], w, grad_out)
        assert_close(grad_x, numeric_x)
        assert_close(grad_w, numeric_w)
        if b is not None:
            numeric_b = numerical_gradient(lambda v: forward(x, w, v, *options)[0], b, grad_out)
            assert_close(grad_b, numeric_b)


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("options", [(2, 1, 1, 1), (1, "same", 2, 2), (1, "valid", 1, 3)])
def test_naive_backward_matches_central_differences(dims, options):
    """The reference itself is proven, not only the fast version against it (dilation,
    groups and an odd "same" padding included)."""
    rng = np.random.default_rng(3)
    groups = options[3]
    x = rng.standard_normal((2, 2 * groups) + (6,) * dims)
    w, b = rng.standard_normal((groups, 2) + (2,) * dims), rng.standard_normal(groups)
    forward, backward = PAIRS[dims][2:]
    out, cache = forward(x, w, b, *options)
    grad_out = rng.standard_normal(out.shape)
    grad_x, grad_w, grad_b = backward(grad_out, cache)
    for analytic, array, call in ((grad_x, x, lambda v: forward(v, w, b, *options)[0]),
                                  (grad_w, w, lambda v: forward(x, v, b, *options)[0]),
                                  (grad_b, b, lambda v: forward(x, w, v, *options)[0])):
        assert_close(analytic, numerical_gradient(call, array, grad_out))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims, x_shape, w_shape", [
    (2, (2, 1, 16, 16), (3, 1, 3, 3)),  # K = 9, 288 columns per sample: per-sample products
    (1, (2, 2, 300), (3, 2, 5)),  # K = 10, 298 columns per sample: per-sample products
    (2, (2, 4, 16, 16), (3, 4, 3, 3)),  # K = 36: one product
])
def test_weight_gradient_of_large_inputs(backend, dims, x_shape, w_shape):
    """Both ways of computing dW (one product, or one per sample) against the loops."""
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(3)
    forward, backward, forward_naive, backward_naive = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, w, b, 1, 1)
        grad_out = rng.standard_normal(out.shape)
        grads = backward(grad_out, cache)
    expected = backward_naive(grad_out, forward_naive(x, w, b, 1, 1)[1])
    for grad, grad_naive in zip(grads, expected, strict=True):
        np.testing.assert_allclose(grad, grad_naive, rtol=1e-10, atol=1e-10)


def test_output_size_is_the_floor_formula():
    x = np.zeros((1, 1, 11, 8))
    out, _ = conv2d_forward(x, np.zeros((2, 1, 3, 2)), stride=(2, 3), padding=(1, 2))
    assert out.shape == (1, 2, (11 + 2 - 3) // 2 + 1, (8 + 4 - 2) // 3 + 1)
    out, _ = conv1d_forward(np.zeros((3, 2, 10)), np.zeros((4, 2, 4)), stride=3, padding=1)
    assert out.shape == (3, 4, (10 + 2 - 4) // 3 + 1)
    out, _ = conv2d_forward(x, np.zeros((2, 1, 3, 2)), None, 2, (1, 0), (3, 2))  # dilated
    assert out.shape == (1, 2, (11 + 2 - 3 * 2 - 1) // 2 + 1, (8 - 2 * 1 - 1) // 2 + 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_padding_keeps_the_size_and_puts_the_odd_zero_right(backend):
    """An even kernel with "same": 3 zeros in all, 1 left and 2 right (PyTorch's rule)."""
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)
    first_tap = np.array([[[1.0, 0.0, 0.0, 0.0]]])  # out[i] = padded[i] = x[i - 1]
    with use_backend(backend):
        out, cache = conv1d_forward(x, first_tap, None, 1, "same")
        np.testing.assert_array_equal(out[0, 0], [0, 1, 2, 3, 4, 5])
        grad_x, _, _ = conv1d_backward(np.arange(6.0).reshape(1, 1, 6), cache)
        np.testing.assert_array_equal(grad_x[0, 0], [1, 2, 3, 4, 5, 0])
        x2 = np.random.default_rng(0).standard_normal((2, 3, 5, 7))
        w2 = np.random.default_rng(1).standard_normal((6, 1, 2, 3))
        assert conv2d_forward(x2, w2, None, 1, "same", (3, 2), 3)[0].shape == (2, 6, 5, 7)
        assert conv2d_forward(x2, w2, None, 1, "valid", 1, 3)[0].shape == (2, 6, 4, 5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_groups_keep_the_blocks_apart(backend):
    """Filter block g sees channel block g only: zeroing the other block changes nothing."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((6, 2, 3, 3))
    masked = x.copy()
    masked[:, 2:] = 0  # the second group's channels
    with use_backend(backend):
        out, _ = conv2d_forward(x, w, None, 1, 1, 1, 2)
        out_masked, _ = conv2d_forward(masked, w, None, 1, 1, 1, 2)
        # the first group alone is a plain convolution of its block
        alone, _ = conv2d_forward(x[:, :2], w[:3], None, 1, 1)
    np.testing.assert_array_equal(out[:, :3], out_masked[:, :3])
    assert not np.allclose(out[:, 3:], out_masked[:, 3:])
    np.testing.assert_allclose(out[:, :3], alone, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims", [1, 2])
def test_empty_batch_gives_an_empty_output(backend, dims):
    """As in PyTorch: a batch of 0 samples is fine (only an empty length is refused)."""
    forward, backward = PAIRS[dims][:2]
    w, b = np.ones((2, 3) + (3,) * dims), np.ones(2)
    with use_backend(backend):
        out, cache = forward(np.zeros((0, 3) + (5,) * dims), w, b, 1, 1)
        grad_x, grad_w, grad_b = backward(np.zeros(out.shape), cache)
    assert out.shape == (0, 2) + (5,) * dims and grad_x.shape == (0, 3) + (5,) * dims
    assert not grad_w.any() and not grad_b.any()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims", [1, 2])
def test_pure_and_dtype_preserving(backend, dims):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4) + (6,) * dims).astype(np.float32)
    w = rng.standard_normal((4, 2) + (3,) * dims).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    forward, backward = PAIRS[dims][:2]
    originals = [a.copy() for a in (x, w, b)]
    with use_backend(backend):
        out, cache = forward(x, w, b, 1, "same", 2, 2)
        grad_out = rng.standard_normal(out.shape).astype(np.float32)
        grad_before = grad_out.copy()
        grads = backward(grad_out, cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    for array, original in zip((x, w, b), originals, strict=True):
        np.testing.assert_array_equal(array, original)
    np.testing.assert_array_equal(grad_out, grad_before)
    expected, _ = PAIRS[dims][2](x.astype(np.float64), w, b, 1, "same", 2, 2)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_non_contiguous_inputs_give_the_same_result():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 12))[..., ::2]  # (2, 3, 7, 6), strided
    w = rng.standard_normal((3, 4, 3, 3)).transpose(1, 0, 2, 3)  # (4, 3, 3, 3), transposed
    out, cache = conv2d_forward(x, w, None, 1, 1)
    expected, _ = conv2d_forward_naive(np.ascontiguousarray(x), np.ascontiguousarray(w), None,
                                       1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    grad_out = rng.standard_normal((2, 4, 14, 6))[:, :, ::2]
    grad_x, _, grad_b = conv2d_backward(grad_out, cache)
    assert grad_x.shape == x.shape and grad_b is None


# Each call takes a valid conv2d cache ``c``, for the backward cases.
BAD_CALLS = [
    (lambda c: conv2d_forward(np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3))), ShapeError,
     "expected x of shape (N, C, H, W)"),
    (lambda c: conv2d_forward(np.zeros((2, 1, 5, 5)), np.zeros((1, 3, 3))), ShapeError,
     "w of shape (F, C / groups, kh, kw)"),
    (lambda c: conv2d_forward(np.zeros((2, 2, 5, 5)), np.zeros((1, 3, 3, 3))), ShapeError,
     "expected x with 3 channels"),
    (lambda c: conv2d_forward(np.zeros((2, 4, 5, 5)), np.zeros((2, 1, 3, 3)), groups=2),
     ShapeError, "expected x with 2 channels (w is (2, 1, 3, 3), groups=2), got x of shape "
                 "(2, 4, 5, 5)"),
    (lambda c: conv2d_forward(np.zeros((2, 4, 5, 5)), np.zeros((3, 2, 3, 3)), groups=2),
     ShapeError, "number of filters (w.shape[0]) divisible by groups=2"),
    (lambda c: conv1d_forward(np.zeros((2, 0, 5)), np.zeros((1, 0, 3))), ShapeError,
     "each axis of w >= 1, got x (2, 0, 5) and w (1, 0, 3)"),
    (lambda c: conv1d_forward(np.zeros((0, 1, 5)), np.zeros((0, 1, 3))), ShapeError,
     "each axis of w >= 1"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros(3)),
     ShapeError, "expected b of shape (2,)"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 3, 2)), np.zeros((1, 1, 3, 3)), padding=(0, 0)),
     ShapeError, "kernel size (3, 3) once padded by (0, 0) on each side, got (3, 2)"),
    (lambda c: conv1d_forward(np.zeros((1, 1, 2)), np.zeros((1, 1, 5)), padding=1),
     ShapeError, "got 2 (padded: 4)"),
    (lambda c: conv1d_forward(np.zeros((1, 1, 4)), np.zeros((1, 1, 3)), dilation=2),
     ShapeError, "dilated kernel size 5 (kernel_size 3, dilation 2) once padded by 0 on each "
                 "side, got 4"),
    (lambda c: conv1d_forward(np.zeros((1, 1, 0)), np.zeros((1, 1, 1)), padding=1), ShapeError,
     "expected a non-empty input length, got 0"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 4, 0)), np.zeros((1, 1, 1, 1)), padding=2),
     ShapeError, "expected a non-empty input height and width, got (4, 0)"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=0),
     ConfigError, "'stride' parameter must be an int or a tuple of 2 ints, each >= 1, got 0"),
    (lambda c: conv1d_forward(np.zeros((1, 1, 5)), np.zeros((1, 1, 3)), padding=-1),
     ConfigError, "'padding' parameter must be an int, each >= 0, got -1"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), padding=(1, 2, 3)),
     ConfigError, "'padding'"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), padding="full"),
     ConfigError, "must be an int, a tuple of 2 ints, 'valid' or 'same', got 'full'"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), None, 2, "same"),
     ConfigError, "padding='same' is not supported for strided convolutions (stride=(2, 2))"),
    (lambda c: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), dilation=(1, 0)),
     ConfigError, "'dilation' parameter must be an int or a tuple of 2 ints, each >= 1"),
    (lambda c: conv1d_forward(np.zeros((1, 1, 5)), np.zeros((1, 1, 3)), groups=0), ConfigError,
     "'groups' parameter must be an int >= 1, got 0"),
    (lambda c: conv1d_forward(np.zeros((1, 2, 5)), np.zeros((2, 1, 3)), groups=2.0), ConfigError,
     "'groups' parameter must be an int"),
    (lambda c: conv2d_forward(np.full((1, 1, 5, 5), "a"), np.zeros((1, 1, 3, 3))), DTypeError,
     "expected float arrays"),
    (lambda c: conv2d_backward(np.zeros((1, 1, 2, 2)), c), ShapeError,
     "expected grad_out of shape (1, 1, 3, 3)"),
    (lambda c: conv2d_backward(np.full((1, 1, 3, 3), "a"), c), DTypeError,
     "conv2d_backward: expected a float grad_out, got an array of dtype <U1"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, fragment", BAD_CALLS)
def test_bad_inputs_raise_clear_errors_before_any_kernel(monkeypatch, backend, call, error,
                                                         fragment):
    """The same error on both backends, raised in Python: no kernel sees a wrong shape."""
    assert_refused_before_any_kernel(
        monkeypatch, backend, conv_module,
        ("im2col_1d", "im2col_2d", "col2im_1d", "col2im_2d", "columns_to_batch",
         "batch_to_columns"),
        lambda: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)))[1],
        call, error, fragment)


def test_the_kernel_guard_fires_when_a_kernel_runs(monkeypatch):
    """The check above is not vacuous: a valid call reaches a kernel and fails it."""
    with pytest.raises(AssertionError, match="a kernel ran"):
        assert_refused_before_any_kernel(
            monkeypatch, "numpy", conv_module, ("im2col_2d",), lambda: None,
            lambda valid: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3))),
            ShapeError, "")


@pytest.mark.parametrize("dims, groups", [(2, 1), (2, 2), (1, 1)])
def test_batch_chunks_give_the_whole_batch_result(monkeypatch, dims, groups):
    """One sample per chunk and the whole batch in one chunk: the same outputs and gradients."""
    import minnet.functional.conv as conv

    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4) + (6,) * dims)
    w = rng.standard_normal((6, 4 // groups) + (3,) * dims)
    b = rng.standard_normal(6)
    results = []
    for chunk_bytes in (1, 2**40):
        monkeypatch.setattr(conv, "CHUNK_BYTES", chunk_bytes)
        out, cache = conv.conv_forward("test", x, w, b, 1, 1, 1, groups, dims)
        assert len(cache.chunks) == (5 if chunk_bytes == 1 else 1)
        grad_out = np.random.default_rng(4).standard_normal(out.shape)
        results.append((out, *conv.conv_backward("test", grad_out, cache)))
    for chunked, whole in zip(*results):
        np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-12)
