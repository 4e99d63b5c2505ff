"""Loss functions as pure forward/backward pairs, with PyTorch's options.

``loss_forward(pred, target, ..., reduction="mean") -> (loss, cache)``: the
loss is a Python float for ``reduction="mean"`` or ``"sum"`` and the ndarray
of per-element losses for ``"none"``. ``loss_backward(grad_out, cache) ->
dpred`` takes the upstream gradient (a scalar, or None for 1.0, with "mean"
and "sum"; an array of the loss's shape with "none") and returns
d(loss)/d(pred) with pred's shape and dtype. Every forward validates its
options and inputs before any kernel runs; errors name ``owner``, the
function or the loss object that called it. The loss classes in
``minnet.losses`` call these pairs.
"""

from minnet.functional.losses.binary import (  # noqa: F401
    bce_backward,
    bce_forward,
    bce_options,
    bce_with_logits_backward,
    bce_with_logits_forward,
    bce_with_logits_options,
)
from minnet.functional.losses.cross_entropy import (  # noqa: F401
    WIDE_ROWS,
    class_loss_options,
    cross_entropy_backward,
    cross_entropy_forward,
    cross_entropy_options,
    nll_backward,
    nll_forward,
)
from minnet.functional.losses.reduction import REDUCTIONS  # noqa: F401
from minnet.functional.losses.regression import (  # noqa: F401
    huber_backward,
    huber_forward,
    huber_options,
    l1_backward,
    l1_forward,
    mse_backward,
    mse_forward,
    regression_options,
    smooth_l1_backward,
    smooth_l1_forward,
    smooth_l1_options,
)
