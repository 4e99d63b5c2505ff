"""Exercise 22, clip-grad-norm: scale every gradient IN PLACE so their global norm is <= max_norm.

Each case builds fresh Parameters holding the case's gradients, calls the
solution on them, and reads back the ORIGINAL gradient arrays: a solution
that rebinds ``param.grad`` or scales a local copy leaves them unchanged.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.observe import call
from minnet.exercises.spec import FunctionSpec
from minnet.optim import clip_grad_norm_
from minnet.parameter import Parameter

SHAPES = ((3, 4), (5,), (2, 2))


def run(fns, inputs, obs):
    params, originals = [], []
    for grad in inputs["grads"]:
        param = Parameter(np.zeros_like(grad))
        param.add_grad(grad)
        params.append(param)
        originals.append(param.grad)  # the arrays that must change in place
    target = params[0] if inputs["single"] else params
    ok, total = call("clip_grad_norm_", fns, [target, inputs["max_norm"], inputs["norm_type"]],
                     {}, obs)
    if not ok:
        return False, None
    return True, (total, np.concatenate([grad.reshape(-1) for grad in originals]))


def case(seed, label, max_norm=1.0, norm_type=2.0, scale=1.0, single=False):
    rng = rng_for(seed)
    shapes = SHAPES[:1] if single else SHAPES
    grads = tuple(scale * rng.standard_normal(shape) for shape in shapes)
    inputs = {"grads": grads, "max_norm": max_norm, "norm_type": norm_type, "single": single}
    return Case(label, inputs, seed=seed)


def fixed():
    return [case(1, "three gradients, total norm about 4.4, max_norm 1"),
            case(2, "max_norm 2.5", max_norm=2.5),
            case(3, "the inf-norm (largest entry)", norm_type=float("inf"))]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.sampled_from([0.1, 0.5, 1.0, 3.0]), st.sampled_from([0.5, 2.0, 10.0]),
                     st.sampled_from([1.0, 2.0, float("inf")]))


def from_params(params, seed):
    max_norm, scale, norm_type = params
    return case(seed, "drawn by hypothesis", max_norm=max_norm, norm_type=norm_type,
                scale=scale)


def edges():
    return [case(10, "norm below max_norm: nothing changes", max_norm=100.0),
            case(11, "a single Parameter, not a list", single=True),
            case(12, "huge gradients (1e3 randn)", scale=1e3)]


SPEC = FunctionSpec("clip-grad-norm", "clip_grad_norm_", {"clip_grad_norm_": clip_grad_norm_},
                    fixed, strategy, from_params, edges,
                    outputs=("total_norm", "the gradients (all flattened, in order)"),
                    run=run)
