"""Exercise 10, adam-adamw: one Adam or AdamW update, bias corrections included."""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.solutions.adam_adamw import adam_step
from minnet.exercises.spec import FunctionSpec


def case(shape, seed, label, t=3, weight_decay=0.1, decoupled=False, scale=1.0, strict=False,
         eps=1e-8, offset=0.0):
    rng = rng_for(seed)
    fresh = t == 0
    # param ~ 0.1 and lr = 0.1: the step is as large as the parameter, so a mistake in
    # the step shows in new_param at full relative size
    inputs = {"param": 0.1 * rng.standard_normal(shape),
              "grad": offset + scale * rng.standard_normal(shape),
              "m": 0.0 * rng.standard_normal(shape) if fresh else 0.1 * rng.standard_normal(shape),
              "v": 0.0 * rng.random(shape) if fresh else 1e-2 * rng.random(shape), "t": t,
              "lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": eps,
              "weight_decay": weight_decay, "decoupled": decoupled}
    return Case(label, inputs, seed=seed, strict=strict)


def fixed():
    return [case((3, 4), 1, "Adam, step 4, L2 decay 0.1"),
            case((5,), 2, "AdamW, step 4, decoupled decay 0.1", decoupled=True),
            case((2, 3), 3, "the first step (t = 0, zero moments)", t=0),
            case((4,), 4, "eps = 1e-2 (a large eps shows where it goes)", eps=1e-2)]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(0, 20),
                     st.sampled_from([0.0, 0.1]), st.booleans())


def from_params(params, seed):
    rows, cols, t, decay, decoupled = params
    return case((rows, cols), seed, "drawn by hypothesis", t=t, weight_decay=decay,
                decoupled=decoupled)


def edges():
    return [case((3,), 10, "the first step under errstate (no 0 / 0)", t=0, strict=True),
            case((2, 2), 11, "large gradients (1e3 randn)", scale=1e3, strict=True),
            case((4,), 12, "AdamW's first step", t=0, decoupled=True)]


def probes():
    return [case((3, 5), 20, "probe: grad = 5 randn + 12", scale=5.0, offset=12.0)]


SPEC = FunctionSpec("adam-adamw", "adam_step", {"adam_step": adam_step}, fixed, strategy,
                    from_params, edges, probes, outputs=("new_param", "new_m", "new_v", "new_t"))
