"""Exercise 17, maxpool2d: max pooling, the first maximum of each window taking the gradient.

The checker passes (x, kernel_size, stride); padding 0 and dilation 1. The
overlapping cases (stride < kernel) and the tie cases (small integers) are
where the usual mistakes show; the gradchecked cases have distinct values.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import on_numpy
from minnet.functional import max_pool2d_backward, max_pool2d_forward


def case(shape, kernel, stride, seed, label, ties=False, gradcheck=False, offset=0.0,
         scale=1.0):
    rng = rng_for(seed)
    x = (rng.integers(0, 3, shape).astype(np.float64) if ties
         else offset + scale * rng.standard_normal(shape))
    return Case(label, {"x": x, "kernel_size": kernel, "stride": stride}, seed=seed,
                gradcheck=gradcheck)


def fixed():
    return [case((2, 2, 4, 4), 2, 2, 1, "2x2 windows, stride 2", gradcheck=True),
            case((1, 2, 5, 4), 3, 1, 2, "overlapping 3x3 windows, stride 1", gradcheck=True),
            case((2, 1, 6, 5), 2, 1, 3, "overlapping 2x2 windows, non-square input")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(3, 7), st.integers(3, 7),
                     st.integers(1, 3), st.integers(1, 3))


def from_params(params, seed):
    n, c, h, w, kernel, stride = params
    return case((n, c, h, w), kernel, stride, seed, "drawn by hypothesis")


def edges():
    return [case((1, 3, 4, 6), 2, 2, 10, "batch of 1"),
            case((2, 2, 4, 4), 2, 2, 11, "ties: the first maximum takes the gradient", ties=True),
            case((1, 2, 5, 5), 3, 1, 12, "ties in overlapping windows", ties=True)]


def probes():
    return [case((3, 2, 5, 4), 2, 1, 20, "probe: x = randn + 12, overlapping", offset=12.0),
            case((3, 2, 6, 5), 2, 2, 21, "probe: x = 5 randn + 12, stride 2", offset=12.0,
                 scale=5.0)]


SPEC = PairSpec("maxpool2d", "max_pool2d_forward", "max_pool2d_backward",
                {"max_pool2d_forward": on_numpy(max_pool2d_forward),
                 "max_pool2d_backward": on_numpy(max_pool2d_backward)},
                ("x",), fixed, strategy, from_params, edges, probes)
