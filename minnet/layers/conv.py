"""Conv1d and Conv2d: thin modules around ``minnet.functional.conv``."""

import math

from minnet.core import Module, Parameter
from minnet.errors import ShapeError
from minnet.functional.conv import conv1d_backward, conv1d_forward, conv2d_backward, conv2d_forward
from minnet.functional.windows import as_tuple, output_shape
from minnet.init import get_initializer, zeros
from minnet.random import make_rng
from minnet.validation import (
    as_float_array,
    check_bool,
    check_int,
    check_ndim,
    owner_name,
)


class _ConvNd(Module):
    """What Conv1d and Conv2d share: parameters, argument checks, input checks."""

    dims = None  # number of spatial axes
    layout = None  # the input's layout, for messages
    pair = None  # (forward, backward) from minnet.functional.conv

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 init="he", rng=None, input_grad=True):
        super().__init__()
        name = type(self).__name__
        self.in_channels = check_int(name, "in_channels", in_channels, minimum=1)
        self.out_channels = check_int(name, "out_channels", out_channels, minimum=1)
        self.kernel_size = as_tuple(name, "kernel_size", kernel_size, self.dims, minimum=1)
        self.stride = as_tuple(name, "stride", stride, self.dims, minimum=1)
        self.padding = as_tuple(name, "padding", padding, self.dims, minimum=0)
        self.input_grad = check_bool(name, "input_grad", input_grad)
        bias = check_bool(name, "bias", bias)
        initializer = get_initializer(init, owner=name)
        generator = make_rng(rng)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(initializer(shape, rng=generator))
        self.bias = None
        if bias and init == "pytorch":  # PyTorch draws the bias from U(-1/sqrt(fan_in), ..) too
            bound = 1.0 / math.sqrt(self.in_channels * math.prod(self.kernel_size))
            self.bias = Parameter(generator.uniform(-bound, bound, size=self.out_channels))
        elif bias:
            self.bias = Parameter(zeros((self.out_channels,)))

    def extra_repr(self):
        show = (lambda t: t[0]) if self.dims == 1 else (lambda t: t)
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={show(self.kernel_size)}, "
                f"stride={show(self.stride)}, padding={show(self.padding)}, "
                f"bias={self.bias is not None}")
        return text if self.input_grad else text + ", input_grad=False"

    def _ndim_hint(self, x):
        if x.ndim == self.dims + 1 and self.in_channels == 1:
            return "add a channel axis: x[:, None]"
        if x.ndim == self.dims + 1 and x.shape[0] == self.in_channels:
            return "for a single sample add a batch axis: x[None]"
        if x.ndim == 2 and self.dims == 2:
            return "a flat batch needs reshaping to (N, C, H, W), e.g. x.reshape(-1, 1, 28, 28)"
        return None

    def forward(self, x):
        x = as_float_array(self, x, dtype=self.weight.dtype)
        check_ndim(self, x, (self.dims + 2,), self.layout, self._ndim_hint(x))
        if x.shape[1] != self.in_channels:
            hint = ("; channels last? move them first: x.transpose(0, 3, 1, 2)"
                    if self.dims == 2 and x.shape[-1] == self.in_channels else "")
            raise ShapeError(f"{owner_name(self)}: expected input of shape {self.layout} with "
                             f"{self.in_channels} channels on axis 1, got {x.shape}{hint}")
        output_shape(self, x.shape, self.kernel_size, self.stride, self.padding)
        bias = self.bias.data if self.bias is not None else None
        out, cache = self.pair[0](x, self.weight.data, bias, self.stride, self.padding)
        self.push_cache((cache, out.shape))
        return out

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx (the input's shape).

        Returns None instead when the layer was built with ``input_grad=False``.
        """
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        grad_x, grad_w, grad_b = self.pair[1](grad_out, cache, self.input_grad)
        self.weight.add_grad(grad_w)
        if self.bias is not None:
            self.bias.add_grad(grad_b)
        return grad_x


class Conv1d(_ConvNd):
    """1d convolution (cross-correlation, as in PyTorch) over sequences.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding : int (zero padding on both ends)
    bias : bool
    init : str or callable
        Weight initializer (``"he"`` = Kaiming normal, see ``minnet.init``); the
        bias starts at zero, except with ``"pytorch"``, which draws weight and
        bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as PyTorch does.
    rng : None, int or numpy.random.Generator
    input_grad : bool
        False: ``backward`` returns None and skips dL/dx (a matrix product and a
        col2im), for a first layer whose input is data, as PyTorch skips it for
        inputs that do not require grad. Only a model's first layer may set it.

    Shapes: input (N, in_channels, L) -> output (N, out_channels, L_out),
    L_out = (L + 2 * padding - kernel_size) // stride + 1.
    State dict: ``weight`` (out_channels, in_channels, kernel_size), ``bias`` (out_channels,).
    """

    dims = 1
    pair = (conv1d_forward, conv1d_backward)

    @property
    def layout(self):
        return f"(N, {self.in_channels}, L)"


class Conv2d(_ConvNd):
    """2d convolution (cross-correlation, as in PyTorch) over images.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding : int or (int, int) (zero padding on both sides)
    bias : bool
    init : str or callable
        Weight initializer (``"he"`` = Kaiming normal, see ``minnet.init``); the
        bias starts at zero, except with ``"pytorch"``, which draws weight and
        bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as PyTorch does.
    rng : None, int or numpy.random.Generator
    input_grad : bool
        False: ``backward`` returns None and skips dL/dx (a matrix product and a
        col2im), for a first layer whose input is data, as PyTorch skips it for
        inputs that do not require grad. Only a model's first layer may set it.

    Shapes: input (N, in_channels, H, W) -> output (N, out_channels, H_out, W_out),
    H_out = (H + 2 * padding_h - kernel_h) // stride_h + 1, and W_out likewise.
    State dict: ``weight`` (out_channels, in_channels, kernel_h, kernel_w), ``bias``
    (out_channels,).
    """

    dims = 2
    pair = (conv2d_forward, conv2d_backward)

    @property
    def layout(self):
        return f"(N, {self.in_channels}, H, W)"
