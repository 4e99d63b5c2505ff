"""Loss classes: PyTorch's signatures and defaults, reprs, options checked at construction,
reductions and the backward contract, accuracy, fit() on the new losses."""

import inspect
import math

import numpy as np
import pytest

import minnet as mn
from minnet.errors import ArgumentError, ConfigError, DTypeError, MinnetError, ShapeError
from minnet.functional import losses as F
from minnet.gradcheck import numerical_gradient
from minnet.layers.activations import Sigmoid
from minnet.layers.linear import Linear
from minnet.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    Loss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
    SmoothL1Loss,
)
from minnet.optim import SGD
from minnet.training import accuracy_function, fit


def log_softmax(x, axis=1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def example(loss_cls, rng, shape=(6, 4)):
    """A valid (pred, target) pair for each loss."""
    x = rng.standard_normal(shape)
    if loss_cls in (CrossEntropyLoss, NLLLoss):
        target = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
        return (log_softmax(x) if loss_cls is NLLLoss else x), target
    if loss_cls is BCELoss:
        return 1 / (1 + np.exp(-x)), rng.uniform(size=shape)
    if loss_cls is BCEWithLogitsLoss:
        return x, rng.uniform(size=shape)
    return x, rng.standard_normal(shape)


ALL = [CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss, MSELoss, L1Loss, SmoothL1Loss,
       HuberLoss]

# PyTorch's signatures (deprecated size_average/reduce left out), in PyTorch's order.
SIGNATURES = {
    CrossEntropyLoss: "weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0",
    NLLLoss: "weight=None, ignore_index=-100, reduction='mean'",
    BCEWithLogitsLoss: "weight=None, reduction='mean', pos_weight=None",
    BCELoss: "weight=None, reduction='mean'",
    MSELoss: "reduction='mean'", L1Loss: "reduction='mean'",
    SmoothL1Loss: "reduction='mean', beta=1.0", HuberLoss: "reduction='mean', delta=1.0",
}


@pytest.mark.parametrize("loss_cls", ALL)
def test_signatures_are_pytorchs(loss_cls):
    parameters = list(inspect.signature(loss_cls).parameters.values())
    assert ", ".join(str(p) for p in parameters) == SIGNATURES[loss_cls]


@pytest.mark.torch
@pytest.mark.parametrize("loss_cls", ALL)
def test_signatures_match_the_installed_torch(loss_cls):
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(getattr(torch.nn, loss_cls.__name__))
    names = [name for name in theirs.parameters if name not in ("size_average", "reduce")]
    assert names == list(inspect.signature(loss_cls).parameters)
    for name in names:
        assert theirs.parameters[name].default == inspect.signature(loss_cls).parameters[
            name].default, name


def test_reprs_show_only_non_default_options():
    for loss_cls in ALL:
        assert repr(loss_cls()) == f"{loss_cls.__name__}()"
    assert repr(CrossEntropyLoss(weight=[1, 2], ignore_index=0, reduction="sum",
                                 label_smoothing=0.1)) == (
        "CrossEntropyLoss(weight=[1.0, 2.0], ignore_index=0, reduction='sum', "
        "label_smoothing=0.1)")
    assert repr(NLLLoss(weight=np.ones(20))) == "NLLLoss(weight=<array of shape (20,)>)"
    assert repr(BCEWithLogitsLoss(pos_weight=[3.0])) == "BCEWithLogitsLoss(pos_weight=[3.0])"
    assert repr(BCELoss(weight=[[1.0], [2.0]], reduction="none")) == (
        "BCELoss(weight=[[1.0], [2.0]], reduction='none')")
    assert repr(SmoothL1Loss(beta=0.5)) == "SmoothL1Loss(beta=0.5)"
    assert repr(HuberLoss("sum", 2)) == "HuberLoss(reduction='sum', delta=2.0)"
    assert repr(MSELoss("none")) == "MSELoss(reduction='none')"
    regularized = RegularizedLoss(CrossEntropyLoss(label_smoothing=0.1), Linear(2, 2, rng=0),
                                  l2=1e-4)
    assert repr(regularized) == (
        "RegularizedLoss(CrossEntropyLoss(label_smoothing=0.1), l1=0.0, l2=0.0001)")


def per_element_loss(loss_cls, pred, target):
    """Each loss's textbook formula at the default options, per sample (or element)."""
    def sigmoid():
        return 1 / (1 + np.exp(-pred))

    def diff():
        return np.abs(pred - target)

    rows = np.arange(len(target))
    return {
        CrossEntropyLoss: lambda: -log_softmax(pred)[rows, target],
        NLLLoss: lambda: -pred[rows, target],
        BCEWithLogitsLoss: lambda: -(target * np.log(sigmoid())
                                     + (1 - target) * np.log(1 - sigmoid())),
        BCELoss: lambda: -(target * np.log(pred) + (1 - target) * np.log(1 - pred)),
        MSELoss: lambda: (pred - target) ** 2,
        L1Loss: diff,
        SmoothL1Loss: lambda: np.where(diff() < 1, 0.5 * diff() ** 2, diff() - 0.5),  # beta 1
        HuberLoss: lambda: np.where(diff() <= 1, 0.5 * diff() ** 2, diff() - 0.5),  # delta 1
    }[loss_cls]()


@pytest.mark.parametrize("loss_cls", ALL)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses_give_the_textbook_value_as_a_float_and_its_derivative(loss_cls, reduction, rng):
    pred, target = example(loss_cls, rng)
    loss_fn = loss_cls(reduction=reduction)
    loss = loss_fn(pred, target)

    def textbook(p):
        return getattr(np, reduction)(per_element_loss(loss_cls, p, target))

    assert isinstance(loss, float)
    assert loss == pytest.approx(textbook(pred), rel=1e-12)
    grad = loss_fn.backward()
    assert grad.shape == pred.shape and grad.dtype == pred.dtype
    numeric = numerical_gradient(textbook, pred.copy())  # the formula's, not the pair's
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(loss_fn.backward(-2.5), -2.5 * grad, rtol=1e-14)
    np.testing.assert_allclose(loss_fn.backward(np.float32(0.5)), 0.5 * grad, rtol=1e-14)
    loss_fn(pred.astype(np.float32), target)
    assert loss_fn.backward().dtype == np.float32


@pytest.mark.parametrize("loss_cls", ALL)
def test_reduction_none_returns_the_per_element_losses(loss_cls, rng):
    pred, target = example(loss_cls, rng, shape=(5, 3, 2))
    losses = loss_cls(reduction="none")(pred, target)
    class_loss = loss_cls in (CrossEntropyLoss, NLLLoss)
    assert isinstance(losses, np.ndarray)
    assert losses.shape == ((5, 2) if class_loss else pred.shape)
    assert losses.sum() == pytest.approx(loss_cls(reduction="sum")(pred, target), rel=1e-12)
    assert losses.mean() == pytest.approx(loss_cls()(pred, target), rel=1e-12)


@pytest.mark.parametrize("loss_cls", ALL)
def test_reduction_none_backward_needs_the_upstream_gradient(loss_cls, rng):
    pred, target = example(loss_cls, rng)
    loss_fn = loss_cls(reduction="none")
    losses = loss_fn(pred, target)
    with pytest.raises(MinnetError, match=(
            rf"{loss_cls.__name__}\(reduction='none'\): with reduction='none' the loss is an "
            rf"array of shape \({losses.shape[0]},( {losses.shape[-1]})?\), so backward\(\) "
            r"needs its upstream gradient.*call loss_fn.backward\(np.ones_like\(loss\)\) to "
            r"sum the losses, or build the loss with reduction='sum' or 'mean'")):
        loss_fn.backward()
    with pytest.raises(ShapeError, match=r"expected grad_out of shape .* \(the shape of the "
                                         r"per-element losses\), got \(1,\)"):
        loss_fn.backward(np.ones(1))
    with pytest.raises(DTypeError, match=r"expected a float grad_out, got an array of dtype"):
        loss_fn.backward(np.full(losses.shape, "x"))
    summed = loss_cls(reduction="sum")
    summed(pred, target)
    np.testing.assert_allclose(loss_fn.backward(np.ones_like(losses)), summed.backward(),
                               rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("loss_cls", ALL)
def test_a_float_loss_takes_only_a_scalar_grad_out(loss_cls, rng):
    pred, target = example(loss_cls, rng)
    loss_fn = loss_cls()
    loss_fn(pred, target)
    with pytest.raises(ShapeError, match=rf"{loss_cls.__name__}\(\): with reduction='mean' the "
                                         r"loss is a float, so grad_out must be a scalar"):
        loss_fn.backward(np.ones(pred.shape[0]))
    with pytest.raises(DTypeError, match=r"expected a float grad_out"):
        loss_fn.backward("1.0")


@pytest.mark.parametrize("loss_cls", ALL)
def test_backward_before_call_raises(loss_cls):
    with pytest.raises(MinnetError, match=rf"{loss_cls.__name__}\(\): backward\(\) called "
                                          r"before the loss was computed"):
        loss_cls().backward()


# --- options checked at construction ---------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda: CrossEntropyLoss(reduction="avg"), ConfigError,
     r"CrossEntropyLoss: the 'reduction' parameter must be one of \['mean', 'none', 'sum'\], "
     r"got 'avg'"),
    (lambda: MSELoss(None), ConfigError, r"MSELoss: the 'reduction' parameter must be one of"),
    (lambda: CrossEntropyLoss(0.1), ConfigError,
     r"CrossEntropyLoss: the 'weight' parameter must be a 1-d array of one weight per class, "
     r"shape \(C,\), got shape \(\); the first positional argument is the class weight, as in "
     r"PyTorch: pass the other options by keyword \(label_smoothing=..., reduction=...\)"),
    (lambda: NLLLoss(weight=np.ones((2, 2))), ConfigError, r"NLLLoss: .*got shape \(2, 2\)$"),
    (lambda: NLLLoss(weight=[]), ConfigError, r"got shape \(0,\)"),
    (lambda: CrossEntropyLoss(weight=[1, -1]), ConfigError,
     r"CrossEntropyLoss: the 'weight' parameter must hold values >= 0, got a smallest value "
     r"of -1.0"),
    (lambda: CrossEntropyLoss(weight=[1, np.nan]), ConfigError,
     r"the 'weight' parameter must hold finite values, got 1 NaN or Inf"),
    (lambda: CrossEntropyLoss(weight=["a", "b"]), ConfigError, r"got an array of dtype <U1"),
    (lambda: CrossEntropyLoss(ignore_index=1.5), ConfigError,
     r"CrossEntropyLoss: the 'ignore_index' parameter must be an int, got 1.5"),
    (lambda: NLLLoss(ignore_index=True), ConfigError, r"'ignore_index' parameter must be an int"),
    (lambda: CrossEntropyLoss(label_smoothing=1.5), ConfigError,
     r"CrossEntropyLoss: the 'label_smoothing' parameter must be a float in the range "
     r"\[0.0, 1.0\], got 1.5 instead"),
    (lambda: CrossEntropyLoss(label_smoothing=-0.1), ConfigError, r"\[0.0, 1.0\], got -0.1"),
    (lambda: CrossEntropyLoss(label_smoothing="0.1"), ConfigError,
     r"must be a finite float, got '0.1'"),
    (lambda: BCEWithLogitsLoss(pos_weight=[-2.0]), ConfigError,
     r"BCEWithLogitsLoss: the 'pos_weight' parameter must hold values >= 0"),
    (lambda: BCEWithLogitsLoss(pos_weight=[np.inf]), ConfigError, r"'pos_weight' .* finite"),
    (lambda: BCEWithLogitsLoss(weight=[[np.nan]]), ConfigError, r"'weight' .* finite"),
    (lambda: BCELoss(weight=-1.0), ConfigError, r"BCELoss: the 'weight' parameter .* >= 0"),
    (lambda: BCELoss(reduction="batchmean"), ConfigError, r"'reduction' parameter must be"),
    (lambda: SmoothL1Loss(beta=-1.0), ConfigError,
     r"SmoothL1Loss: the 'beta' parameter must be a float in the range \[0.0, inf\]"),
    (lambda: HuberLoss(delta=0.0), ConfigError,
     r"HuberLoss: the 'delta' parameter must be a float in the range \(0.0, inf\], got 0.0"),
    (lambda: HuberLoss(delta=np.nan), ConfigError, r"'delta' parameter must be a finite float"),
    (lambda: L1Loss("Mean"), ConfigError, r"L1Loss: the 'reduction' parameter must be one of"),
    (lambda: CrossEntropyLoss(label_smoothing=None), ConfigError,
     r"'label_smoothing' parameter must be a finite float, got None"),
    (lambda: NLLLoss(ignore_index=None), ConfigError, r"'ignore_index' parameter must be an int"),
    (lambda: SmoothL1Loss(beta=None), ConfigError, r"'beta' parameter must be a finite float"),
    (lambda: HuberLoss(delta=None), ConfigError, r"'delta' parameter must be a finite float"),
])
def test_options_are_checked_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_the_weight_is_a_private_read_only_copy():
    weight = np.array([1.0, 2.0, 3.0])
    loss_fn = CrossEntropyLoss(weight=weight)
    weight[0] = -5.0  # the caller's array changes; the loss keeps what it checked
    assert loss_fn.weight.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="read-only"):
        loss_fn.weight[0] = -1.0


def test_an_option_changed_after_construction_is_checked_at_the_call():
    loss_fn = CrossEntropyLoss()
    loss_fn.reduction = "avg"
    with pytest.raises(ConfigError, match=r"CrossEntropyLoss\(reduction='avg'\): the "
                                          r"'reduction' parameter must be one of"):
        loss_fn(np.zeros((2, 3)), np.array([0, 1]))
    loss_fn = BCEWithLogitsLoss()
    loss_fn.pos_weight = np.array([-1.0])
    with pytest.raises(ConfigError, match=r"'pos_weight' parameter must hold values >= 0"):
        loss_fn(np.zeros(2), np.zeros(2))


def test_initial_cross_entropy_is_log_num_classes_and_nan_logits_flow():
    loss_fn = CrossEntropyLoss()
    assert loss_fn(np.zeros((8, 10)), np.arange(8)) == pytest.approx(math.log(10))
    assert loss_fn(np.zeros((2, 3)), np.array([0.0, 2.0])) == pytest.approx(math.log(3))
    logits = np.zeros((2, 3))
    logits[0, 1] = np.nan
    assert math.isnan(loss_fn(logits, np.array([0, 1])))


# --- accuracy and fit ---------------------------------------------------------------

def test_accuracy_of_each_classification_loss():
    out = np.array([[2.0, 0.0, 1.0], [0.0, 3.0, 1.0], [0.0, 1.0, 2.0], [5.0, 0.0, 0.0]])
    labels = np.array([0, 1, 0, 2])  # the first two are right
    assert CrossEntropyLoss().accuracy(out, labels) == 0.5
    assert CrossEntropyLoss(ignore_index=2).accuracy(out, labels) == pytest.approx(2 / 3)
    assert NLLLoss(ignore_index=0).accuracy(out, labels) == 0.5
    assert CrossEntropyLoss().accuracy(out, np.eye(3)[labels] * 0.9 + 0.03) == 0.5
    assert math.isnan(CrossEntropyLoss(ignore_index=0).accuracy(out[:1], labels[:1]))
    pixels = np.zeros((1, 3, 2, 2))
    pixels[0, 1] = 1.0  # every pixel predicts class 1
    assert CrossEntropyLoss().accuracy(pixels, np.array([[[1, 0], [1, 1]]])) == 0.75
    assert BCEWithLogitsLoss().accuracy(np.array([-1.0, 2.0, 0.5]), [0, 1, 0]) == pytest.approx(
        2 / 3)
    assert BCELoss().accuracy(np.array([[0.2], [0.7], [0.6]]), [0, 1, 0]) == pytest.approx(2 / 3)
    for loss_cls in (MSELoss, L1Loss, SmoothL1Loss, HuberLoss):
        assert accuracy_function(loss_cls()) is None
    regularized = RegularizedLoss(NLLLoss(), Linear(1, 1, rng=0))
    assert accuracy_function(regularized).__self__ is regularized.loss_fn


@pytest.mark.parametrize("loss_fn, head", [
    (BCELoss(), Sigmoid()),
    (BCEWithLogitsLoss(pos_weight=np.array([2.0])), None),
])
def test_fit_reports_accuracy_for_the_binary_losses(loss_fn, head, rng):
    X = rng.standard_normal((60, 2))
    y = (X[:, :1] + X[:, 1:] > 0).astype(np.float64)
    model = mn.Sequential(*[m for m in (Linear(2, 1, rng=0), head) if m is not None])
    history = fit(model, loss_fn, SGD(model.parameters(), lr=0.5), X, y, epochs=15,
                  progress=False, rng=0)
    assert history.train_acc[-1] > 0.85


def test_fit_reports_accuracy_with_ignored_targets(rng):
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    y[::4] = -1  # unlabelled samples
    model = mn.Sequential(Linear(2, 2, rng=0))
    history = fit(model, CrossEntropyLoss(ignore_index=-1), SGD(model.parameters(), lr=0.5),
                  X, y, epochs=10, batch_size=60, progress=False, rng=0)
    kept = y != -1
    with mn.no_grad():
        out = model(X)
    assert history.train_acc[-1] > 0.9
    assert CrossEntropyLoss(ignore_index=-1).accuracy(out, y) == np.mean(
        np.argmax(out, axis=1)[kept] == y[kept])


def test_every_loss_is_exported_at_the_top_level():
    for loss_cls in ALL + [Loss, RegularizedLoss]:
        assert getattr(mn, loss_cls.__name__) is loss_cls
    for name in ("nll_forward", "bce_forward", "l1_forward", "smooth_l1_forward",
                 "huber_forward"):
        assert getattr(mn.functional, name) is getattr(F, name)


def test_bool_targets_are_probabilities_and_int_labels_may_be_any_integer_dtype():
    assert BCEWithLogitsLoss()(np.zeros(3), np.array([True, False, True])) == pytest.approx(
        math.log(2))
    logits = np.zeros((3, 4))
    for dtype in (np.uint8, np.int16, np.int32, np.float32):
        assert CrossEntropyLoss()(logits, np.array([0, 3, 2], dtype=dtype)) == pytest.approx(
            math.log(4))


@pytest.mark.parametrize("build, message", [
    (lambda: CrossEntropyLoss(size_average=True), "CrossEntropyLoss: unknown argument "
     "'size_average'; accepted: weight, ignore_index, reduction, label_smoothing"),
    (lambda: HuberLoss(delt=2.0), "HuberLoss: unknown argument 'delt'; did you mean 'delta'?"),
    (lambda: MSELoss("mean", 1), "MSELoss: too many positional arguments"),
    (lambda: RegularizedLoss(MSELoss(), Linear(1, 1), l3=0.1), "RegularizedLoss: unknown "
     "argument 'l3'"),
])
def test_a_wrong_argument_is_an_argument_error_naming_the_loss(build, message):
    """As for layers: not Python's 'MSELoss.__init__() got an unexpected keyword argument'
    (a bare TypeError, no MinnetError)."""
    with pytest.raises(ArgumentError) as info:
        build()
    assert str(info.value).startswith(message)


def test_a_refused_call_leaves_no_earlier_gradient_for_backward():
    """A loss call that raises must not let backward() return the gradient of the call
    before it (before: the earlier cache stayed and backward answered for it silently)."""
    for loss_fn in (MSELoss(), RegularizedLoss(MSELoss(), Linear(1, 1))):
        loss_fn(np.ones((2, 1)), np.zeros((2, 1)))
        with pytest.raises(ShapeError):
            loss_fn(np.ones((3, 1)), np.zeros((4, 1)))
        with pytest.raises(MinnetError, match="backward\\(\\) called before the loss"):
            loss_fn.backward()
