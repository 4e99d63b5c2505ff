"""Exercise 15, layernorm: each sample normalized over its trailing feature axes."""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.functional import layernorm_backward, layernorm_forward


def case(shape, seed, label, normalized_ndim=1, scale=1.0, offset=0.0, gradcheck=False,
         strict=False):
    rng = rng_for(seed)
    features = shape[len(shape) - normalized_ndim:]
    inputs = {"x": offset + scale * rng.standard_normal(shape),
              "gamma": 1.0 + 0.5 * rng.standard_normal(features),
              "beta": 0.5 * rng.standard_normal(features)}
    options = {} if normalized_ndim == 1 else {"normalized_ndim": normalized_ndim}
    return Case(label, inputs, seed=seed, gradcheck=gradcheck, strict=strict, options=options)


def fixed():
    return [case((3, 5), 1, "(N, D) = (3, 5)", gradcheck=True),
            case((4, 4), 2, "square (4, 4)", gradcheck=True),
            case((2, 3, 4), 3, "(N, T, D) = (2, 3, 4)")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 6), st.integers(2, 7))


def from_params(params, seed):
    return case(params, seed, "drawn by hypothesis", scale=2.0, offset=1.0)


def edges():
    return [case((1, 6), 10, "batch of 1"),
            case((2, 3, 4), 11, "normalized_ndim=2 over (3, 4)", normalized_ndim=2),
            case((3, 4), 12, "large inputs, x = 1000 randn + 500", scale=1000.0, offset=500.0,
                 strict=True)]


def probes():
    return [case((5, 3), 20, "probe: x = 5 randn + 12", scale=5.0, offset=12.0)]


SPEC = PairSpec("layernorm", "layernorm_forward", "layernorm_backward",
                {"layernorm_forward": layernorm_forward, "layernorm_backward": layernorm_backward},
                ("x", "gamma", "beta"), fixed, strategy, from_params, edges, probes)
