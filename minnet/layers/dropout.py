"""Dropout and Dropout2d: inverted dropout with the layer's own random generator."""

from minnet.core import Module
from minnet.functional.dropout import (
    dropout2d_forward,
    dropout2d_hint,
    dropout_backward,
    dropout_forward,
)
from minnet.random import make_rng
from minnet.validation import as_float_array, check_float, check_ndim


class Dropout(Module):
    """Zero each entry with probability ``p`` in training, scale the rest by ``1 / (1 - p)``.

    In evaluation (``model.eval()``) the layer is the identity. The expected
    output in training equals the input, so no rescaling is needed at test time.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of DROPPING an entry (PyTorch's meaning; default 0.5).
    rng : None, int or numpy.random.Generator
        The generator the masks are drawn from (kept as ``self.rng``); the
        same seed gives the same masks.

    Shapes: input of any shape -> output of the same shape and float dtype.
    No parameters, empty state_dict.
    """

    drop = staticmethod(dropout_forward)  # the functional forward: entries or channels

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = check_float(type(self).__name__, "p", p, low=0.0, high=1.0, high_open=True)
        self.rng = make_rng(rng)

    def extra_repr(self):
        return f"p={self.p}"

    def check_input(self, x):
        """Hook for subclasses with shape requirements (Dropout2d's (N, C, H, W))."""

    def forward(self, x):
        x = as_float_array(self, x)
        self.check_input(x)
        out, cache = self.drop(x, self.p, self.training, self.rng)
        self.push_cache(cache)
        return out

    def backward(self, grad_out):
        """Return dL/dx: ``grad_out`` times the mask of its forward (as is in eval)."""
        cache = self.pop_cache(grad_out, lambda cache: cache[1])
        grad_out = as_float_array(self, grad_out, what="grad_out")
        return dropout_backward(grad_out, cache)


class Dropout2d(Dropout):
    """Zero whole channels: each (sample, channel) feature map is dropped with probability ``p``.

    PyTorch's ``Dropout2d``: in training every channel of every sample is
    zeroed with probability ``p`` (all its H x W entries together) and the
    kept channels are scaled by ``1 / (1 - p)``; in evaluation the layer is
    the identity. Use it after convolutions, whose neighbouring pixels are so
    correlated that entry-wise Dropout barely regularizes them.

    Parameters
    ----------
    p : float in [0, 1), the probability of dropping a channel (default 0.5)
    rng : None, int or numpy.random.Generator, as in ``Dropout``

    Shapes: (N, C, H, W) -> (N, C, H, W). Only 4-d input: PyTorch reads a 3-d
    input as (N, C, L) with a warning that it will later read it as one
    unbatched image (C, H, W); minnet refuses it and says how to reshape.
    """

    drop = staticmethod(dropout2d_forward)

    def __init__(self, p=0.5, rng=None):
        super().__init__(p, rng)

    def check_input(self, x):
        check_ndim(self, x, (4,), "(N, C, H, W)", dropout2d_hint(x.ndim))
