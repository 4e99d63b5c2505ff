"""Linear: the fully connected layer."""

import math

from minnet.core import Module, Parameter
from minnet.errors import ShapeError
from minnet.functional.linear import linear_backward_into, linear_forward
from minnet.init import get_initializer, zeros
from minnet.random import make_rng
from minnet.validation import as_float_array, check_bool, check_int, owner_name


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    init : str or callable
        Weight initializer by name (``"he"`` = Kaiming normal, ``"xavier"``,
        ``"lecun"``, ``"orthogonal"``, ``"pytorch"``, ... see ``minnet.init``).
        The bias starts at zero.
    rng : None, int or numpy.random.Generator
    input_grad : bool
        True (default): ``backward`` returns dL/dx. False: ``backward`` returns
        None and skips that product, for a first layer whose input is data (PyTorch
        skips it for inputs that do not require grad); it saves one matrix
        product as large as the weight gradient's, 10-20% of an MLP step.
        Only the first layer may set it: a layer before it would get None.

    Shapes: input (N, in_features) -> output (N, out_features); as in PyTorch,
    (N, *, in_features) -> (N, *, out_features): the same map at every leading
    position (every time step of a sequence, say). A 1-d input is refused
    (PyTorch would read it as one sample): add the batch axis.
    State dict: ``weight`` (out_features, in_features), ``bias`` (out_features,).
    """

    def __init__(self, in_features, out_features, bias=True, init="he", rng=None,
                 input_grad=True):
        super().__init__()
        self.in_features = check_int("Linear", "in_features", in_features, minimum=1)
        self.out_features = check_int("Linear", "out_features", out_features, minimum=1)
        initializer = get_initializer(init, owner="Linear")
        shape = (self.out_features, self.in_features)
        bias = check_bool("Linear", "bias", bias)
        self.weight = Parameter(initializer(shape, rng=make_rng(rng)))
        self.bias = Parameter(zeros((self.out_features,))) if bias else None
        self.input_grad = check_bool("Linear", "input_grad", input_grad)

    def extra_repr(self):
        text = (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
        return text if self.input_grad else text + ", input_grad=False"

    def forward(self, x):
        x = as_float_array(self, x, dtype=self.weight.dtype)
        if x.ndim < 2 or x.shape[-1] != self.in_features:
            raise ShapeError(self._input_shape_message(x.shape))
        bias = self.bias.data if self.bias is not None else None
        out, cache = linear_forward(x, self.weight.data, bias)
        self.push_cache(cache)
        return out

    def _input_shape_message(self, shape):
        message = (f"{owner_name(self)}: expected input of shape (N, *, {self.in_features}), "
                   f"got {shape}")
        if len(shape) < 2:
            return message + "; add the batch axis: x.reshape(1, -1) is one sample"
        if len(shape) > 2 and math.prod(shape[1:]) == self.in_features:
            return message + "; did you forget Flatten()?"
        return message

    def backward(self, grad_out):
        """Add dL/dweight and dL/dbias into ``.grad``; return dL/dx of the input's shape.

        Returns None instead when the layer was built with ``input_grad=False``.
        """
        cache = self.pop_cache(grad_out, lambda cache: cache[0].shape[:-1] + (self.out_features,))
        target = self.weight.fresh_grad()  # dW written straight into a zeroed .grad
        grad_x, grad_w, grad_b = linear_backward_into(grad_out, cache, self.input_grad, target)
        if target is None:
            self.weight.add_grad(grad_w)
        if self.bias is not None:
            self.bias.add_grad(grad_b)
        return grad_x
