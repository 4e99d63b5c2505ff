"""Max, average and adaptive average pooling: thin modules around ``minnet.functional``.

They have no parameters and keep the input's float dtype (float32 in,
float32 out). Arguments, defaults and their order are PyTorch's: ``stride``
defaults to ``kernel_size``; ``padding`` may be at most half the kernel;
output sizes follow PyTorch's formula
``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1``,
rounded up instead with ``ceil_mode=True`` (the last window must start
inside the input or the left padding). A wrong argument names the public
class (``MaxPool2d: unknown argument ...``): Module checks every constructor
call against the signature.
"""

from minnet.core import Module
from minnet.functional.adaptive_pooling import (
    adaptive_avg_pool_backward,
    adaptive_avg_pool_forward,
    adaptive_output_size,
)
from minnet.functional.pooling import (
    avg_pool_backward,
    avg_pool_forward,
    check_divisor_override,
    indices_of,
    max_pool_backward,
    max_pool_forward,
    pool_arguments,
)
from minnet.validation import as_float_array, check_bool, check_ndim


class _Pool(Module):
    """What the pooling layers share: the input's rank check and the cache."""

    dims = None

    def _check_input(self, x):
        x = as_float_array(self, x)
        layout = "(N, C, L)" if self.dims == 1 else "(N, C, H, W)"
        hint = None
        if x.ndim == self.dims + 1:
            hint = "add a channel axis x[:, None], or a batch axis x[None] for one sample"
        check_ndim(self, x, (self.dims + 2,), layout, hint)
        return x

    def _show(self, sizes):
        return sizes[0] if self.dims == 1 else sizes

    def backward(self, grad_out):
        """Return dL/dx, the shape of the forward input."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        return self._backward(grad_out, cache)


class _MaxPool(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        self.kernel_size, self.stride, self.padding, self.dilation = pool_arguments(
            name, kernel_size, stride, padding, self.dims, dilation)
        self.return_indices = check_bool(name, "return_indices", return_indices)
        self.ceil_mode = check_bool(name, "ceil_mode", ceil_mode)

    def extra_repr(self):
        text = (f"kernel_size={self._show(self.kernel_size)}, stride={self._show(self.stride)}, "
                f"padding={self._show(self.padding)}")
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self._show(self.dilation)}"
        if self.return_indices:
            text += ", return_indices=True"
        return text + (", ceil_mode=True" if self.ceil_mode else "")

    def forward(self, x):
        """The maxima (N, C, *out); with ``return_indices=True`` also their indices, int64."""
        out, cache = max_pool_forward(self, self._check_input(x), self.kernel_size, self.stride,
                                      self.padding, self.dilation, self.ceil_mode, self.dims)
        self.push_cache((cache, out.shape))
        return (out, indices_of(cache)) if self.return_indices else out

    def _backward(self, grad_out, cache):
        return max_pool_backward(self, grad_out, cache)


class MaxPool1d(_MaxPool):
    """Maximum over windows of a sequence: (N, C, L) -> (N, C, L_out).

    The gradient goes to the input that was the maximum (the first one on a tie).

    Parameters
    ----------
    kernel_size : int
    stride : int or None (None: kernel_size, as in PyTorch)
    padding : int, at most kernel_size // 2 (padding never wins the maximum)
    dilation : int, the distance between a window's taps
    return_indices : bool; True: forward returns (out, indices), the position in
        [0, L) of each maximum (int64), as PyTorch's
    ceil_mode : bool; True: round the number of windows up
    """

    dims = 1


class MaxPool2d(_MaxPool):
    """Maximum over windows of an image: (N, C, H, W) -> (N, C, H_out, W_out).

    The gradient goes to the input that was the maximum (the first one on a tie).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None (None: kernel_size, as in PyTorch)
    padding : int or (int, int), at most half the kernel (padding never wins)
    dilation : int or (int, int), the distance between a window's taps
    return_indices : bool; True: forward returns (out, indices), the flat index
        row * W + col of each maximum in its (H, W) plane (int64), as PyTorch's
    ceil_mode : bool; True: round the number of windows up
    """

    dims = 2


class _AvgPool(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size, self.stride, self.padding, _ = pool_arguments(
            name, kernel_size, stride, padding, self.dims)
        self.ceil_mode = check_bool(name, "ceil_mode", ceil_mode)
        self.count_include_pad = check_bool(name, "count_include_pad", count_include_pad)
        self.divisor_override = check_divisor_override(name, divisor_override)

    def extra_repr(self):
        text = (f"kernel_size={self._show(self.kernel_size)}, stride={self._show(self.stride)}, "
                f"padding={self._show(self.padding)}")
        if self.ceil_mode:
            text += ", ceil_mode=True"
        if not self.count_include_pad:
            text += ", count_include_pad=False"
        if self.divisor_override is not None:
            text += f", divisor_override={self.divisor_override}"
        return text

    def forward(self, x):
        out, cache = avg_pool_forward(self, self._check_input(x), self.kernel_size, self.stride,
                                      self.padding, self.ceil_mode, self.count_include_pad,
                                      self.divisor_override, self.dims)
        self.push_cache((cache, out.shape))
        return out

    def _backward(self, grad_out, cache):
        return avg_pool_backward(self, grad_out, cache)


class AvgPool1d(_AvgPool):
    """Mean over windows of a sequence: (N, C, L) -> (N, C, L_out).

    Parameters
    ----------
    kernel_size : int
    stride : int or None (None: kernel_size, as in PyTorch)
    padding : int, at most kernel_size // 2 (zeros)
    ceil_mode : bool; True: round the number of windows up
    count_include_pad : bool; True: the zero padding counts in each window's
        divisor (but not the part of a ceil_mode window past the right padding)
    """

    dims = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):  # no divisor_override in 1d, as in PyTorch
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(_AvgPool):
    """Mean over windows of an image: (N, C, H, W) -> (N, C, H_out, W_out).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None (None: kernel_size, as in PyTorch)
    padding : int or (int, int), at most half the kernel (zeros)
    ceil_mode : bool; True: round the number of windows up
    count_include_pad : bool; True: the zero padding counts in each window's
        divisor (but not the part of a ceil_mode window past the right padding)
    divisor_override : None or int >= 1; the divisor of every window
    """

    dims = 2


class _AdaptiveAvgPool(_Pool):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = adaptive_output_size(type(self).__name__, output_size, self.dims)

    def extra_repr(self):
        return f"output_size={self._show(self.output_size)}"

    def forward(self, x):
        out, cache = adaptive_avg_pool_forward(self, self._check_input(x), self.output_size,
                                               self.dims)
        self.push_cache((cache, out.shape))
        return out

    def _backward(self, grad_out, cache):
        return adaptive_avg_pool_backward(self, grad_out, cache)


class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """Mean over windows chosen to give ``output_size`` outputs: (N, C, L) -> (N, C, output_size).

    Window i covers [floor(i * L / out), ceil((i + 1) * L / out)), PyTorch's
    formula: windows may differ by one in size, and overlap when ``out`` does
    not divide L.

    Parameters
    ----------
    output_size : int >= 1
    """

    dims = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """Mean over windows chosen to give ``output_size``: (N, C, H, W) -> (N, C, H_out, W_out).

    Windows follow PyTorch's formula along each axis (see AdaptiveAvgPool1d);
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Parameters
    ----------
    output_size : int, or (int or None, int or None); None keeps the input's size
    """

    dims = 2
