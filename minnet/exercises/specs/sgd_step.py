"""Exercise 9, sgd-step: one SGD update with momentum, weight decay and Nesterov."""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.solutions.sgd_step import sgd_step
from minnet.exercises.spec import FunctionSpec


def case(shape, seed, label, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=False,
         first_step=False, scale=1.0, strict=False, offset=0.0):
    rng = rng_for(seed)
    velocity = 0.0 * rng.standard_normal(shape) if first_step else rng.standard_normal(shape)
    inputs = {"param": rng.standard_normal(shape),
              "grad": offset + scale * rng.standard_normal(shape),
              "velocity": velocity, "lr": lr, "momentum": momentum,
              "weight_decay": weight_decay, "nesterov": nesterov}
    return Case(label, inputs, seed=seed, strict=strict)


def fixed():
    return [case((3, 4), 1, "momentum 0.9 with weight decay"),
            case((5,), 2, "Nesterov", nesterov=True),
            case((2, 3), 3, "first step (zero velocity)", first_step=True)]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from([0.0, 0.5, 0.9]),
                     st.sampled_from([0.0, 0.1]), st.booleans())


def from_params(params, seed):
    rows, cols, momentum, decay, nesterov = params
    return case((rows, cols), seed, "drawn by hypothesis", momentum=momentum,
                weight_decay=decay, nesterov=nesterov and momentum > 0)


def edges():
    return [case((4,), 10, "plain SGD: momentum 0, no decay", momentum=0.0, weight_decay=0.0),
            case((2, 2), 11, "large gradients (1e3 randn)", scale=1e3, strict=True),
            case((3,), 12, "Nesterov from the first step", nesterov=True, first_step=True)]


def probes():
    return [case((3, 5), 20, "probe: grad = 5 randn + 12", scale=5.0, offset=12.0)]


SPEC = FunctionSpec("sgd-step", "sgd_step", {"sgd_step": sgd_step}, fixed, strategy,
                    from_params, edges, probes, outputs=("new_param", "new_velocity"))
