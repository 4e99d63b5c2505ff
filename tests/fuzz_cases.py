"""What the public-API fuzz test (tests/test_fuzz_public_api.py) throws at each constructor.

A ``FuzzCase`` names a public constructor (or a factory around one), a
strategy of VALID ``(args, kwargs)`` for it, and a function ``layer ->
strategy of inputs`` for its forward. The test derives bad arguments from the
valid ones itself (each value may be swapped for junk, an extra positional
or an unknown keyword added), so a case only says what a correct call looks
like. Inputs mix plausible shapes (around what the layer takes, with empty
batches and NaN/±inf values) with anything at all (other ranks, ints, bools,
complex, strings, objects, ragged lists, None).

To fuzz another layer, add a ``FuzzCase`` to ``CASES`` here or to the
``CASES`` of a new ``tests/fuzz_cases_*.py`` file (gathered the same way as
``tests/layer_cases_*.py``), e.g.::

    FuzzCase("Linear", Linear,
             call(sizes(), sizes(), bias=st.booleans(), rng=st.integers(0, 9)),
             lambda layer: messy_inputs(batch_shapes(layer.in_features))),

A layer that runs no kernel names one backend (``backends=("numpy",)``): both
would run the same code.

Functions (``minnet.functional``, save/load) go in ``FUNCTION_CASES`` as
``FunctionCase(name, fn, arguments)`` with ``arguments`` a strategy of
``(args, kwargs)`` that may be valid or not.

Uses in several steps (a loss called then backpropagated, an optimizer
stepped after backwards, a schedule stepped, a DataLoader iterated) go in
``SCENARIOS`` as ``Scenario(name, run)``: ``run(data)`` draws as it goes
from hypothesis' ``data`` and runs each public call through ``attempt``, which
fails the test on anything but a result or a MinnetError. ``corrupted(valid)``
turns a strategy of valid ``(args, kwargs)`` into one of mistaken calls.
"""

import inspect
import warnings
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.core import Sequential
from minnet.errors import MinnetError
from minnet.functional.batchnorm import batchnorm_forward
from minnet.functional.layernorm import layernorm_forward
from minnet.functional.weightnorm import weight_norm_forward
from minnet.layers.activations import Tanh
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.reshape import Flatten, Reshape
from minnet.layers.residual import Residual
from minnet.layers.weight_norm import weight_norm

# finite=True: inputs and gradients hold no NaN/inf (a known gap, named where it is used).
# backends: the kernel backends to fuzz the forward on (None: every one); a layer that
# runs no kernel names one, as both would run the same code.
FuzzCase = namedtuple("FuzzCase", ["name", "build", "valid", "inputs", "finite", "backends"],
                      defaults=(False, None))
FunctionCase = namedtuple("FunctionCase", ["name", "fn", "arguments"])
# A use in several steps (a loss, then its backward; an optimizer step after a backward):
# ``run(data)`` draws as it goes (``data`` is hypothesis' st.data()) and runs each step
# with ``attempt``.
Scenario = namedtuple("Scenario", ["name", "run"])


# --- building blocks ---------------------------------------------------------------

def sizes(low=1, high=4):
    return st.integers(low, high)


def call(*positional, **keywords):
    """A strategy of ``(args, kwargs)``: every positional given, each keyword maybe."""
    return st.tuples(st.tuples(*positional), st.fixed_dictionaries({}, optional=keywords))


def junk():
    """Values a user passes by mistake: wrong types and signs, NaN, containers, objects."""
    return st.one_of(
        st.none(), st.booleans(), st.integers(-2, 5),
        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
        st.tuples(st.integers(-1, 4)), st.tuples(st.integers(-1, 4), st.integers(-1, 4)),
        st.lists(st.integers(-1, 4), max_size=3),
        st.sampled_from([np.float32(0.5), np.int64(3), np.array([1, 2]), np.float64("nan"),
                         "float32", object(), 1 + 1j, b"x", [[1], [2, 3]], np.zeros((2, 2)),
                         Tanh, Flatten(), {"a": 1}]),
    )


def messy_floats(width=64, finite=False):
    if finite:
        return st.floats(-1e3, 1e3, width=width)
    return st.floats(allow_nan=True, allow_infinity=True, width=width)


def float_arrays(shapes, finite=False):
    """Float32/64 arrays of the given shapes, with NaN, ±inf and huge values among them
    (unless ``finite``)."""
    return st.tuples(st.sampled_from([32, 64]), shapes).flatmap(
        lambda pair: hnp.arrays(np.float32 if pair[0] == 32 else np.float64, pair[1],
                                elements=messy_floats(pair[0], finite)))


def batch_shapes(*trailing):
    """(N, *trailing) with N in 0..4 (an empty batch, one sample, a few); an int or a
    strategy per trailing axis."""
    axes = [axis if isinstance(axis, st.SearchStrategy) else st.just(axis) for axis in trailing]
    return st.tuples(st.integers(0, 4), *axes)


ANY_SHAPE = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def messy_inputs(shapes, finite=False):
    """Mostly arrays of plausible ``shapes``; sometimes anything at all."""
    odd_dtypes = st.sampled_from([np.int64, np.bool_, np.complex128, "<U2"])
    return st.one_of(
        float_arrays(shapes, finite), float_arrays(shapes, finite),
        st.tuples(odd_dtypes, shapes).flatmap(lambda pair: hnp.arrays(*pair)),
        float_arrays(ANY_SHAPE, finite),
        ANY_SHAPE.flatmap(lambda shape: hnp.arrays(
            object, shape, elements=st.sampled_from([None, 1.0, "a"]))),
        st.sampled_from([None, 3.0, "x", [[1.0, 2.0], [3.0]], [[1, 2], [3, 4]], []]),
    )


# --- running a call --------------------------------------------------------------------

def minnet_errors_only(fn, *args, **kwargs):
    """Run ``fn``; return its result, or None if it raised a MinnetError. Anything else
    (a raw exception, or a RuntimeWarning, which becomes one here) fails the test."""
    return attempt(fn, *args, **kwargs)[1]


def attempt(fn, *args, **kwargs):
    """Run ``fn``: ``(True, result)``, or ``(False, None)`` if it raised a MinnetError (or, for
    a plain function whose own signature refuses the call, Python's TypeError naming it).
    Anything else (a raw exception, or a RuntimeWarning, which becomes one here) fails."""
    if signature_refuses(fn, args, kwargs):
        with pytest.raises(TypeError, match=rf"^{fn.__name__}\(\)"):
            fn(*args, **kwargs)
        return False, None
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # NumPy's overflow/invalid warnings
        try:
            return True, fn(*args, **kwargs)
        except MinnetError:
            return False, None


def signature_refuses(fn, args, kwargs):
    """True when a plain function's own signature refuses the call: Python's TypeError
    then names the public function (``weight_norm() got an unexpected keyword argument``),
    which is what it documents; classes go through minnet's ArgumentError instead."""
    if isinstance(fn, type):
        return False
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return True
    return False



@st.composite
def corrupted(draw, valid):
    """Valid ``(args, kwargs)`` with values swapped for junk, an extra positional, or an
    unknown keyword."""
    args, kwargs = draw(valid)
    args = [draw(junk()) if draw(st.booleans()) else value for value in args]
    kwargs = {key: draw(junk()) if draw(st.booleans()) else value
              for key, value in kwargs.items()}
    if draw(st.integers(0, 3)) == 0:
        args.append(draw(junk()))
    if draw(st.integers(0, 3)) == 0:
        kwargs[draw(st.sampled_from(["foo", "p", "bias", "dim", "in_features"]))] = draw(junk())
    return tuple(args), kwargs


# --- the cases: containers, normalization, reshape, residual, weight norm -------------

CASES = [
    FuzzCase("BatchNorm1d", BatchNorm1d,
             call(sizes(), eps=st.floats(1e-8, 1.0), momentum=st.none() | st.floats(0, 1),
                  affine=st.booleans(), track_running_stats=st.booleans()),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(layer.num_features),
                 batch_shapes(layer.num_features, sizes(0, 3)), batch_shapes(sizes(0, 5))))),
    FuzzCase("BatchNorm2d", BatchNorm2d,
             call(sizes(), eps=st.floats(1e-8, 1.0), momentum=st.none() | st.floats(0, 1),
                  affine=st.booleans(), track_running_stats=st.booleans()),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(layer.num_features, sizes(0, 3), sizes(0, 3)),
                 batch_shapes(layer.num_features)))),
    FuzzCase("LayerNorm", LayerNorm,
             call(sizes() | st.tuples(sizes(), sizes()), eps=st.floats(1e-8, 1.0),
                  elementwise_affine=st.booleans()),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(*layer.normalized_shape),
                 batch_shapes(sizes(0, 2), *layer.normalized_shape),
                 batch_shapes(sizes(0, 5))))),
    FuzzCase("Flatten", Flatten, call(), lambda layer: messy_inputs(ANY_SHAPE)),
    FuzzCase("Reshape", Reshape,
             st.sampled_from([((3, -1), {}), ((-1,), {}), ((2, 3), {}), (((1, 6),), {}),
                              ((6, 1), {})]),
             lambda layer: messy_inputs(st.one_of(batch_shapes(6), batch_shapes(2, 3),
                                                  batch_shapes(sizes(0, 7))))),
    FuzzCase("Residual", Residual, call(sizes().map(LayerNorm)),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(*layer.block.normalized_shape), batch_shapes(sizes(0, 5))))),
    FuzzCase("Sequential", Sequential,  # fresh modules for each example
             call(st.builds(Flatten), st.builds(LayerNorm, st.just(6)),
                  st.builds(Reshape, st.just(2), st.just(3)), st.builds(BatchNorm1d, st.just(2))),
             lambda layer: messy_inputs(st.one_of(batch_shapes(6), batch_shapes(2, 3),
                                                  batch_shapes(sizes(0, 7))))),
    FuzzCase("weight_norm", weight_norm,  # returns the Linear it reparametrizes
             call(st.builds(Linear, st.just(3), st.just(4), rng=st.just(0)),
                  name=st.just("weight"), dim=st.sampled_from([0, 1, None, -1])),
             lambda layer: messy_inputs(st.one_of(batch_shapes(3), batch_shapes(sizes(0, 5))),
                                        finite=True),
             # finite: Linear's matmul warns on inf * 0 (the Linear helper's part of issue 7)
             finite=True),
]


# --- functions -----------------------------------------------------------------------

def args_of(*values):
    """``(args, {})`` from one strategy per positional argument."""
    return st.tuples(st.tuples(*values), st.just({}))


def maybe_float_array(shapes):
    return st.one_of(float_arrays(shapes), float_arrays(shapes), junk())


CHANNELS = st.shared(sizes(0, 3), key="channels")
VECTOR = st.one_of(CHANNELS.map(lambda c: (c,)), ANY_SHAPE)

FUNCTION_CASES = [
    FunctionCase("batchnorm_forward", batchnorm_forward, args_of(
        maybe_float_array(st.tuples(st.integers(0, 3), CHANNELS, st.integers(0, 3))),
        maybe_float_array(VECTOR), maybe_float_array(VECTOR),
        st.floats(1e-8, 1.0) | junk(),
        st.none() | maybe_float_array(VECTOR), st.none() | maybe_float_array(VECTOR))),
    FunctionCase("layernorm_forward", layernorm_forward, args_of(
        maybe_float_array(st.tuples(st.integers(0, 3), st.integers(0, 3))),
        maybe_float_array(ANY_SHAPE), maybe_float_array(ANY_SHAPE),
        st.integers(-1, 3) | junk(), st.floats(1e-8, 1.0) | junk())),
    FunctionCase("weight_norm_forward", weight_norm_forward, args_of(
        maybe_float_array(ANY_SHAPE), maybe_float_array(ANY_SHAPE),
        st.sampled_from([0, 1, None]) | junk())),
]
