"""The maths: pure forward/backward pairs, ``op_forward(...) -> (out, cache)``,
``op_backward(grad_out, cache) -> grads``. No state, nothing modified in place."""

from minnet.functional.linear import linear_backward, linear_forward  # noqa: F401
