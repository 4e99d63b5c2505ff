"""The maths: pure forward/backward pairs.

``op_forward(...) -> (out, cache)`` and ``op_backward(grad_out, cache) -> grads``:
no state, no argument modified in place (but an array passed to be added
into, as ``embedding_backward``'s ``grad_weight``), shapes in every
docstring, the derivation above every backward. This is what an exercise asks a student to
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
    log_softmax_backward,
    log_softmax_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    silu_backward,
    silu_forward,
    softmax_backward,
    softmax_forward,
    softplus_backward,
    softplus_forward,
    tanh_backward,
    tanh_forward,
)
from minnet.functional.adaptive_pooling import (  # noqa: F401
    adaptive_avg_pool1d_backward,
    adaptive_avg_pool1d_forward,
    adaptive_avg_pool2d_backward,
    adaptive_avg_pool2d_forward,
)
from minnet.functional.batchnorm import (  # noqa: F401
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    batchnorm_running_stats,
)
from minnet.functional.conv import (  # noqa: F401
    conv1d_backward,
    conv1d_forward,
    conv2d_backward,
    conv2d_forward,
)
from minnet.functional.conv_naive import (  # noqa: F401
    conv1d_backward_naive,
    conv1d_forward_naive,
    conv2d_backward_naive,
    conv2d_forward_naive,
)
from minnet.functional.dropout import (  # noqa: F401
    dropout2d_backward,
    dropout2d_forward,
    dropout_backward,
    dropout_forward,
    dropout_mask,
)
from minnet.functional.embedding import embedding_backward, embedding_forward  # noqa: F401
from minnet.functional.groupnorm import groupnorm_backward, groupnorm_forward  # noqa: F401
from minnet.functional.gru import gru_backward, gru_forward  # noqa: F401
from minnet.functional.layernorm import layernorm_backward, layernorm_forward  # noqa: F401
from minnet.functional.linear import linear_backward, linear_forward  # noqa: F401
from minnet.functional.losses import (  # noqa: F401
    bce_backward,
    bce_forward,
    bce_with_logits_backward,
    bce_with_logits_forward,
    cross_entropy_backward,
    cross_entropy_forward,
    huber_backward,
    huber_forward,
    l1_backward,
    l1_forward,
    mse_backward,
    mse_forward,
    nll_backward,
    nll_forward,
    smooth_l1_backward,
    smooth_l1_forward,
)
from minnet.functional.lstm import lstm_backward, lstm_forward  # noqa: F401
from minnet.functional.pooling import (  # noqa: F401
    avg_pool1d_backward,
    avg_pool1d_forward,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool1d_backward,
    max_pool1d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from minnet.functional.pooling_naive import (  # noqa: F401
    avg_pool1d_backward_naive,
    avg_pool1d_forward_naive,
    avg_pool2d_backward_naive,
    avg_pool2d_forward_naive,
    max_pool1d_backward_naive,
    max_pool1d_forward_naive,
    max_pool2d_backward_naive,
    max_pool2d_forward_naive,
)
from minnet.functional.rnn import rnn_backward, rnn_forward  # noqa: F401
from minnet.functional.weightnorm import (  # noqa: F401
    norm_except_dim,
    weight_norm_backward,
    weight_norm_forward,
)
