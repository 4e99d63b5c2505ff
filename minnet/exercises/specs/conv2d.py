"""Exercise 16, conv2d: cross-correlation with stride and zero padding, forward and backward.

The checker passes (x, w, b, stride, padding); dilation and groups stay 1.
Every case has a non-square input or kernel somewhere, and the strided ones
a size where ignoring the stride changes the output's shape.
"""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import on_numpy
from minnet.functional import conv2d_backward, conv2d_forward


def case(x_shape, w_shape, stride, padding, seed, label, scale=1.0, offset=0.0,
         gradcheck=False):
    rng = rng_for(seed)
    inputs = {"x": offset + scale * rng.standard_normal(x_shape),
              "w": rng.standard_normal(w_shape), "b": rng.standard_normal(w_shape[0]),
              "stride": stride, "padding": padding}
    return Case(label, inputs, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case((1, 2, 4, 5), (2, 2, 3, 3), 1, 1, 1, "padding 1", gradcheck=True),
            case((2, 1, 5, 6), (2, 1, 2, 3), 2, 0, 2, "stride 2, a 2x3 kernel", gradcheck=True),
            case((2, 3, 5, 5), (4, 3, 3, 3), 1, 0, 3, "3 channels, 4 filters")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(3, 7), st.integers(3, 7),
                     st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
                     st.integers(0, 1))


def from_params(params, seed):
    n, c, h, w, f, kh, kw, stride, padding = params
    return case((n, c, h, w), (f, c, kh, kw), stride, padding, seed, "drawn by hypothesis")


def edges():
    return [case((1, 2, 5, 5), (3, 2, 3, 3), 1, 1, 10, "batch of 1"),
            case((2, 2, 7, 6), (2, 2, 3, 2), 2, 1, 11, "stride 2 and padding 1, non-square"),
            case((2, 1, 3, 4), (2, 1, 3, 4), 1, 0, 12, "the kernel covers the input: 1x1 out")]


def probes():
    return [case((3, 2, 6, 5), (2, 2, 3, 2), 2, 1, 20, "probe: x = 5 randn + 12", scale=5.0,
                 offset=12.0)]


SPEC = PairSpec("conv2d", "conv2d_forward", "conv2d_backward",
                {"conv2d_forward": on_numpy(conv2d_forward),
                 "conv2d_backward": on_numpy(conv2d_backward)},
                ("x", "w", "b"), fixed, strategy, from_params, edges, probes)
