"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for minnet.data and the training
entry points.

- ``DataLoader`` (built, iterated, ``len``), ``train_val_split``,
  ``Standardizer`` (fit, transform, inverse_transform) on messy X and y;
- the generators ``spiral``, ``xor``, ``adding_problem``, ``toy_phrases``
  with small sizes; ``mnist1d``'s argument checks only (its generation takes
  seconds: here it is replaced by an exception the scenario expects);
- ``fit`` (one epoch, a tiny model), ``evaluate``, ``predict``,
  ``gradcheck``, ``numerical_gradient`` and ``check_layer`` with each
  argument valid or junk.
"""

import sys
from unittest import mock

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet import check_layer
from minnet.core import Sequential
from minnet.data import (
    DataLoader,
    Standardizer,
    adding_problem,
    mnist1d,
    spiral,
    toy_phrases,
    train_val_split,
    xor,
)
from minnet.gradcheck import gradcheck, numerical_gradient
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import SGD, StepLR
from minnet.training import EarlyStopping, evaluate, fit, predict
from tests.fuzz_cases import (
    ANY_SHAPE,
    FunctionCase,
    Scenario,
    args_of,
    attempt,
    batch_shapes,
    call,
    corrupted,
    float_arrays,
    junk,
    messy_inputs,
    sizes,
)

SAMPLES = st.shared(sizes(1, 6), key="samples")  # X and y agree on N unless junk replaces one
FEATURES = messy_inputs(st.one_of(SAMPLES.map(lambda n: (n, 2)), ANY_SHAPE))
LABELS = st.one_of(SAMPLES.flatmap(lambda n: hnp.arrays(np.int64, (n,),
                                                        elements=st.integers(0, 2))),
                   messy_inputs(st.one_of(SAMPLES.map(lambda n: (n,)), ANY_SHAPE)))


def sometimes_junk(strategy):
    return st.one_of(strategy, strategy, strategy, junk())


def loader_scenario(data):
    valid = call(FEATURES, LABELS | st.none(), batch_size=sizes(1, 4), shuffle=st.booleans(),
                 drop_last=st.booleans(), rng=st.integers(0, 9), replacement=st.booleans())
    args, kwargs = data.draw(valid if data.draw(st.booleans()) else corrupted(valid))
    ok, loader = attempt(DataLoader, *args, **kwargs)
    if ok:
        attempt(len, loader)
        attempt(list, loader)


def standardizer_scenario(data):
    scaler = Standardizer()
    for method in data.draw(st.lists(st.sampled_from(
            ["fit", "transform", "inverse_transform", "fit_transform"]), min_size=1,
            max_size=3), label="methods"):
        attempt(getattr(scaler, method), data.draw(
            messy_inputs(st.one_of(batch_shapes(2), ANY_SHAPE)), label="X"))


class WouldGenerate(Exception):
    """Raised in place of MNIST-1D's generation, which takes seconds."""


def mnist1d_scenario(data):
    args, kwargs = data.draw(corrupted(call(
        num_samples=sizes(10, 100), train_split=st.floats(0.1, 0.9), seed=sizes(0, 9),
        cache_dir=st.none(), verbose=st.booleans())), label="arguments")
    module = sys.modules["minnet.data.mnist1d"]  # minnet.data.mnist1d is the function
    with mock.patch.object(module, "_generate", side_effect=WouldGenerate):
        try:
            attempt(mnist1d, *args, **kwargs)
        except WouldGenerate:
            pass


def tiny_setup(data):
    """(model, loss_fn, optimizer) that fit together, as a user builds them."""
    model = Sequential(Linear(2, 3, rng=0), ReLU())
    loss_fn = data.draw(st.sampled_from([CrossEntropyLoss(), MSELoss(), CrossEntropyLoss(
        reduction="none")]), label="loss_fn")
    return model, loss_fn, SGD(model.parameters(), lr=0.1)


def fit_scenario(data):
    model, loss_fn, optimizer = tiny_setup(data)
    keywords = dict(X_val=st.none() | FEATURES, y_val=st.none() | LABELS, epochs=st.just(1),
                    batch_size=sizes(1, 4), shuffle=st.booleans(),
                    scheduler=st.none() | st.just(StepLR(optimizer, 1)),
                    callbacks=st.just(()) | st.just([EarlyStopping(patience=1)]),
                    progress=st.just(False), rng=st.integers(0, 9))
    valid = call(st.just(model), st.just(loss_fn), st.just(optimizer), FEATURES, LABELS,
                 **keywords)
    args, kwargs = data.draw(valid if data.draw(st.booleans()) else corrupted(valid),
                             label="arguments")
    if kwargs.get("progress") is True or kwargs.get("epochs", 1) not in range(3):
        kwargs["epochs"] = 1  # junk may turn the progress bar on or ask for 5 epochs
    attempt(fit, *args, **kwargs)


def evaluate_scenario(data):
    model, loss_fn, _ = tiny_setup(data)
    args, kwargs = data.draw(call(
        sometimes_junk(st.just(model)), sometimes_junk(st.just(loss_fn)), FEATURES, LABELS,
        batch_size=sometimes_junk(sizes(1, 4))), label="arguments")
    attempt(evaluate, *args, **kwargs)
    attempt(predict, args[0], args[2], **kwargs)


def layer_or_junk():
    return sometimes_junk(st.builds(Linear, st.just(2), st.just(2), rng=st.just(0)))


FUNCTION_CASES = [
    FunctionCase("spiral", spiral, call(sometimes_junk(sizes(1, 5)), sometimes_junk(sizes(1, 3)),
                                        sometimes_junk(st.floats(0, 1)), rng=junk())),
    FunctionCase("xor", xor, call(sometimes_junk(sizes(1, 5)), sometimes_junk(st.floats(0, 1)),
                                  rng=junk())),
    FunctionCase("adding_problem", adding_problem, call(
        sometimes_junk(sizes(1, 5)), sometimes_junk(sizes(2, 5)), rng=junk())),
    FunctionCase("toy_phrases", toy_phrases, call(sometimes_junk(sizes(2, 6)), rng=junk(),
                                                  max_len=st.none() | junk())),
    FunctionCase("train_val_split", train_val_split, call(
        FEATURES, LABELS, val_fraction=sometimes_junk(st.floats(0, 1)), shuffle=junk(),
        stratify=junk(), rng=junk())),
    FunctionCase("gradcheck", gradcheck, call(
        layer_or_junk(), sometimes_junk(float_arrays(st.one_of(batch_shapes(2), ANY_SHAPE))),
        eps=sometimes_junk(st.floats(1e-8, 1e-4)), atol=junk(), rtol=junk(),
        raise_exception=junk(), rng=junk(), grad_out=junk())),
    FunctionCase("numerical_gradient", numerical_gradient, args_of(
        st.sampled_from([np.sum, lambda x: x * 2, lambda x: "x"]) | junk(),
        sometimes_junk(float_arrays(ANY_SHAPE)), st.none() | junk(),
        sometimes_junk(st.floats(1e-8, 1e-4)))),
    FunctionCase("check_layer", check_layer, call(
        layer_or_junk(), sometimes_junk(st.just((3, 2))), rng=junk(), skip=junk())),
]

SCENARIOS = [
    Scenario("DataLoader", loader_scenario),
    Scenario("Standardizer", standardizer_scenario),
    Scenario("mnist1d-arguments", mnist1d_scenario),
    Scenario("fit", fit_scenario),
    Scenario("evaluate-predict", evaluate_scenario),
]
