"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for Linear, activations, dropout,
Embedding, GroupNorm and the containers.

Valid arguments cover every option (Linear's inits and ``input_grad``,
Embedding's ``padding_idx``, GroupNorm without bias...); inputs are plausible
shapes around what the layer takes (Linear's (N, *, D), empty batches, NaN
and ±inf values) or anything at all. Layers that run no kernel are fuzzed on
one backend (``backends=("numpy",)``): the two would run the same code.
"""

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.core import Sequential
from minnet.init import INITIALIZERS
from minnet.layers.activations import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from minnet.layers.containers import Identity, ModuleDict, ModuleList
from minnet.layers.dropout import Dropout, Dropout2d
from minnet.layers.embedding import Embedding
from minnet.layers.groupnorm import GroupNorm
from minnet.layers.linear import Linear
from minnet.layers.reshape import Flatten
from tests.fuzz_cases import (
    ANY_SHAPE,
    FuzzCase,
    batch_shapes,
    call,
    junk,
    messy_inputs,
    sizes,
)

NUMPY_ONLY = ("numpy",)
INITS = st.sampled_from(sorted(INITIALIZERS))


def any_inputs(layer):
    return messy_inputs(ANY_SHAPE)


def activation_case(cls, **keywords):
    return FuzzCase(cls.__name__, cls, call(**keywords), any_inputs, backends=NUMPY_ONLY)


def token_ids(vocabulary):
    """Integer ids of shape (N, T) or (N,), now and then out of range; or anything."""
    ids = st.tuples(st.sampled_from(["int64", "int32", "uint8"]),
                    st.one_of(batch_shapes(sizes(0, 3)), batch_shapes())).flatmap(
        lambda pair: hnp.arrays(pair[0], pair[1],
                                elements=st.integers(0 if pair[0] == "uint8" else -1,
                                                     vocabulary)))
    return st.one_of(ids, ids, ids, messy_inputs(st.one_of(batch_shapes(sizes(0, 3)),
                                                           ANY_SHAPE)))


def group_norm_arguments():
    return st.tuples(sizes(1, 3), sizes(1, 2)).flatmap(lambda pair: call(
        st.just(pair[0]), st.just(pair[0] * pair[1]), eps=st.floats(1e-8, 1.0),
        affine=st.booleans(), bias=st.booleans()))


def modules():
    """A fresh module for each example (a container may hold it)."""
    return st.one_of(st.builds(ReLU), st.builds(Flatten), st.builds(Linear, sizes(), sizes()))


CASES = [
    FuzzCase("Linear", Linear,
             call(sizes(), sizes(), bias=st.booleans(), init=INITS, rng=st.integers(0, 9),
                  input_grad=st.booleans()),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(layer.in_features),
                 batch_shapes(sizes(0, 3), layer.in_features),  # (N, *, D)
                 batch_shapes(sizes(0, 2), sizes(0, 2), layer.in_features),
                 batch_shapes(sizes(0, 5)))),
             backends=NUMPY_ONLY),
    activation_case(ReLU),
    activation_case(LeakyReLU, negative_slope=st.floats(-2, 2)),
    activation_case(Sigmoid),
    activation_case(Tanh),
    activation_case(ELU, alpha=st.floats(1e-3, 3)),
    activation_case(GELU),
    activation_case(SiLU),
    activation_case(Softplus, beta=st.floats(1e-2, 5), threshold=st.floats(-5, 50)),
    activation_case(Softmax, axis=st.integers(-3, 2)),
    activation_case(Softmax, dim=st.integers(-3, 2))._replace(name="Softmax-dim"),
    activation_case(LogSoftmax, axis=st.integers(-3, 2)),
    FuzzCase("Dropout", Dropout, call(p=st.floats(0, 0.99), rng=st.integers(0, 9)),
             any_inputs, backends=NUMPY_ONLY),
    FuzzCase("Dropout2d", Dropout2d, call(p=st.floats(0, 0.99), rng=st.integers(0, 9)),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(sizes(0, 3), sizes(0, 3), sizes(0, 3)), ANY_SHAPE)),
             backends=NUMPY_ONLY),
    FuzzCase("Embedding", Embedding,
             sizes(1, 5).flatmap(lambda vocabulary: call(
                 st.just(vocabulary), sizes(),
                 padding_idx=st.none() | st.integers(-vocabulary, vocabulary - 1),
                 rng=st.integers(0, 9))),
             lambda layer: token_ids(layer.num_embeddings)),
    FuzzCase("GroupNorm", GroupNorm, group_norm_arguments(),
             lambda layer: messy_inputs(st.one_of(
                 batch_shapes(layer.num_channels), batch_shapes(layer.num_channels, sizes(0, 3)),
                 batch_shapes(layer.num_channels, sizes(0, 2), sizes(0, 2)),
                 batch_shapes(sizes(0, 4), sizes(0, 2))))),
    FuzzCase("Identity", Identity, st.tuples(st.lists(junk(), max_size=2).map(tuple),
                                             st.just({})),
             any_inputs, backends=NUMPY_ONLY),
    FuzzCase("ModuleList", ModuleList, call(st.lists(modules(), max_size=3)), any_inputs,
             backends=NUMPY_ONLY),
    FuzzCase("ModuleDict", ModuleDict,
             call(st.dictionaries(st.sampled_from(["a", "head", "x1"]), modules(), max_size=2)
                  | st.lists(st.tuples(st.sampled_from(["a", "b"]), modules()), max_size=2)),
             any_inputs, backends=NUMPY_ONLY),
    FuzzCase("Sequential-mlp", Sequential,  # a small model as a user writes it
             st.tuples(sizes(), sizes()).flatmap(lambda pair: call(
                 st.builds(Linear, st.just(pair[0]), st.just(pair[1])),
                 st.sampled_from([ReLU, Tanh, GELU, SiLU, Sigmoid]).map(lambda cls: cls()),
                 st.builds(Dropout, st.floats(0, 0.9)),
                 st.builds(Linear, st.just(pair[1]), sizes()),
                 st.builds(LogSoftmax))),
             lambda layer: messy_inputs(st.one_of(batch_shapes(layer[0].in_features),
                                                  batch_shapes(sizes(0, 5)))),
             backends=NUMPY_ONLY),
]
