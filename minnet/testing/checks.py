"""The common layer checks: what every layer, minnet's or a student's, must pass.

As scikit-learn holds every estimator to one list of checks, each check is a
plain function ``check_xxx(layer, input_shape, rng=None, input_fn=None)`` that
raises ``LayerCheckError`` naming the check and the layer; ``LAYER_CHECKS``
lists them (name -> function) and ``check_layer`` runs them all. ``layer`` is a
Module (left untouched) or a factory ``seed -> Module`` (see ``harness``).
"""

from minnet.core import Module
from minnet.errors import ConfigError
from minnet.testing.gradient_checks import (
    check_accumulation,
    check_backward_before_forward,
    check_dtype,
    check_gradcheck,
    check_inputs_unchanged,
    check_no_grad,
    check_shapes,
    check_shared_use,
    check_zero_grad,
)
from minnet.testing.harness import LayerCheckError, build_layer, describe, make_input
from minnet.testing.module_checks import (
    TRAIN_EVAL_DIFFERS,
    check_bad_dtype,
    check_bad_ndim,
    check_determinism,
    check_repr,
    check_state_dict,
    check_train_eval,
)

__all__ = [
    "LAYER_CHECKS", "TRAIN_EVAL_DIFFERS", "LayerCheckError", "check_layer", "make_input",
    "check_repr", "check_shapes", "check_inputs_unchanged", "check_gradcheck",
    "check_accumulation", "check_shared_use", "check_no_grad", "check_zero_grad",
    "check_dtype", "check_state_dict",
    "check_train_eval", "check_determinism", "check_bad_dtype", "check_bad_ndim",
    "check_backward_before_forward",
]

LAYER_CHECKS = {check.__name__: check for check in (
    check_repr, check_shapes, check_inputs_unchanged, check_gradcheck, check_accumulation,
    check_shared_use, check_no_grad, check_zero_grad, check_dtype, check_state_dict,
    check_train_eval, check_determinism, check_bad_dtype, check_bad_ndim,
    check_backward_before_forward,
)}


def check_layer(layer, input_shape, *, rng=None, input_fn=None, train_eval_differs=None,
                skip=()):
    """Run every check of ``LAYER_CHECKS`` on ``layer``; raise on the first failure.

    Parameters
    ----------
    layer : Module (left untouched) or a factory ``seed -> Module``
    input_shape : tuple, e.g. (N, in_features)
    rng : None (a fixed seed), int or Generator
    input_fn : callable ``(shape, rng) -> array`` replacing the default input
    train_eval_differs : bool or None (look up TRAIN_EVAL_DIFFERS)
    skip : names of checks to leave out, e.g. ``("check_bad_ndim",)``

    Raises
    ------
    LayerCheckError naming the check and the layer (a crash inside a check too).
    """
    if isinstance(skip, str) or not hasattr(skip, "__iter__"):
        raise ConfigError(f"check_layer: expected skip as a tuple of check names, e.g. "
                          f"('check_bad_ndim',), got {skip!r}")
    skip = tuple(skip)
    unknown = [name for name in skip if not isinstance(name, str) or name not in LAYER_CHECKS]
    if unknown:
        raise ConfigError(f"check_layer: unknown check name(s) {unknown} in skip; expected "
                          f"names from {list(LAYER_CHECKS)}")
    build_layer(layer, 0)  # a misused argument is a ConfigError, not a failed check
    for name, check in LAYER_CHECKS.items():
        if name in skip:
            continue
        extra = {"differs": train_eval_differs} if check is check_train_eval else {}
        try:
            check(layer, input_shape, rng=rng, input_fn=input_fn, **extra)
        except LayerCheckError:
            raise
        except Exception as err:
            shown = describe(layer) if isinstance(layer, Module) else "the factory's layer"
            raise LayerCheckError(f"{name}: {shown}: raised {type(err).__name__}: "
                                  f"{err}") from err
