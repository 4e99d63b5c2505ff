"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for convolution and pooling.

Valid arguments cover every option (dilation, groups, "same"/"valid",
ceil_mode, count_include_pad, divisor_override, return_indices, adaptive
sizes with None); inputs are plausible shapes around what the layer takes
(empty batches and lengths included, NaN and ±inf values) or anything at all.
"""

from hypothesis import strategies as st

from minnet.functional.adaptive_pooling import (
    adaptive_avg_pool1d_forward,
    adaptive_avg_pool2d_forward,
)
from minnet.functional.conv import conv1d_forward, conv2d_forward
from minnet.functional.pooling import (
    avg_pool1d_forward,
    avg_pool2d_forward,
    max_pool1d_forward,
    max_pool2d_forward,
)
from minnet.layers.conv import Conv1d, Conv2d
from minnet.layers.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from tests.fuzz_cases import (
    ANY_SHAPE,
    FunctionCase,
    FuzzCase,
    args_of,
    batch_shapes,
    call,
    junk,
    maybe_float_array,
    messy_inputs,
    sizes,
)

SIDE = sizes(0, 7)  # an empty length among them
PAIR = st.tuples(sizes(), sizes())


def image_inputs(channels, dims):
    """(N, channels, *spatial) with odd and empty sizes, another channel count, or anything."""
    return messy_inputs(st.one_of(batch_shapes(channels, *[SIDE] * dims),
                                  batch_shapes(sizes(0, 3), *[SIDE] * dims),
                                  batch_shapes(channels, SIDE)))


def conv_case(cls, dims):
    groups = st.shared(st.sampled_from([1, 2]), key=f"{cls.__name__}-groups")
    channels = groups.flatmap(lambda g: sizes(1, 2).map(lambda k: g * k))
    arguments = st.tuples(channels, channels, groups).flatmap(
        lambda c: call(st.just(c[0]), st.just(c[1]), sizes(1, 3) | (PAIR if dims == 2 else
                                                                 sizes(1, 3)),
                       stride=sizes(1, 2), padding=st.sampled_from([0, 1, "valid"]),
                       dilation=sizes(1, 2), groups=st.just(c[2]), bias=st.booleans(),
                       init=st.sampled_from(["he", "pytorch"]), rng=st.integers(0, 9)))
    same = call(sizes(1, 2), sizes(1, 2), sizes(1, 4), padding=st.just("same"),
                dilation=sizes(1, 3))
    return FuzzCase(cls.__name__, cls, arguments | same,
                    lambda layer: image_inputs(layer.in_channels, dims))


def pool_arguments(dims):
    """(kernel, stride, padding) keywords with padding <= kernel // 2."""
    return sizes(1, 3).flatmap(lambda k: st.fixed_dictionaries({
        "kernel_size": st.just(k), "stride": st.none() | sizes(1, 3),
        "padding": st.integers(0, k // 2)}))


def pool_case(cls, dims, extra):
    arguments = st.tuples(pool_arguments(dims), st.fixed_dictionaries({}, optional=extra)).map(
        lambda pair: ((), {**pair[0], **pair[1]}))
    return FuzzCase(cls.__name__, cls, arguments,
                    lambda layer: image_inputs(sizes(0, 3), dims))


CASES = [
    conv_case(Conv1d, 1),
    conv_case(Conv2d, 2),
    pool_case(MaxPool1d, 1, dict(dilation=sizes(1, 3), ceil_mode=st.booleans())),
    pool_case(MaxPool2d, 2, dict(dilation=sizes(1, 2) | PAIR, ceil_mode=st.booleans())),
    pool_case(AvgPool1d, 1, dict(ceil_mode=st.booleans(), count_include_pad=st.booleans())),
    pool_case(AvgPool2d, 2, dict(ceil_mode=st.booleans(), count_include_pad=st.booleans(),
                                 divisor_override=st.none() | sizes(1, 5))),
    FuzzCase("AdaptiveAvgPool1d", AdaptiveAvgPool1d, call(sizes(1, 5)),
             lambda layer: image_inputs(sizes(0, 3), 1)),
    FuzzCase("AdaptiveAvgPool2d", AdaptiveAvgPool2d,
             call(sizes(1, 4) | st.tuples(st.none() | sizes(1, 4), st.none() | sizes(1, 4))),
             lambda layer: image_inputs(sizes(0, 3), 2)),
]

WINDOW = st.one_of(sizes(0, 3), PAIR, st.sampled_from(["same", "valid"]), junk())


def image(dims):
    return maybe_float_array(st.one_of(batch_shapes(sizes(0, 3), *[SIDE] * dims), ANY_SHAPE))


def weight(dims):
    return maybe_float_array(st.one_of(st.tuples(sizes(0, 3), sizes(0, 3), *[sizes(0, 3)] * dims),
                                       ANY_SHAPE))


FUNCTION_CASES = [
    FunctionCase("conv1d_forward", conv1d_forward, args_of(
        image(1), weight(1), st.none() | maybe_float_array(ANY_SHAPE), WINDOW, WINDOW, WINDOW,
        sizes(0, 2) | junk())),
    FunctionCase("conv2d_forward", conv2d_forward, args_of(
        image(2), weight(2), st.none() | maybe_float_array(ANY_SHAPE), WINDOW, WINDOW, WINDOW,
        sizes(0, 2) | junk())),
    FunctionCase("max_pool1d_forward", max_pool1d_forward, args_of(
        image(1), WINDOW, st.none() | WINDOW, WINDOW, WINDOW, st.booleans() | junk())),
    FunctionCase("max_pool2d_forward", max_pool2d_forward, args_of(
        image(2), WINDOW, st.none() | WINDOW, WINDOW, WINDOW, st.booleans() | junk())),
    FunctionCase("avg_pool1d_forward", avg_pool1d_forward, args_of(
        image(1), WINDOW, st.none() | WINDOW, WINDOW, st.booleans() | junk(),
        st.booleans() | junk())),
    FunctionCase("avg_pool2d_forward", avg_pool2d_forward, args_of(
        image(2), WINDOW, st.none() | WINDOW, WINDOW, st.booleans() | junk(),
        st.booleans() | junk(), st.none() | sizes(0, 3) | junk())),
    FunctionCase("adaptive_avg_pool1d_forward", adaptive_avg_pool1d_forward, args_of(
        image(1), WINDOW)),
    FunctionCase("adaptive_avg_pool2d_forward", adaptive_avg_pool2d_forward, args_of(
        image(2), WINDOW)),
]
