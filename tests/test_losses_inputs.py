"""Every bad input of every loss: the same error on both backends, raised before any kernel,
from the loss class (named by its repr) and from its functional entry point (by name)."""

import warnings

import numpy as np
import pytest

from minnet.errors import ConfigError, DataError, DTypeError, ShapeError
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

Z34 = np.zeros((3, 4))

# (loss, pred, target, error, the message after "<owner>: ")
CASES = [
    # cross-entropy: targets
    (CrossEntropyLoss(), Z34, np.array([0, 1, np.nan]), DataError,
     r"expected a finite target, got 1 NaN or Inf value\(s\) out of 3"),
    (CrossEntropyLoss(), Z34, np.array([0, 4, 1]), DataError,
     r"expected target labels in \[0, 4\) or equal to ignore_index=-100, got values from 0 to "
     r"4$"),
    (CrossEntropyLoss(), Z34, np.array([1, 4, 2]), DataError,
     r"got values from 1 to 4; the labels look 1-based: subtract 1"),
    (CrossEntropyLoss(), Z34, np.array([-1, 0, 2]), DataError,
     r"got values from -1 to 2; if -1 marks targets to skip, pass ignore_index=-1"),
    (CrossEntropyLoss(ignore_index=0), Z34, np.array([0, 5, 1]), DataError,
     r"labels in \[0, 4\) or equal to ignore_index=0, got values from 1 to 5"),
    (CrossEntropyLoss(), Z34, np.array([0.5, 1, 2]), DTypeError,
     r"expected integer class labels as target, got non-integer floats of dtype float64"),
    (CrossEntropyLoss(), Z34, np.array(["a", "b", "c"]), DTypeError,
     r"expected integer class labels as target, got dtype <U1"),
    # cross-entropy: shapes
    (CrossEntropyLoss(), np.array([["a", "b"]]), np.array([0]), DTypeError,
     r"expected a float logits, got an array of dtype <U1"),
    (CrossEntropyLoss(), np.zeros(4), np.array([1]), ShapeError,
     r"expected logits of shape \(N, C\) or \(N, C, d1, ..., dk\), got \(4,\); for one sample "
     r"use x.reshape\(1, -1\); with one logit per sample use BCEWithLogitsLoss"),
    (CrossEntropyLoss(), np.zeros((3, 0)), np.zeros(3, dtype=int), ShapeError,
     r"expected logits with at least one class on axis 1, got shape \(3, 0\)"),
    (CrossEntropyLoss(), Z34, np.eye(3, 4, dtype=int), ShapeError,
     r"expected target of shape \(N,\) = \(3,\) to match logits \(3, 4\), got \(3, 4\); the "
     r"target looks one-hot: pass class indices, target.argmax\(axis=1\)"),
    (CrossEntropyLoss(), Z34, np.zeros((3, 1), dtype=int), ShapeError,
     r"got \(3, 1\); flatten it with target.ravel\(\)"),
    (CrossEntropyLoss(), Z34, np.array([0, 1]), ShapeError,
     r"expected target of shape \(N,\) = \(3,\) to match logits \(3, 4\), got \(2,\)$"),
    (CrossEntropyLoss(), np.zeros((2, 4, 5)), np.zeros((2, 1, 5), dtype=int), ShapeError,
     r"expected target of shape \(N, d1, ..., dk\) = \(2, 5\) to match logits \(2, 4, 5\), got "
     r"\(2, 1, 5\); drop the size-1 axis with target.squeeze\(1\)"),
    (CrossEntropyLoss(), np.zeros((2, 7, 4)), np.zeros((2, 7), dtype=int), ShapeError,
     r"got \(2, 7\); the classes must be on axis 1: for logits of shape \(N, ..., C\) pass "
     r"np.moveaxis\(x, -1, 1\)"),
    (CrossEntropyLoss(), np.zeros((0, 4)), np.zeros(0, dtype=int), DataError,
     r"expected a non-empty logits, got shape \(0, 4\); the mean over no elements is undefined "
     r"\(reduction='sum' gives 0\)"),
    (CrossEntropyLoss(weight=[1.0, 2.0, 3.0]), Z34, np.array([0, 1, 2]), ShapeError,
     r"expected weight of shape \(C,\) = \(4,\), one per class of the logits \(3, 4\), got "
     r"\(3,\)"),
    # cross-entropy: probability targets, and means over nothing
    (CrossEntropyLoss(), Z34, np.full((3, 4), 1.5), DataError,
     r"expected target probabilities in \[0, 1\], got 12 value\(s\) outside, from 1.5 to 1.5"),
    (CrossEntropyLoss(), Z34, np.full((3, 4), np.nan), DataError, r"expected a finite target"),
    (CrossEntropyLoss(ignore_index=1), Z34, np.full((3, 4), 0.25), ConfigError,
     r"ignore_index=1 applies to class-index targets, but the target is a float array of the "
     r"logits' shape \(class probabilities\); leave ignore_index at its default -100"),
    (CrossEntropyLoss(), Z34, np.full(3, -100), DataError,
     r"every target equals ignore_index=-100, so the weighted mean over the targets is 0/0 "
     r"\(PyTorch returns nan\); skip this batch, or use reduction='sum'"),
    (NLLLoss(weight=[0.0, 1, 1, 1], ignore_index=3), Z34, np.array([0, 3, 0]), DataError,
     r"the class weights of the counted targets sum to 0, so the weighted mean"),
    # NLL
    (NLLLoss(), Z34, np.full((3, 4), 0.25), ShapeError,
     r"expected target of shape \(N,\) = \(3,\) to match log-probabilities \(3, 4\), got "
     r"\(3, 4\); the target looks one-hot"),
    (NLLLoss(), Z34, np.array([0, 1, 9]), DataError, r"labels in \[0, 4\)"),
    (NLLLoss(), np.zeros(3), np.array([0]), ShapeError, r"expected log-probabilities of shape"),
    # binary cross-entropy on logits
    (BCEWithLogitsLoss(), np.zeros((4, 1)), np.zeros(4), ShapeError,
     r"expected target of the same shape as the logits, \(4, 1\), got \(4,\); reshape it with "
     r"target.reshape\(\(4, 1\)\) \(a \(N,\) and an \(N, 1\) array would broadcast to \(N, N\)"),
    (BCEWithLogitsLoss(), np.zeros(4), np.zeros(3), ShapeError, r"got \(3,\)$"),
    (BCEWithLogitsLoss(), np.zeros(3), np.array([0.0, 1.0, 2.0]), DataError,
     r"expected target probabilities in \[0, 1\], got 1 value\(s\) outside, from 2.0 to 2.0$"),
    (BCEWithLogitsLoss(), np.zeros(2), np.array([-1.0, 1.0]), DataError,
     r"from -1.0 to -1.0; map -1/\+1 labels to 0/1 with \(target \+ 1\) / 2"),
    (BCEWithLogitsLoss(), np.zeros(2), np.array([np.nan, 1.0]), DataError,
     r"expected a finite target, got 1 NaN"),
    (BCEWithLogitsLoss(), np.zeros(2), np.array(["0", "1"]), DTypeError,
     r"expected a float target, got an array of dtype <U1"),
    (BCEWithLogitsLoss(weight=np.ones(3)), np.zeros((4, 2)), np.zeros((4, 2)), ShapeError,
     r"expected weight broadcastable to the logits' shape \(4, 2\) without enlarging it "
     r"\(\(N, 1\) weighs each sample, \(C,\) each class\), got \(3,\)"),
    (BCEWithLogitsLoss(weight=np.ones((3, 4))), np.zeros(4), np.zeros(4), ShapeError,
     r"expected weight broadcastable .* got \(3, 4\)"),
    (BCEWithLogitsLoss(pos_weight=np.ones(2)), np.zeros((3, 2, 4)), np.zeros((3, 2, 4)),
     ShapeError, r"expected pos_weight broadcastable to the logits' shape \(3, 2, 4\) without "
                 r"enlarging it \(one value per class on the last axis: shape \(4,\)\), got "
                 r"\(2,\)"),
    (BCEWithLogitsLoss(), np.zeros((0, 3)), np.zeros((0, 3)), DataError,
     r"expected a non-empty logits"),
    # binary cross-entropy on probabilities
    (BCELoss(), np.array([0.5, 1.5]), np.array([0.0, 1.0]), DataError,
     r"expected input probabilities in \[0, 1\], got 1 value\(s\) outside, from 1.5 to 1.5; "
     r"BCELoss takes probabilities \(after a Sigmoid\); for raw scores use BCEWithLogitsLoss"),
    (BCELoss(), np.array([0.5, -np.inf]), np.array([0.0, 1.0]), DataError,
     r"from -inf to -inf"),
    (BCELoss(), np.array([0.5, 0.5]), np.array([0.0, 3.0]), DataError,
     r"expected target probabilities in \[0, 1\]"),
    (BCELoss(weight=np.ones((2, 2))), np.full(2, 0.5), np.zeros(2), ShapeError,
     r"expected weight broadcastable to the probabilities' shape \(2,\)"),
    # regression
    (MSELoss(), np.zeros((5, 1)), np.zeros(5), ShapeError,
     r"expected target of the same shape as the prediction, \(5, 1\), got \(5,\); reshape it "
     r"with target.reshape\(\(5, 1\)\)"),
    (L1Loss(), np.zeros(2), np.array([np.inf, 1.0]), DataError,
     r"expected a finite target, got 1 NaN or Inf"),
    (SmoothL1Loss(), np.array(["x"]), np.zeros(1), DTypeError,
     r"expected a float prediction, got an array of dtype <U1"),
    (HuberLoss(), np.zeros((0, 2)), np.zeros((0, 2)), DataError,
     r"expected a non-empty prediction"),
    (HuberLoss(delta=2.0), np.zeros(3), np.zeros(4), ShapeError, r"got \(4,\)$"),
    # ragged lists (before: NumPy's "inhomogeneous shape" ValueError)
    (CrossEntropyLoss(), Z34, [[0, 1], [2]], ShapeError,
     r"expected target as a rectangular array, got a ragged list"),
    (NLLLoss(), Z34, [[0, 1], [2]], ShapeError, r"expected target as a rectangular array"),
    # integer-valued floats beyond int64 (before: NumPy's 'invalid value encountered in cast')
    (CrossEntropyLoss(), Z34, np.array([0.0, 1.0, 1e19]), DataError,
     r"expected class labels as target, got values as large as 1e\+19"),
]

FUNCTION_NAMES = {CrossEntropyLoss: "cross_entropy_forward", NLLLoss: "nll_forward",
                  BCEWithLogitsLoss: "bce_with_logits_forward", BCELoss: "bce_forward",
                  MSELoss: "mse_forward", L1Loss: "l1_forward",
                  SmoothL1Loss: "smooth_l1_forward", HuberLoss: "huber_forward"}


def escaped_repr(loss_fn):
    return "".join("\\" + c if c in "()[].*+?" else c for c in repr(loss_fn))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("loss_fn, pred, target, error, message", CASES)
def test_bad_inputs_raise_the_same_error_on_both_backends(
        backend, loss_fn, pred, target, error, message):
    forward = loss_fn.pair[0]
    with use_backend(backend):
        with pytest.raises(error, match=rf"^{escaped_repr(loss_fn)}: .*?{message}"):
            loss_fn(pred, target)
        with pytest.raises(error, match=rf"^{FUNCTION_NAMES[type(loss_fn)]}: .*?{message}"):
            forward(pred, target, **loss_fn.options())


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_sum_over_nothing_is_zero_and_none_is_empty(backend):
    with use_backend(backend):
        assert CrossEntropyLoss(reduction="sum")(np.zeros((0, 4)), np.zeros(0, int)) == 0.0
        assert CrossEntropyLoss(reduction="sum")(Z34, np.full(3, -100)) == 0.0
        losses = NLLLoss(reduction="none")(Z34, np.full(3, -100))
        np.testing.assert_array_equal(losses, np.zeros(3))
        assert MSELoss("none")(np.zeros((0, 2)), np.zeros((0, 2))).shape == (0, 2)


def test_functional_options_are_checked_too():
    from minnet.functional import losses as F
    with pytest.raises(ConfigError, match=r"^cross_entropy_forward: the 'label_smoothing' "
                                          r"parameter must be a float in the range"):
        F.cross_entropy_forward(Z34, np.zeros(3, int), 2.0)
    with pytest.raises(ConfigError, match=r"^nll_forward: the 'weight' parameter must hold "
                                          r"values >= 0"):
        F.nll_forward(Z34, np.zeros(3, int), weight=np.array([1, -1, 1, 1]))
    with pytest.raises(ConfigError, match=r"^huber_forward: the 'delta' parameter"):
        F.huber_forward(Z34, Z34, delta=-1.0)
    with pytest.raises(ConfigError, match=r"^bce_forward: the 'reduction' parameter"):
        F.bce_forward(Z34, Z34, reduction="avg")


def test_a_ragged_weight_or_upstream_gradient_is_a_minnet_error():
    """Before: NumPy's 'inhomogeneous shape' ValueError from np.asarray and np.ndim."""
    with pytest.raises(ShapeError, match=r"^CrossEntropyLoss: expected the 'weight' parameter "
                                         r"as a rectangular array, got a ragged list"):
        CrossEntropyLoss(weight=[[1.0], [1.0, 2.0]])
    for loss_fn in (CrossEntropyLoss(), NLLLoss(), MSELoss(), BCEWithLogitsLoss()):
        pred = np.zeros((3, 4))
        loss_fn(pred, np.zeros(3, int) if loss_fn.pair[0].__name__ in (
            "cross_entropy_forward", "nll_forward") else pred)
        with pytest.raises(ShapeError, match="ragged"):
            loss_fn.backward([[1.0], [2.0, 3.0]])


@pytest.mark.parametrize("loss_fn", [NLLLoss(), CrossEntropyLoss()])
def test_a_huge_upstream_gradient_overflows_to_inf_without_warnings(loss_fn):
    """A float32 gradient scaled by a float beyond float32 (before: 'overflow encountered
    in cast'); the result is inf, as PyTorch's."""
    loss_fn(np.zeros((2, 3), np.float32), np.array([0, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad = loss_fn.backward(1e300)
    assert grad.dtype == np.float32 and grad[0, 0] == -np.inf and np.isinf(grad).all() == (
        type(loss_fn) is CrossEntropyLoss)
