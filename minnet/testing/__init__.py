"""What tests reuse, the project's and a student's: the common layer checks,
gradient checking, tolerances and hypothesis strategies.

``check_layer(layer, input_shape)`` runs every check of ``LAYER_CHECKS``;
each check is also a plain function (``check_gradcheck(layer, input_shape)``).
The hypothesis strategies (``float_arrays``, ``batch_shapes``, ``layer_sizes``,
``logits_and_labels``, ...) load on first use, so that importing
``minnet.testing`` (and ``minnet``) does not pay for importing hypothesis.
"""

from minnet.gradcheck import gradcheck, numerical_gradient, rel_error
from minnet.testing.checks import (
    LAYER_CHECKS,
    TRAIN_EVAL_DIFFERS,
    LayerCheckError,
    check_accumulation,
    check_backward_before_forward,
    check_bad_dtype,
    check_bad_ndim,
    check_determinism,
    check_dtype,
    check_gradcheck,
    check_inputs_unchanged,
    check_layer,
    check_repr,
    check_shapes,
    check_state_dict,
    check_train_eval,
    check_zero_grad,
    make_input,
)
from minnet.testing.tolerances import (
    GRADCHECK_ATOL,
    GRADCHECK_EPS,
    GRADCHECK_RTOL,
    PARITY_ATOL,
    PARITY_RTOL,
    gradcheck_tolerances,
    parity_tolerances,
)

STRATEGIES = ("finite_floats", "float_arrays", "batch_shapes", "layer_sizes", "float_dtypes",
              "seeds", "logits_and_labels")

__all__ = [
    "gradcheck", "numerical_gradient", "rel_error", "check_layer", "LAYER_CHECKS",
    "TRAIN_EVAL_DIFFERS", "LayerCheckError", "make_input",
    "check_repr", "check_shapes", "check_inputs_unchanged", "check_gradcheck",
    "check_accumulation", "check_zero_grad", "check_dtype", "check_state_dict",
    "check_train_eval", "check_determinism", "check_bad_dtype", "check_bad_ndim",
    "check_backward_before_forward", "GRADCHECK_EPS", "GRADCHECK_ATOL", "GRADCHECK_RTOL",
    "PARITY_ATOL", "PARITY_RTOL",
    "gradcheck_tolerances", "parity_tolerances", *STRATEGIES,
]


def __getattr__(name):
    # PEP 562: the strategies (and hypothesis) are imported on first access.
    if name in STRATEGIES:
        from minnet.testing import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'minnet.testing' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(STRATEGIES))
