"""GroupNorm: normalization per sample over groups of channels (PyTorch's definition)."""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError, ShapeError
from minnet.functional.groupnorm import (
    check_groupnorm_input,
    groupnorm_backward,
    groupnorm_forward,
)
from minnet.validation import as_float_array, check_bool, check_float, check_int, owner_name


class GroupNorm(Module):
    """Normalize each sample over groups of ``num_channels / num_groups`` channels.

    ``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]``, with mean and
    biased var per sample and group (over the group's channels and all their
    positions). No batch statistics, so it works with a batch of one and
    behaves the same in training and evaluation; ``num_groups=1`` normalizes
    each sample over all of (C, *), ``num_groups=num_channels`` each channel alone.

    Parameters
    ----------
    num_groups : int >= 1, dividing num_channels
    num_channels : int C >= 1
    eps : float > 0 (default 1e-5)
    affine : bool, learn a per-channel ``weight`` (ones) and ``bias`` (zeros)
    bias : bool, keyword only, with affine: learn the bias too (PyTorch's ``bias``)

    Shapes: (N, C, *) -> same shape, e.g. (N, C), (N, C, L), (N, C, H, W).
    State dict (PyTorch's): ``weight`` (C,), ``bias`` (C,) when affine.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, *, bias=True):
        super().__init__()
        self.num_groups = check_int("GroupNorm", "num_groups", num_groups, minimum=1)
        self.num_channels = check_int("GroupNorm", "num_channels", num_channels, minimum=1)
        if self.num_channels % self.num_groups:
            raise ConfigError(f"GroupNorm: num_channels ({self.num_channels}) must be divisible "
                              f"by num_groups ({self.num_groups})")
        self.eps = check_float("GroupNorm", "eps", eps, low=0.0, low_open=True)
        self.affine = check_bool("GroupNorm", "affine", affine)
        has_bias = check_bool("GroupNorm", "bias", bias)
        shape = (self.num_channels,)
        self.weight = Parameter(np.ones(shape)) if self.affine else None
        self.bias = Parameter(np.zeros(shape)) if self.affine and has_bias else None

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")

    def forward(self, x):
        x = as_float_array(self, x, dtype=self.weight.dtype if self.affine else None)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(f"{owner_name(self)}: expected input of shape "
                             f"(N, {self.num_channels}, *), got {tuple(x.shape)}")
        check_groupnorm_input(self, x, self.num_groups)
        gamma = self.weight.data if self.weight is not None else None
        beta = self.bias.data if self.bias is not None else None
        out, cache = groupnorm_forward(x, self.num_groups, gamma, beta, self.eps)
        self.push_cache(cache)
        return out

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx of the input's shape."""
        cache = self.pop_cache(grad_out, lambda cache: cache.input_shape)
        grad_x, grad_gamma, grad_beta = groupnorm_backward(grad_out, cache)
        if self.weight is not None:
            self.weight.add_grad(grad_gamma)
        if self.bias is not None:
            self.bias.add_grad(grad_beta)
        return grad_x
