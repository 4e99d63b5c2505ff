"""PyTorch as the oracle (float64, to round-off): the value and d(loss)/d(input) of every
loss x reduction x option, ties of options, (N, C, d1, d2) inputs, hypothesis-drawn shapes,
and the corner cases where minnet chooses differently (and says so)."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.errors import DataError
from minnet.kernels import use_backend
from minnet.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")


def as_torch(value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


def compare(loss_fn, pred, target, seed=0, rtol=1e-12):
    """Value and gradient (random upstream) of ``loss_fn`` against its torch.nn twin."""
    options = {name: as_torch(value) for name, value in loss_fn.options().items()}
    theirs = getattr(torch.nn, type(loss_fn).__name__)(**options)
    tensor = torch.tensor(pred, requires_grad=True)
    expected = theirs(tensor, torch.tensor(target))
    rng = np.random.default_rng(seed)
    upstream = (rng.standard_normal(tuple(expected.shape)) if expected.ndim
                else float(rng.standard_normal()))
    expected.backward(torch.tensor(upstream, dtype=torch.float64))
    loss = loss_fn(pred, target)
    assert isinstance(loss, np.ndarray) == (loss_fn.reduction == "none")
    np.testing.assert_allclose(loss, expected.detach().numpy(), rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(loss_fn.backward(upstream), tensor.grad.numpy(), rtol=rtol,
                               atol=1e-14)


REDUCTIONS = ["mean", "sum", "none"]
SHAPES = [(6, 4), (2, 4, 3, 2)]  # (N, C) and (N, C, d1, d2); hypothesis draws the rest
WEIGHT = np.array([0.5, 2.0, 1.0, 0.25])


def labels(rng, shape, ignore_index=None):
    target = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
    if ignore_index is not None:
        target.flat[::3] = ignore_index
    return target


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight, ignore_index, smoothing", list(itertools.product(
    [None, WEIGHT], [None, -100, 2], [0.0, 0.3])))
def test_cross_entropy_with_class_indices(shape, reduction, weight, ignore_index, smoothing,
                                          rng):
    logits = rng.standard_normal(shape) * 3
    target = labels(rng, shape, ignore_index)
    compare(CrossEntropyLoss(weight=weight, ignore_index=-100 if ignore_index is None
                             else ignore_index, reduction=reduction, label_smoothing=smoothing),
            logits, target)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("classes", [4, 70])  # the compiled kernel, then its reference
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_the_fused_kernel_path_on_both_backends(backend, classes, reduction, smoothing, rng):
    logits = rng.standard_normal((9, classes)) * 3
    target = rng.integers(0, classes, size=9)
    with use_backend(backend):
        compare(CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing), logits,
                target)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight, smoothing", list(itertools.product([None, WEIGHT],
                                                                     [0.0, 0.3])))
def test_cross_entropy_with_probabilities(shape, reduction, weight, smoothing, rng):
    logits = rng.standard_normal(shape) * 3
    target = rng.dirichlet(np.ones(shape[1]), size=shape[:1] + shape[2:])
    target = np.moveaxis(target, -1, 1).copy()
    compare(CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=smoothing),
            logits, target)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight, ignore_index", list(itertools.product([None, WEIGHT],
                                                                        [None, 0])))
def test_nll(shape, reduction, weight, ignore_index, rng):
    log_probs = torch.log_softmax(torch.tensor(rng.standard_normal(shape)), 1).numpy()
    target = labels(rng, shape, ignore_index)
    compare(NLLLoss(weight=weight, ignore_index=-100 if ignore_index is None else ignore_index,
                    reduction=reduction), log_probs, target)


def test_extreme_logits(rng):
    logits = np.concatenate([rng.standard_normal((6, 5)) * 3, [[1e4, -1e4, 0, 0, 0]]])
    target = np.array([0, 1, 2, 3, 4, 4, 1])
    for smoothing, weight in itertools.product([0.0, 0.15, 1.0], [None, np.arange(1.0, 6.0)]):
        compare(CrossEntropyLoss(weight=weight, label_smoothing=smoothing), logits, target)


@pytest.mark.parametrize("shape", [(7,), (5, 3), (2, 3, 4)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape, pos_weight_shape", [
    (None, None), ("class", None), (None, "class"), ("sample", "one"), ("class", "class")])
def test_bce_with_logits(shape, reduction, weight_shape, pos_weight_shape, rng):
    shapes = {None: None, "class": shape[-1:], "one": (1,),
              "sample": shape[:1] + (1,) * (len(shape) - 1)}
    weight, pos_weight = (None if shapes[name] is None else rng.uniform(0, 3, size=shapes[name])
                          for name in (weight_shape, pos_weight_shape))
    logits = rng.standard_normal(shape) * 4
    target = rng.uniform(size=shape)
    target.flat[::2] = np.round(target.flat[::2])
    compare(BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight),
            logits, target)
    compare(BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight),
            np.array([1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -30.0]).reshape(7)[:shape[-1]]
            * np.ones(shape), target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
def test_bce_including_the_clamped_logs(reduction, with_weight, rng):
    probs = np.concatenate([rng.uniform(size=6), [0.0, 1.0, 1e-60, 1 - 1e-12, 1e-12, 0.5]])
    target = np.concatenate([rng.uniform(size=6), [1.0, 0.0, 1.0, 0.0, 1.0, 0.25]])
    weight = rng.uniform(0, 2, size=(3, 4)) if with_weight else None
    compare(BCELoss(weight=weight, reduction=reduction), probs.reshape(3, 4),
            target.reshape(3, 4), rtol=1e-11)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss_fn", [MSELoss, L1Loss, SmoothL1Loss,
                                     lambda r: SmoothL1Loss(r, beta=0.5),
                                     lambda r: SmoothL1Loss(r, beta=0.0), HuberLoss,
                                     lambda r: HuberLoss(r, delta=0.5)])
def test_regression_losses_including_the_kinks(loss_fn, reduction, rng):
    pred = np.concatenate([rng.standard_normal(8) * 2, [0.0, 0.5, -0.5, 1.0]])
    target = np.concatenate([rng.standard_normal(8), [0.0, 0.0, 0.0, 0.0]])
    compare(loss_fn(reduction), pred.reshape(3, 2, 2), target.reshape(3, 2, 2))


@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       seed=st.integers(0, 2**16), reduction=st.sampled_from(REDUCTIONS),
       weighted=st.booleans(), ignore=st.booleans(), smoothing=st.sampled_from([0.0, 0.2]))
def test_drawn_shapes_of_cross_entropy_and_nll(shape, seed, reduction, weighted, ignore,
                                               smoothing):
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    logits = rng.standard_normal(shape) * 2
    target = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
    if ignore:
        target.flat[1::2] = -100  # the first target is always counted
    weight = rng.uniform(0.5, 2, size=shape[1]) if weighted else None
    compare(CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=smoothing),
            logits, target, seed)
    log_probs = torch.log_softmax(torch.tensor(logits), 1).numpy()
    compare(NLLLoss(weight=weight, reduction=reduction), log_probs, target, seed)


# --- where minnet chooses otherwise ---------------------------------------------------

@pytest.mark.parametrize("loss_cls, scores", [
    (CrossEntropyLoss, np.zeros((3, 4))), (NLLLoss, np.full((3, 4), -np.log(4.0)))])
@pytest.mark.parametrize("weight, target", [
    (None, np.full(3, -100)),                       # every target ignored
    (np.array([0.0, 1.0, 1.0, 1.0]), np.zeros(3, dtype=np.int64)),  # weights sum to 0
])
def test_a_mean_over_no_weight_is_nan_in_torch_and_an_error_here(loss_cls, scores, weight,
                                                                 target):
    options = {} if weight is None else {"weight": torch.tensor(weight)}
    theirs = getattr(torch.nn, loss_cls.__name__)(**options)
    assert torch.isnan(theirs(torch.tensor(scores), torch.tensor(target)))
    with pytest.raises(DataError, match=r"\(PyTorch returns nan\); skip this batch, or use "
                                        r"reduction='sum'"):
        loss_cls(weight=weight)(scores, target)
    for reduction in ("sum", "none"):  # well defined: both agree
        compare(loss_cls(weight=weight, reduction=reduction), scores, target)
