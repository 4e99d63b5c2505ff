"""Dropout: inverted dropout with its own random generator."""

from minnet.core import Module
from minnet.functional.dropout import dropout_backward, dropout_forward
from minnet.random import make_rng
from minnet.validation import as_float_array, check_float


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

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = check_float("Dropout", "p", p, low=0.0, high=1.0, high_open=True)
        self.rng = make_rng(rng)

    def extra_repr(self):
        return f"p={self.p}"

    def forward(self, x):
        x = as_float_array(self, x)
        out, cache = dropout_forward(x, self.p, self.training, self.rng)
        self.push_cache((cache, x.shape))
        return out

    def backward(self, grad_out):
        """Return dL/dx: ``grad_out`` times the mask of its forward (as is in eval)."""
        cache, _ = self.pop_cache(grad_out, lambda entry: entry[1])
        grad_out = as_float_array(self, grad_out, what="grad_out")
        return dropout_backward(grad_out, cache)
