"""Conv1d and Conv2d: thin modules around ``minnet.functional.conv``.

The arguments are PyTorch's, in PyTorch's order: ``in_channels,
out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
bias=True``; minnet's own options (``init``, ``rng``, ``input_grad``) are
keyword-only, so a PyTorch call never lands one of them by position.
"""

import math

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError, ShapeError
from minnet.functional.conv import conv_backward, conv_forward
from minnet.functional.windows import as_tuple, conv_padding
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
    """What Conv1d and Conv2d share: parameters, argument checks, input checks.

    A wrong argument names the public class (``Conv2d: unknown argument ...``):
    Module checks every constructor call against this signature.
    """

    dims = None  # number of spatial axes

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, *, init="he", rng=None, input_grad=True):
        super().__init__()
        name = type(self).__name__
        self.in_channels = check_int(name, "in_channels", in_channels, minimum=1)
        self.out_channels = check_int(name, "out_channels", out_channels, minimum=1)
        self.kernel_size = as_tuple(name, "kernel_size", kernel_size, self.dims, minimum=1)
        self.stride = as_tuple(name, "stride", stride, self.dims, minimum=1)
        self.dilation = as_tuple(name, "dilation", dilation, self.dims, minimum=1)
        self.groups = check_int(name, "groups", groups, minimum=1)
        for what, count in (("in_channels", self.in_channels),
                            ("out_channels", self.out_channels)):
            if count % self.groups:
                raise ConfigError(f"{name}: {what}={count} must be divisible by "
                                  f"groups={self.groups}, as in PyTorch")
        # As PyTorch, keep "same" or "valid" as given (checked here: "same" needs stride
        # 1), ints as a tuple; the functional layer turns them into (left, right) pairs.
        pairs = conv_padding(name, padding, self.kernel_size, self.stride, self.dilation)
        self.padding = padding if isinstance(padding, str) else tuple(left for left, _ in pairs)
        self.input_grad = check_bool(name, "input_grad", input_grad)
        bias = check_bool(name, "bias", bias)
        initializer = get_initializer(init, owner=name)
        try:
            generator = make_rng(rng)
        except ConfigError as error:
            raise ConfigError(f"{name}: {error}") from None
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        weight = np.asarray(initializer(shape, rng=generator))
        if weight.shape != shape:
            raise ConfigError(f"{name}: the init callable returned an array of shape "
                              f"{weight.shape}, expected the weight's shape {shape}")
        self.weight = Parameter(weight)
        self.bias = None
        if bias and init == "pytorch":  # PyTorch draws the bias from U(-1/sqrt(fan_in), ..) too
            bound = 1.0 / math.sqrt(math.prod(shape[1:]))  # fan_in = in / groups * kernel
            self.bias = Parameter(generator.uniform(-bound, bound, size=self.out_channels))
        elif bias:
            self.bias = Parameter(zeros((self.out_channels,)))

    @property
    def layout(self):
        """The input's layout, for messages: ``(N, 3, H, W)``."""
        return f"(N, {self.in_channels}, {'L' if self.dims == 1 else 'H, W'})"

    def extra_repr(self):
        show = (lambda t: t[0]) if self.dims == 1 else (lambda t: t)
        padding = self.padding if isinstance(self.padding, str) else show(self.padding)
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={show(self.kernel_size)}, "
                f"stride={show(self.stride)}, padding={padding}")
        if any(d != 1 for d in self.dilation):
            text += f", dilation={show(self.dilation)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        text += f", bias={self.bias is not None}"
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
        bias = self.bias.data if self.bias is not None else None
        out, cache = conv_forward(self, x, self.weight.data, bias, self.stride, self.padding,
                                  self.dilation, self.groups, self.dims)
        self.push_cache((cache, out.shape))
        return out

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx (the input's shape).

        Returns None instead when the layer was built with ``input_grad=False``.
        """
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        grad_x, grad_w, grad_b = conv_backward(self, grad_out, cache, self.input_grad)
        self.weight.add_grad(grad_w)
        if self.bias is not None:
            self.bias.add_grad(grad_b)
        return grad_x


_PARAMETERS = """
    Parameters
    ----------
    in_channels, out_channels : int, each divisible by ``groups``
    kernel_size, stride, dilation : {form}, each >= 1; ``dilation`` spaces the
        kernel's taps (a 3-tap kernel with dilation 2 spans 5 inputs)
    padding : {form} (zeros on both sides), ``"valid"`` (none) or ``"same"``
        (the output keeps the input's size; stride 1 only; an odd total padding
        puts the extra zero on the right, as in PyTorch)
    groups : int >= 1; the channels split into ``groups`` blocks, each filter
        sees one block (``groups=in_channels`` is a depthwise convolution)
    bias : bool
    init : str or callable, keyword-only
        Weight initializer (``"he"`` = Kaiming normal, see ``minnet.init``); the
        bias starts at zero, except with ``"pytorch"``, which draws weight and
        bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as PyTorch does, with
        fan_in = in_channels / groups * kernel elements.
    rng : None, int or numpy.random.Generator, keyword-only
    input_grad : bool, keyword-only
        False: ``backward`` returns None and skips dL/dx (a matrix product and a
        col2im), for a first layer whose input is data, as PyTorch skips it for
        inputs that do not require grad. Only a model's first layer may set it.
"""


class Conv1d(_ConvNd):
    __doc__ = """1d convolution (cross-correlation, as in PyTorch) over sequences.
    {parameters}
    Shapes: input (N, in_channels, L) -> output (N, out_channels, L_out),
    L_out = (L + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1.
    State dict: ``weight`` (out_channels, in_channels / groups, kernel_size),
    ``bias`` (out_channels,), as PyTorch's.
    """.format(parameters=_PARAMETERS.format(form="int"))

    dims = 1


class Conv2d(_ConvNd):
    __doc__ = """2d convolution (cross-correlation, as in PyTorch) over images.
    {parameters}
    Shapes: input (N, in_channels, H, W) -> output (N, out_channels, H_out, W_out),
    H_out = (H + 2 * padding_h - dilation_h * (kernel_h - 1) - 1) // stride_h + 1,
    and W_out likewise.
    State dict: ``weight`` (out_channels, in_channels / groups, kernel_h, kernel_w),
    ``bias`` (out_channels,), as PyTorch's.
    """.format(parameters=_PARAMETERS.format(form="int or (int, int)"))

    dims = 2
