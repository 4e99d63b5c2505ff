"""The maths: pure forward/backward pairs.

``op_forward(...) -> (out, cache)`` and ``op_backward(grad_out, cache) -> grads``:
no state, nothing modified in place, shapes in every docstring, the
derivation above every backward. This is what an exercise asks a student to
write and what a gradient check tests most directly.
"""

from minnet.functional.activations import (  # noqa: F401
    PAIRS,
    elu_backward,
    elu_forward,
    erf,
    erfc,
    gelu_backward,
    gelu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from minnet.functional.linear import linear_backward, linear_forward  # noqa: F401
from minnet.functional.losses import (  # noqa: F401
    bce_with_logits_backward,
    bce_with_logits_forward,
    cross_entropy_backward,
    cross_entropy_forward,
    mse_backward,
    mse_forward,
)
