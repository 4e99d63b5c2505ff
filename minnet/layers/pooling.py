"""MaxPool1d, MaxPool2d and AvgPool2d: thin modules around ``minnet.functional.pooling``.

They have no parameters and keep the input's float dtype (float32 in,
float32 out). ``stride`` defaults to ``kernel_size``; ``padding`` may be at
most half the kernel (PyTorch's rule); output sizes follow PyTorch's floor
formula ``(size + 2 * padding - kernel) // stride + 1``.
"""

from minnet.core import Module
from minnet.functional import pooling as F
from minnet.functional.windows import output_shape
from minnet.validation import as_float_array, check_ndim


class _Pool(Module):
    """What the pooling layers share: argument checks, input checks, the cache."""

    dims = None
    pair = None  # (forward, backward) from minnet.functional.pooling

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = F.pool_arguments(
            type(self).__name__, kernel_size, stride, padding, self.dims)

    def extra_repr(self):
        show = (lambda t: t[0]) if self.dims == 1 else (lambda t: t)
        return (f"kernel_size={show(self.kernel_size)}, stride={show(self.stride)}, "
                f"padding={show(self.padding)}")

    def forward(self, x):
        x = as_float_array(self, x)
        layout = "(N, C, L)" if self.dims == 1 else "(N, C, H, W)"
        hint = None
        if x.ndim == self.dims + 1:
            hint = "add a channel axis x[:, None], or a batch axis x[None] for one sample"
        check_ndim(self, x, (self.dims + 2,), layout, hint)
        output_shape(self, x.shape, self.kernel_size, self.stride, self.padding)
        out, cache = self.pair[0](x, self.kernel_size, self.stride, self.padding)
        self.push_cache((cache, out.shape))
        return out

    def backward(self, grad_out):
        """Return dL/dx, the shape of the forward input."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        return self.pair[1](grad_out, cache)


class MaxPool1d(_Pool):
    """Maximum over windows of a sequence: (N, C, L) -> (N, C, L_out).

    Parameters
    ----------
    kernel_size : int
    stride : int or None (None: kernel_size, as in PyTorch)
    padding : int, at most kernel_size // 2 (padding never wins the maximum)
    """

    dims = 1
    pair = (F.max_pool1d_forward, F.max_pool1d_backward)


class MaxPool2d(_Pool):
    """Maximum over windows of an image: (N, C, H, W) -> (N, C, H_out, W_out).

    The gradient goes to the input that was the maximum (the first one on a tie).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None (None: kernel_size, as in PyTorch)
    padding : int or (int, int), at most half the kernel (padding never wins)
    """

    dims = 2
    pair = (F.max_pool2d_forward, F.max_pool2d_backward)


class AvgPool2d(_Pool):
    """Mean over windows of an image: (N, C, H, W) -> (N, C, H_out, W_out).

    Zero padding counts in the mean (PyTorch's ``count_include_pad=True``).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None (None: kernel_size, as in PyTorch)
    padding : int or (int, int), at most half the kernel
    """

    dims = 2
    pair = (F.avg_pool2d_forward, F.avg_pool2d_backward)
