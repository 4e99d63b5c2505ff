"""Fuzzing the conv/pool functional entry points: the two backends agree on every call,
on the error (type and message) or on the numbers. (That every public constructor, forward
and function raises only MinnetErrors is the public-API fuzz test's, with the cases in
tests/fuzz_cases_conv.py.)"""

import inspect

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from minnet import functional as F
from minnet.errors import MinnetError
from minnet.kernels import BACKENDS, use_backend

GOOD = st.integers(1, 3)  # drawn three times in four, so that many calls succeed
ODD_VALUES = st.one_of(GOOD, GOOD, GOOD, st.one_of(
    st.integers(-1, 4), st.none(), st.booleans(), st.floats(0, 3), st.text(max_size=2),
    st.tuples(st.integers(-1, 3), st.integers(-1, 3)), st.lists(st.integers(0, 3), max_size=3),
    st.sampled_from(["same", "valid", np.int64(2), (1, None)])))
SHAPES = st.one_of(st.lists(st.integers(1, 5), min_size=3, max_size=4),
                   st.lists(st.integers(0, 5), max_size=5))
FUNCTIONS = [F.conv1d_forward, F.conv2d_forward, F.max_pool1d_forward, F.max_pool2d_forward,
             F.avg_pool1d_forward, F.avg_pool2d_forward, F.adaptive_avg_pool1d_forward,
             F.adaptive_avg_pool2d_forward]
FUZZ = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


def positional_args(draw, function, skip=0):
    """Odd values for a drawn number of ``function``'s positional parameters (after the
    first ``skip``), at least the required ones: a wrong arity is Python's TypeError."""
    parameters = [p for p in inspect.signature(function).parameters.values()
                  if p.kind is p.POSITIONAL_OR_KEYWORD][skip:]
    required = sum(p.default is p.empty for p in parameters)
    return draw(st.lists(ODD_VALUES, min_size=required, max_size=len(parameters)))


def outcome(call):
    """The result of ``call()``, or the MinnetError's type and message."""
    try:
        return call()
    except MinnetError as error:
        return f"{type(error).__name__}: {error}"


@FUZZ
@given(function=st.sampled_from(FUNCTIONS), data=st.data(), x_shape=SHAPES, w_shape=SHAPES,
       b_shape=st.one_of(st.none(), st.lists(GOOD, min_size=1, max_size=2)))
def test_functions_agree_across_backends(function, data, x_shape, w_shape, b_shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    conv = "conv" in function.__name__
    args = positional_args(data.draw, function, skip=3 if conv else 1)  # after x (w, b)
    if conv and len(x_shape) > 1 and data.draw(st.booleans()):  # w of x's rank and channels
        w_shape = [data.draw(GOOD), x_shape[1]] + data.draw(
            st.lists(GOOD, min_size=len(x_shape) - 2, max_size=len(x_shape) - 2))
    if conv:
        b = None if b_shape is None else rng.standard_normal(b_shape)
        args = [rng.standard_normal(w_shape), b, *args]
    backward = getattr(F, function.__name__.replace("forward", "backward"))

    def forward_and_backward():
        out, cache = function(x, *args)
        grads = backward(np.random.default_rng(1).standard_normal(out.shape), cache)
        return [out, *(grads if isinstance(grads, tuple) else (grads,))]

    results = []
    for backend in BACKENDS:
        with use_backend(backend):
            results.append(outcome(forward_and_backward))
    event("refused" if isinstance(results[0], str) else "computed")
    if isinstance(results[0], str) or isinstance(results[1], str):
        assert results[0] == results[1]
        return
    for ours, theirs in zip(*results, strict=True):  # output, then each gradient
        if ours is None:
            assert theirs is None
            continue
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
