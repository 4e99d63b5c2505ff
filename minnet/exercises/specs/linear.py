"""Exercise 2, linear: ``out = x @ w.T + b`` with w of shape (D_out, D_in)."""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.functional import linear_backward, linear_forward


def case(n, d_in, d_out, seed, label, offset=0.0, scale=1.0, gradcheck=False):
    rng = rng_for(seed)
    x = offset + scale * rng.standard_normal((n, d_in))
    w = rng.standard_normal((d_out, d_in))
    b = rng.standard_normal(d_out)
    return Case(label, {"x": x, "w": w, "b": b}, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case(4, 5, 3, 1, "non-square", gradcheck=True),
            case(3, 3, 3, 2, "square weights", gradcheck=True),
            case(2, 6, 4, 3, "batch of 2")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6))


def from_params(params, seed):
    return case(*params, seed, "drawn by hypothesis")


def edges():
    return [case(1, 5, 3, 10, "batch of 1"),
            case(5, 4, 2, 11, "large inputs, x = 100 randn", scale=100.0)]


def probes():
    return [case(3, 4, 2, 20, "probe: x = 5 randn + 12", offset=12.0, scale=5.0)]


SPEC = PairSpec("linear", "linear_forward", "linear_backward",
                {"linear_forward": linear_forward, "linear_backward": linear_backward},
                ("x", "w", "b"), fixed, strategy, from_params, edges, probes)
