"""Normalization layers: BatchNorm1d, BatchNorm2d and LayerNorm (PyTorch's definitions).

Weight normalization, which wraps another layer, lives in ``weight_norm.py``.
"""

import numbers

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError, DataError, ShapeError
from minnet.functional.batchnorm import (
    batchnorm_backward_alt,
    batchnorm_forward,
    batchnorm_running_stats,
)
from minnet.functional.layernorm import layernorm_backward, layernorm_forward
from minnet.validation import (
    as_array,
    as_float_array,
    check_axis_size,
    check_bool,
    check_float,
    check_int,
    check_ndim,
    owner_name,
)


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d; subclasses set the accepted layouts."""

    layouts = {}  # ndim -> layout text for messages, e.g. {2: "(N, {C})"}
    hints = {}  # ndim of a wrong input -> the layer that takes it

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__()
        name = type(self).__name__
        self.num_features = check_int(name, "num_features", num_features, minimum=1)
        self.eps = check_float(name, "eps", eps, low=0.0, low_open=True)
        if momentum is not None:
            momentum = check_float(name, "momentum", momentum, low=0.0, high=1.0)
        self.momentum = momentum
        self.affine = check_bool(name, "affine", affine)
        self.track_running_stats = check_bool(name, "track_running_stats", track_running_stats)
        shape = (self.num_features,)
        self.weight = Parameter(np.ones(shape)) if self.affine else None
        self.bias = Parameter(np.zeros(shape)) if self.affine else None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(shape))
            self.register_buffer("running_var", np.ones(shape))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")

    def check_loaded_state(self, name, value):
        """A running variance and a batch count are never negative (NaN passes, as in PyTorch)."""
        if name in ("running_var", "num_batches_tracked") and np.any(value < 0):
            what = "a variance" if name == "running_var" else "a count of batches"
            return (f"{what} is never negative, got {int(np.sum(value < 0))} negative "
                    f"value(s), the smallest {value.min()}")
        return None

    def _check_running_stats(self):
        """Refuse running statistics assigned with the wrong shape, kind or sign."""
        mean, var = self._buffers["running_mean"], self._buffers["running_var"]
        shape = (self.num_features,)
        if (type(mean) is np.ndarray and type(var) is np.ndarray and mean.shape == shape
                and var.shape == shape and mean.dtype.kind == "f" and var.dtype.kind == "f"
                and not var.min() < 0):  # NaN passes, as in PyTorch
            return
        for name in ("running_mean", "running_var"):
            value = as_array(self, self._buffers[name], what=name)
            if value.dtype.kind not in "biuf" or value.shape != (self.num_features,):
                raise ShapeError(
                    f"{owner_name(self)}: expected {name} to be a float array of shape "
                    f"({self.num_features},), got {type(value).__name__} of shape "
                    f"{value.shape} and dtype {value.dtype}")
        problem = self.check_loaded_state("running_var", np.asarray(self.running_var))
        if problem is not None:
            raise DataError(f"{owner_name(self)}: running_var holds negative values: {problem}; "
                            f"was it assigned by hand or loaded from a broken checkpoint?")

    def _check_input(self, x):
        layouts = [text.format(C=self.num_features) for text in self.layouts.values()]
        layout = " or ".join(layouts)
        check_ndim(self, x, tuple(self.layouts), layout, self.hints.get(x.ndim))
        check_axis_size(self, x, 1, self.num_features, layout)

    def forward(self, x):
        dtype = self.weight.dtype if self.affine else None
        x = as_float_array(self, x, dtype=dtype)
        self._check_input(x)
        count = x.size // self.num_features  # values per channel: N, N*L or N*H*W
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats and count <= 1:
            fix = ("call eval() to normalize with the running statistics" if self.training
                   else "track_running_stats=False uses batch statistics in eval() too")
            raise ShapeError(
                f"{owner_name(self)}: expected more than 1 value per channel when "
                f"training, got input of shape {tuple(x.shape)}; use a batch of at least 2 "
                f"samples, or {fix}")
        if self.track_running_stats:
            self._check_running_stats()
        gamma = self.weight.data if self.affine else np.ones(self.num_features, x.dtype)
        beta = self.bias.data if self.affine else np.zeros(self.num_features, x.dtype)
        if use_batch_stats:
            out, cache = batchnorm_forward(x, gamma, beta, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(cache.mean, cache.var, count)
        else:
            out, cache = batchnorm_forward(x, gamma, beta, self.eps,
                                           self.running_mean, self.running_var)
        self.push_cache((cache, x.shape))
        return out

    def _update_running_stats(self, batch_mean, batch_var, count):
        self.num_batches_tracked = np.array(self.num_batches_tracked + 1, dtype=np.int64)
        momentum = self.momentum
        if momentum is None:  # PyTorch: a cumulative (equal-weight) average over batches
            momentum = 1.0 / float(self.num_batches_tracked)
        self.running_mean, self.running_var = batchnorm_running_stats(
            self.running_mean, self.running_var, batch_mean, batch_var, count, momentum)

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx of the input's shape."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        grad_x, grad_gamma, grad_beta = batchnorm_backward_alt(grad_out, cache)
        if self.affine:
            self.weight.add_grad(grad_gamma)
            self.bias.add_grad(grad_beta)
        return grad_x


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences.

    ``y = weight * (x - mean) / sqrt(var + eps) + bias``, per channel C. In
    training, mean and (biased) var are the batch's, over N (and L), and the
    running statistics move toward them; in evaluation the running ones are
    used, so the output of a sample no longer depends on the rest of the batch.

    Parameters
    ----------
    num_features : int, C
    eps : float > 0, added to the variance (default 1e-5)
    momentum : float in [0, 1] or None
        Weight of the NEW batch statistic in the running average (PyTorch's
        meaning, default 0.1): ``running = (1 - momentum) * running + momentum
        * batch``. None: a cumulative average with equal weights.
    affine : bool, learn ``weight`` (ones) and ``bias`` (zeros)
    track_running_stats : bool; False normalizes with batch statistics in
        evaluation too and keeps no buffers

    Shapes: (N, C) or (N, C, L) -> same shape. Training needs more than one
    value per channel (N * L >= 2).
    State dict (PyTorch's): ``weight``, ``bias`` (C,), ``running_mean``,
    ``running_var`` (C,; the running variance is UNBIASED, divided by M - 1),
    ``num_batches_tracked`` (int64 scalar, counts training batches).
    """

    layouts = {2: "(N, {C})", 3: "(N, {C}, L)"}
    hints = {4: "use BatchNorm2d for (N, C, H, W) images"}


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images: statistics per channel over N, H and W.

    Parameters, state dict and behaviour as ``BatchNorm1d``. Training needs
    more than one value per channel (N * H * W >= 2).
    """

    layouts = {4: "(N, {C}, H, W)"}
    hints = {2: "use BatchNorm1d for (N, C) features",
             3: "use BatchNorm1d for (N, C, L) sequences"}


class LayerNorm(Module):
    """Layer normalization: each sample normalized over its trailing ``normalized_shape`` axes.

    ``y = weight * (x - mean) / sqrt(var + eps) + bias`` with mean and biased
    var computed per sample over the last ``len(normalized_shape)`` axes. No
    batch statistics: training and evaluation compute the same thing, and a
    batch of one is fine.

    Parameters
    ----------
    normalized_shape : int or tuple of int, the trailing shape, e.g. 64 or (C, H, W)
    eps : float > 0 (default 1e-5)
    elementwise_affine : bool, learn ``weight`` (ones) and ``bias`` (zeros) of
        ``normalized_shape``

    Shapes: (*, *normalized_shape) -> same shape.
    State dict (PyTorch's): ``weight``, ``bias`` of ``normalized_shape``.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral) and not isinstance(
                normalized_shape, bool):
            normalized_shape = (normalized_shape,)
        if (not isinstance(normalized_shape, (tuple, list)) or not normalized_shape
                or any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1
                       for n in normalized_shape)):
            raise ConfigError(
                f"LayerNorm: the 'normalized_shape' parameter must be a positive int or a "
                f"non-empty tuple of positive ints, got {normalized_shape!r}")
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = check_float("LayerNorm", "eps", eps, low=0.0, low_open=True)
        self.elementwise_affine = check_bool("LayerNorm", "elementwise_affine",
                                             elementwise_affine)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape))
            self.bias = Parameter(np.zeros(self.normalized_shape))
        else:
            self.weight = self.bias = None

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")

    def forward(self, x):
        x = as_float_array(self, x, dtype=self.weight.dtype if self.elementwise_affine else None)
        ndim = len(self.normalized_shape)
        if x.ndim < ndim or x.shape[x.ndim - ndim:] != self.normalized_shape:
            layout = "(*, " + ", ".join(str(n) for n in self.normalized_shape) + ")"
            axes = "axis" if ndim == 1 else f"{ndim} axes"
            raise ShapeError(f"{owner_name(self)}: expected input of shape {layout} (normalized "
                             f"over the last {axes}), got {tuple(x.shape)}")
        if self.elementwise_affine:
            gamma, beta = self.weight.data, self.bias.data
        else:
            gamma = np.ones(self.normalized_shape, x.dtype)
            beta = np.zeros(self.normalized_shape, x.dtype)
        out, cache = layernorm_forward(x, gamma, beta, ndim, self.eps)
        self.push_cache((cache, x.shape))
        return out

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx of the input's shape."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        grad_x, grad_gamma, grad_beta = layernorm_backward(grad_out, cache)
        if self.elementwise_affine:
            self.weight.add_grad(grad_gamma)
            self.bias.add_grad(grad_beta)
        return grad_x
