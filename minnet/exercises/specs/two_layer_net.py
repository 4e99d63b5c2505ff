"""Exercise 8, two-layer-net: the loss of linear -> ReLU -> linear -> cross-entropy, plus L2."""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.solutions.two_layer_net import two_layer_net_backward, two_layer_net_forward
from minnet.exercises.spec import PairSpec


def case(n, d, h, c, seed, label, reg=0.1, scale=1.0, offset=0.0, gradcheck=False, strict=False):
    rng = rng_for(seed)
    inputs = {"x": offset + scale * rng.standard_normal((n, d)),
              "target": rng.integers(0, c, n),
              "w1": rng.standard_normal((h, d)) / np.sqrt(d), "b1": 0.5 * rng.standard_normal(h),
              "w2": rng.standard_normal((c, h)) / np.sqrt(h), "b2": 0.5 * rng.standard_normal(c),
              "reg": reg}
    return Case(label, inputs, seed=seed, gradcheck=gradcheck, strict=strict)


def fixed():
    return [case(4, 5, 6, 3, 1, "4 samples, 5 features, 6 hidden, 3 classes", gradcheck=True),
            case(3, 3, 4, 4, 2, "reg = 0.5", reg=0.5, gradcheck=True)]


def strategy():
    from hypothesis import strategies as st

    sizes = st.integers(1, 5)
    return st.tuples(sizes, sizes, sizes, st.integers(2, 5), st.sampled_from([0.0, 0.05, 0.3]))


def from_params(params, seed):
    n, d, h, c, reg = params
    return case(n, d, h, c, seed, "drawn by hypothesis", reg=reg)


def edges():
    return [case(1, 4, 5, 3, 10, "batch of 1"),
            case(3, 4, 5, 3, 11, "no regularization", reg=0.0),
            case(4, 3, 5, 3, 12, "large inputs, x = 1000 randn", scale=1000.0, strict=True)]


def probes():
    return [case(5, 3, 7, 2, 20, "probe: x = 5 randn + 12", offset=12.0, scale=5.0)]


SPEC = PairSpec("two-layer-net", "two_layer_net_forward", "two_layer_net_backward",
                {"two_layer_net_forward": two_layer_net_forward,
                 "two_layer_net_backward": two_layer_net_backward},
                ("w1", "b1", "w2", "b2"), fixed, strategy, from_params, edges, probes)
