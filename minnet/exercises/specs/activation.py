"""Cases shared by the one-input activation exercises (relu, sigmoid, tanh, softmax).

x of any shape, out of x's shape, one gradient dx. The edge cases every
activation meets: a batch of 1, |x| = 1000 under errstate (overflow, division
and invalid operations raise; underflow to 0 is correct) and a 3-d input.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec


def case(shape, seed, label, offset=0.0, scale=1.0, gradcheck=False, **options):
    x = offset + scale * rng_for(seed).standard_normal(shape)
    return Case(label, {"x": x}, seed=seed, gradcheck=gradcheck, options=options)


def values_case(values, seed, label, strict=False):
    return Case(label, {"x": np.array(values, dtype=np.float64)}, strict=strict, seed=seed)


def fixed():
    return [case((4, 5), 1, "non-square batch", gradcheck=True),
            case((3, 3), 2, "square batch", scale=3.0, gradcheck=True),
            case((2, 3, 4), 3, "3-d input")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 5), st.integers(1, 7))


def from_params(params, seed):
    return case(params, seed, "drawn by hypothesis", scale=3.0)


def edges():
    huge = [[-1000.0, -50.0, -1.0, 0.5, 1000.0], [1000.0, 999.0, 0.0, -999.0, -1000.0]]
    return [case((1, 6), 10, "batch of 1"),
            values_case(huge, 11, "|x| = 1000 without overflow", strict=True)]


def probes():
    return [case((3, 4), 20, "probe: x = 5 randn + 12", offset=12.0, scale=5.0),
            case((5, 2), 21, "probe: x = 5 randn", scale=5.0)]


def activation_spec(name, forward, backward, extra_edges=(), extra_fixed=()):
    """A PairSpec for ``name`` with the shared cases plus the exercise's own."""
    return PairSpec(name, forward.__name__, backward.__name__,
                    {forward.__name__: forward, backward.__name__: backward}, ("x",),
                    lambda: fixed() + list(extra_fixed), strategy, from_params,
                    lambda: edges() + list(extra_edges), probes)
