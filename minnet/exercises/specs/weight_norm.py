"""Exercise 21, weight-norm: w = g * v / ||v||, the norm over every axis but ``dim``."""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.functional import norm_except_dim, weight_norm_backward, weight_norm_forward


def case(v_shape, dim, seed, label, scale=1.0, gradcheck=False, offset=0.0):
    rng = rng_for(seed)
    v = offset + scale * rng.standard_normal(v_shape)
    g = 0.5 + rng.random(norm_except_dim(v, dim).shape)
    return Case(label, {"g": g, "v": v, "dim": dim}, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case((4, 3), 0, 1, "a (4, 3) linear weight, dim=0", gradcheck=True),
            case((3, 2, 2, 2), 0, 2, "a (3, 2, 2, 2) conv weight, dim=0", gradcheck=True),
            case((2, 5), 0, 3, "a (2, 5) weight")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from([0, 1]))


def from_params(params, seed):
    rows, cols, dim = params
    return case((rows, cols), dim, seed, "drawn by hypothesis")


def edges():
    return [case((3, 4), None, 10, "dim=None: one norm for the whole tensor"),
            case((3, 4), 1, 11, "dim=1: one norm per column"),
            case((4, 2), 0, 12, "a large direction, v = 1000 randn", scale=1000.0)]


def probes():
    return [case((5, 3), 0, 20, "probe: a (5, 3) weight"),
            case((4, 3), 0, 21, "probe: v = 5 randn + 12", scale=5.0, offset=12.0)]


SPEC = PairSpec("weight-norm", "weight_norm_forward", "weight_norm_backward",
                {"weight_norm_forward": weight_norm_forward,
                 "weight_norm_backward": weight_norm_backward},
                ("g", "v"), fixed, strategy, from_params, edges, probes)
