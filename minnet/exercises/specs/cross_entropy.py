"""Exercise 7, cross-entropy: mean softmax cross-entropy of logits (N, C) and labels (N,).

The reference is ``minnet.functional``'s pair run on the NumPy backend: the
numba kernel gives the same numbers but loading it costs most of a check's
3-second budget.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.functional import cross_entropy_backward as _backward
from minnet.functional import cross_entropy_forward as _forward
from minnet.kernels.backend import use_backend


def cross_entropy_forward(logits, target):
    with use_backend("numpy"):
        return _forward(logits, target)


def cross_entropy_backward(grad_out, cache):
    with use_backend("numpy"):
        return _backward(grad_out, cache)


def case(n, c, seed, label, scale=1.0, offset=0.0, gradcheck=False):
    rng = rng_for(seed)
    logits = offset + scale * rng.standard_normal((n, c))
    target = rng.integers(0, c, n)
    return Case(label, {"logits": logits, "target": target}, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case(4, 5, 1, "4 samples, 5 classes", gradcheck=True),
            case(6, 3, 2, "6 samples, 3 classes", scale=3.0, gradcheck=True),
            case(3, 3, 3, "square logits")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 6), st.integers(2, 7))


def from_params(params, seed):
    return case(*params, seed, "drawn by hypothesis", scale=3.0)


def edges():
    huge = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, -1000.0]])
    return [case(1, 4, 10, "batch of 1"),
            Case("|logits| = 1000 without overflow or log(0)",
                 {"logits": huge, "target": np.array([1, 0, 2])}, strict=True, seed=11)]


def probes():
    return [case(3, 4, 20, "probe: logits = 5 randn + 12", scale=5.0, offset=12.0)]


SPEC = PairSpec("cross-entropy", "cross_entropy_forward", "cross_entropy_backward",
                {"cross_entropy_forward": cross_entropy_forward,
                 "cross_entropy_backward": cross_entropy_backward},
                ("logits",), fixed, strategy, from_params, edges, probes)
