"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for the losses.

Each scenario builds a loss from valid or corrupted options (class weights,
``ignore_index``, ``reduction``, ``label_smoothing``, ``pos_weight``,
``beta``/``delta``), calls it once or twice on messy predictions (NaN, ±inf,
huge values, empty batches, other ranks and dtypes) and targets (labels in
and out of range, ``ignore_index``, probabilities, wrong shapes, junk), then
runs ``backward`` with None, a scalar, an array or junk. A gradient that
comes back must be that of the last call, with the prediction's shape.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.layers.linear import Linear
from minnet.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
    SmoothL1Loss,
)
from tests.fuzz_cases import (
    ANY_SHAPE,
    Scenario,
    attempt,
    batch_shapes,
    call,
    corrupted,
    float_arrays,
    junk,
    messy_inputs,
    sizes,
)

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
CLASSES = 3  # C: class weights, scores and labels agree on it unless junk replaces them


def shape_of(value):
    """``np.shape(value)``, or (2,) for a ragged list (which has none)."""
    try:
        return np.shape(value)
    except ValueError:
        return (2,)


def non_negative(shapes):
    return st.tuples(st.sampled_from([np.float64, np.float32, np.int64]), shapes).flatmap(
        lambda pair: hnp.arrays(pair[0], pair[1], elements=st.integers(0, 3)))


def class_options(smoothing):
    keywords = dict(weight=st.none() | non_negative(st.just((CLASSES,))),
                    ignore_index=st.sampled_from([-100, -1, 0, 2]), reduction=REDUCTIONS)
    if smoothing:
        keywords["label_smoothing"] = st.floats(0, 1)
    return call(**keywords)


def class_scores():
    return messy_inputs(st.one_of(batch_shapes(CLASSES), batch_shapes(CLASSES, sizes(0, 2)),
                                  batch_shapes(sizes(0, 4)), ANY_SHAPE))


def class_targets(scores):
    """Labels of the right shape (in range, out of it, ignore_index), probabilities of the
    scores' shape, or anything."""
    shape = shape_of(scores)
    labels_shape = shape[:1] + shape[2:] if len(shape) >= 2 else shape
    labels = st.sampled_from([np.int64, np.int32, np.float64, np.bool_]).flatmap(
        lambda dtype: hnp.arrays(dtype, labels_shape,
                                 elements=st.sampled_from([-100, -1, 0, 1, 2, 3])
                                 if dtype is not np.bool_ else st.booleans()))
    probabilities = float_arrays(st.just(shape)) | hnp.arrays(
        np.float64, shape, elements=st.floats(0, 1))
    return st.one_of(labels, labels, probabilities, messy_inputs(ANY_SHAPE))


def binary_options(with_pos_weight):
    weights = st.none() | non_negative(st.sampled_from([(), (1,), (2,), (3, 2)]))
    keywords = dict(weight=weights, reduction=REDUCTIONS)
    if with_pos_weight:
        keywords["pos_weight"] = weights
    return call(**keywords)


def same_shape_targets(pred, unit_interval):
    shape = shape_of(pred)
    inside = hnp.arrays(np.float64, shape, elements=st.floats(0, 1))
    return st.one_of(inside if unit_interval else float_arrays(st.just(shape)),
                     float_arrays(st.just(shape)), messy_inputs(ANY_SHAPE))


def regression_options(extra=None):
    keywords = dict(reduction=REDUCTIONS)
    if extra:
        keywords[extra] = st.floats(0, 3)
    return call(**keywords)


def upstream(data, loss):
    """What backward receives: None, a scalar, an array of the loss's shape, or junk."""
    shape = np.shape(loss) if isinstance(loss, np.ndarray) else ()
    return data.draw(st.one_of(st.none(), float_arrays(st.just(shape)),
                               st.floats(allow_nan=True), junk()), label="grad_out")


def loss_scenario(name, build, options, preds, targets):
    """Build (valid or corrupted options), then call and backward once or twice."""
    def run(data):
        arguments = options if data.draw(st.integers(0, 3), label="valid?") else corrupted(
            options)
        args, kwargs = data.draw(arguments, label="options")
        ok, loss_fn = attempt(build, *args, **kwargs)
        if not ok:
            return
        for _ in range(data.draw(st.integers(1, 2), label="calls")):
            pred = data.draw(preds, label="pred")
            target = data.draw(targets(pred), label="target")
            called, loss = attempt(loss_fn, pred, target)
            ok, grad = attempt(loss_fn.backward, upstream(data, loss))
            if ok:  # never the gradient of an earlier call after a refused one
                assert called and grad.shape == np.shape(pred)
    return Scenario(name, run)


REGRESSION_PREDS = messy_inputs(st.one_of(batch_shapes(sizes(1, 2)), ANY_SHAPE))

SCENARIOS = [
    loss_scenario("CrossEntropyLoss", CrossEntropyLoss, class_options(True), class_scores(),
                  class_targets),
    loss_scenario("NLLLoss", NLLLoss, class_options(False), class_scores(), class_targets),
    loss_scenario("BCEWithLogitsLoss", BCEWithLogitsLoss, binary_options(True),
                  messy_inputs(st.one_of(batch_shapes(2), ANY_SHAPE)),
                  lambda pred: same_shape_targets(pred, True)),
    loss_scenario("BCELoss", BCELoss, binary_options(False),
                  st.one_of(hnp.arrays(np.float64, batch_shapes(2), elements=st.floats(0, 1)),
                            messy_inputs(st.one_of(batch_shapes(2), ANY_SHAPE))),
                  lambda pred: same_shape_targets(pred, True)),
    loss_scenario("MSELoss", MSELoss, regression_options(), REGRESSION_PREDS,
                  lambda pred: same_shape_targets(pred, False)),
    loss_scenario("L1Loss", L1Loss, regression_options(), REGRESSION_PREDS,
                  lambda pred: same_shape_targets(pred, False)),
    loss_scenario("SmoothL1Loss", SmoothL1Loss, regression_options("beta"), REGRESSION_PREDS,
                  lambda pred: same_shape_targets(pred, False)),
    loss_scenario("HuberLoss", HuberLoss, regression_options("delta"), REGRESSION_PREDS,
                  lambda pred: same_shape_targets(pred, False)),
    loss_scenario("RegularizedLoss", RegularizedLoss,
                  call(st.sampled_from([CrossEntropyLoss, MSELoss]).flatmap(
                           lambda cls: st.builds(cls, reduction=REDUCTIONS)),
                       st.builds(Linear, sizes(), st.just(CLASSES), rng=st.just(0)),
                       l1=st.floats(0, 1), l2=st.floats(0, 1)),
                  class_scores(), class_targets),
]
