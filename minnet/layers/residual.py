"""Residual: a skip connection around any block, ``out = x + block(x)``."""

from minnet.core import Module
from minnet.errors import ConfigError, MinnetError, ShapeError
from minnet.validation import as_float_array


class Residual(Module):
    """``out = x + block(x)`` (He et al., 2016).

    The identity path hands the upstream gradient straight to the input, so
    deep stacks of residual blocks do not suffer vanishing gradients.

    Parameters
    ----------
    block : Module
        Must map an input of shape S to an output of the same shape S. It is
        registered as the child ``block``, so its state_dict keys are
        ``block.weight``, ``block.0.bias``, ...

    Shapes: input S -> output S (any S the block accepts).
    """

    def __init__(self, block):
        super().__init__()
        if not isinstance(block, Module):
            raise ConfigError(
                f"Residual: the 'block' parameter must be a Module, got "
                f"{type(block).__name__}; did you pass a class instead of an instance?"
            )
        self.block = block

    def forward(self, x):
        # The block's dtype decides (a layer computes in its parameters' dtype),
        # so the sum does not silently promote a float32 model to float64.
        x = as_float_array(self, x, dtype=self.block.dtype)
        out = as_float_array(self, self.block(x), what="output from the block")
        if out.shape != x.shape:
            raise ShapeError(
                f"Residual: expected the block's output to have the input's shape "
                f"{x.shape}, got {out.shape} from {type(self.block).__name__}; "
                f"x + block(x) needs a block that preserves the shape"
            )
        self.push_cache(x.shape)
        return x + out

    def backward(self, grad_out):
        """Backpropagate through the block; return dL/dx of the input's shape."""
        # out = x + block(x) gives dL/dx = grad_out (identity path)
        # + the block's input gradient (the block also adds into its parameters' .grad).
        self.pop_cache(grad_out, lambda input_shape: input_shape)
        block_grad = self.block.backward(grad_out)
        if block_grad is None:
            raise MinnetError(
                f"Residual: the block {type(self.block).__name__} returned no input gradient "
                f"(its first layer was built with input_grad=False); inside a Residual the "
                f"block's input is not data, so it needs input_grad=True")
        return grad_out + block_grad
