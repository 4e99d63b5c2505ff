"""The loss pairs: values against naive loops of the definitions, central-difference
gradient checks of every loss x reduction x option (both backends for cross-entropy),
stability at huge logits, purity and dtypes."""

import math
import warnings

import numpy as np
import pytest

from minnet.functional import losses as F
from minnet.gradcheck import numerical_gradient
from minnet.kernels import use_backend

WEIGHT = np.array([0.5, 2.0, 1.0, 0.25])


def reduce(losses, reduction, denominator, shape):
    if reduction == "none":
        return np.array(losses, dtype=np.float64).reshape(shape)
    return sum(losses) if reduction == "sum" else sum(losses) / denominator


def positions(array, probabilities=True):
    """(N, C, d...) -> list of rows (N * d..., C), in the (n, d...) order of the targets."""
    return np.moveaxis(array, 1, -1).reshape(-1, array.shape[1]).tolist()


def naive_cross_entropy(logits, target, label_smoothing=0.0, weight=None, ignore_index=-100,
                        reduction="mean"):
    """-sum_c w_c q_c log softmax(z)_c per position, with math, one position at a time."""
    num_classes = logits.shape[1]
    w = [1.0] * num_classes if weight is None else list(weight)
    eps = label_smoothing
    probabilities = target.shape == logits.shape
    targets = positions(target) if probabilities else target.ravel().tolist()
    losses, denominator = [], 0.0
    for row, label in zip(positions(logits), targets, strict=True):
        log_norm = math.log(sum(math.exp(value) for value in row))
        if probabilities:
            q = [(1 - eps) * p + eps / num_classes for p in label]
            denominator += 1
        elif label == ignore_index:
            losses.append(0.0)
            continue
        else:
            q = [(1 - eps) * (c == label) + eps / num_classes for c in range(num_classes)]
            denominator += w[label]
        losses.append(-sum(w[c] * q[c] * (row[c] - log_norm) for c in range(num_classes)))
    return reduce(losses, reduction, denominator, logits.shape[:1] + logits.shape[2:])


def naive_nll(log_probs, target, weight=None, ignore_index=-100, reduction="mean"):
    w = [1.0] * log_probs.shape[1] if weight is None else list(weight)
    losses, denominator = [], 0.0
    for row, label in zip(positions(log_probs), target.ravel().tolist(), strict=True):
        counted = label != ignore_index
        losses.append(-w[label] * row[label] if counted else 0.0)
        denominator += w[label] if counted else 0.0
    return reduce(losses, reduction, denominator, target.shape)


def naive_elementwise(per_element, pred, target, reduction, *weights):
    """Apply a scalar formula f(x, t, *weights) to every element, with broadcast weights."""
    columns = [np.broadcast_to(array, pred.shape).ravel().tolist() for array in weights]
    losses = [per_element(x, t, *extra) for x, t, *extra in zip(
        pred.ravel().tolist(), target.ravel().tolist(), *columns, strict=True)]
    return reduce(losses, reduction, len(losses), pred.shape)


def bce_with_logits_element(x, t, w=1.0, pw=1.0):
    s = 1 / (1 + math.exp(-x))
    return -w * (pw * t * math.log(s) + (1 - t) * math.log(1 - s))


def bce_element(p, t, w=1.0):
    clamp = [max(math.log(v), -100) if v > 0 else -100 for v in (p, 1 - p)]
    return -w * (t * clamp[0] + (1 - t) * clamp[1])


def huber_element(delta):
    return lambda x, t: (0.5 * (x - t) ** 2 if abs(x - t) < delta
                         else delta * (abs(x - t) - 0.5 * delta))


ELEMENTWISE = {
    "mse": (F.mse_forward, F.mse_backward, lambda x, t: (x - t) ** 2, {}),
    "l1": (F.l1_forward, F.l1_backward, lambda x, t: abs(x - t), {}),
    "huber": (F.huber_forward, F.huber_backward, huber_element(0.7), {"delta": 0.7}),
    "smooth_l1": (F.smooth_l1_forward, F.smooth_l1_backward,
                  lambda x, t: huber_element(1.5)(x, t) / 1.5, {"beta": 1.5}),
    "smooth_l1_beta0": (F.smooth_l1_forward, F.smooth_l1_backward, lambda x, t: abs(x - t),
                        {"beta": 0.0}),
}

CLASS_OPTIONS = [{}, {"weight": WEIGHT}, {"ignore_index": 1}, {"ignore_index": -100},
                 {"label_smoothing": 0.2},
                 {"weight": WEIGHT, "ignore_index": 2, "label_smoothing": 0.3}]
SHAPES = [(5, 4), (2, 4, 3, 2)]
REDUCTIONS = ["mean", "sum", "none"]


def class_target(rng, shape, options):
    labels = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
    if "ignore_index" in options:
        labels.flat[::3] = options["ignore_index"]  # some targets are ignored, not all
    return labels


def check_gradient(forward, backward, pred, target, reduction, rng, **options):
    """Analytic backward against central differences, with a random upstream gradient."""
    loss, cache = forward(pred, target, reduction=reduction, **options)
    shape = np.shape(loss) if reduction == "none" else None
    upstream = rng.standard_normal(shape) if shape else float(rng.standard_normal())
    numeric = numerical_gradient(lambda p: forward(p, target, reduction=reduction, **options)[0],
                                 pred.copy(), upstream if shape else None)
    analytic = backward(upstream, cache)
    assert analytic.shape == pred.shape
    # Central differences of a loss near 10 carry round-off of ~1e-9: an atol.
    np.testing.assert_allclose(analytic, numeric if shape else upstream * numeric,
                               rtol=1e-5, atol=1e-8)


# --- cross-entropy and NLL ------------------------------------------------------

@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", CLASS_OPTIONS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_targets(backend, shape, options, reduction, rng):
    logits = rng.standard_normal(shape) * 2
    target = class_target(rng, shape, options)
    with use_backend(backend):
        loss, _ = F.cross_entropy_forward(logits, target, reduction=reduction, **options)
        np.testing.assert_allclose(loss, naive_cross_entropy(logits, target, reduction=reduction,
                                                             **options), rtol=1e-12, atol=1e-14)
        check_gradient(F.cross_entropy_forward, F.cross_entropy_backward, logits, target,
                       reduction, rng, **options)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT, "label_smoothing": 0.25}])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probability_targets(shape, options, reduction, rng):
    logits = rng.standard_normal(shape) * 2
    target = rng.uniform(size=shape)
    target /= target.sum(axis=1, keepdims=True)
    target.flat[::5] = 0.0  # zeros and rows that need not sum to 1 are both allowed
    loss, _ = F.cross_entropy_forward(logits, target, reduction=reduction, **options)
    np.testing.assert_allclose(loss, naive_cross_entropy(logits, target, reduction=reduction,
                                                         **options), rtol=1e-12, atol=1e-14)
    check_gradient(F.cross_entropy_forward, F.cross_entropy_backward, logits, target,
                   reduction, rng, **options)


def test_one_hot_probabilities_equal_class_indices(rng):
    logits = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, size=6)
    for options in ({}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        by_index, index_cache = F.cross_entropy_forward(logits, labels, **options)
        by_probability, probability_cache = F.cross_entropy_forward(logits, np.eye(4)[labels],
                                                                    **options)
        np.testing.assert_allclose(by_probability, by_index, rtol=1e-13)
        upstream = np.ones(6) if options.get("reduction") == "none" else 1.0
        np.testing.assert_allclose(F.cross_entropy_backward(upstream, probability_cache),
                                   F.cross_entropy_backward(upstream, index_cache), atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", [o for o in CLASS_OPTIONS if "label_smoothing" not in o])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll(shape, options, reduction, rng):
    log_probs = np.log(rng.dirichlet(np.ones(shape[1]), size=shape[:1] + shape[2:]))
    log_probs = np.moveaxis(log_probs, -1, 1)
    target = class_target(rng, shape, options)
    loss, _ = F.nll_forward(log_probs, target, reduction=reduction, **options)
    np.testing.assert_allclose(loss, naive_nll(log_probs, target, reduction=reduction,
                                               **options), rtol=1e-13, atol=1e-15)
    check_gradient(F.nll_forward, F.nll_backward, log_probs, target, reduction, rng, **options)


def test_log_softmax_then_nll_is_cross_entropy(rng):
    logits = rng.standard_normal((3, 5, 4))
    target = rng.integers(0, 5, size=(3, 4))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    for options in ({}, {"weight": np.arange(1.0, 6.0), "ignore_index": 0}):
        assert F.nll_forward(log_probs, target, **options)[0] == pytest.approx(
            F.cross_entropy_forward(logits, target, **options)[0], rel=1e-13)


def test_ignored_positions_add_nothing_even_when_their_scores_are_not_finite():
    scores = np.array([[0.0, -1.0, -2.0], [np.nan, -np.inf, np.nan]])
    target = np.array([0, -100])
    assert F.nll_forward(scores, target)[0] == 0.0
    loss, cache = F.cross_entropy_forward(np.array([[0.0, 1.0], [-np.inf, 5.0]]),
                                          np.array([1, -100]), label_smoothing=0.3)
    assert np.isfinite(loss)
    np.testing.assert_array_equal(F.cross_entropy_backward(1.0, cache)[1], [0.0, 0.0])


def test_huge_logits_stay_finite_and_exact_on_every_path():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    expected = (2e4 + 2e4 + math.log(2)) / 2
    for options in ({}, {"weight": np.ones(3)}, {"reduction": "none"}):
        loss, cache = F.cross_entropy_forward(logits, np.array([1, 0]), **options)
        assert np.mean(loss) == pytest.approx(expected)
        upstream = np.ones(2) if options.get("reduction") == "none" else 1.0
        assert np.all(np.isfinite(F.cross_entropy_backward(upstream, cache)))
    smoothed, _ = F.cross_entropy_forward(logits, np.array([0, 1]), 0.2, weight=np.ones(3))
    assert np.isfinite(smoothed)


# --- binary cross-entropy -----------------------------------------------------------

BINARY_OPTIONS = [{}, {"weight": np.array([0.5, 2.0, 1.0])}, {"pos_weight": np.array([3.0])},
                  {"weight": np.array([[2.0], [0.0], [1.0], [0.5]]),
                   "pos_weight": np.array([0.5, 1.0, 4.0])}]


@pytest.mark.parametrize("options", BINARY_OPTIONS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(options, reduction, rng):
    logits = rng.standard_normal((4, 3)) * 3
    target = rng.uniform(size=(4, 3))
    target[0] = [0.0, 1.0, 1.0]
    weights = [options.get("weight", 1.0), options.get("pos_weight", 1.0)]
    loss, _ = F.bce_with_logits_forward(logits, target, reduction=reduction, **options)
    np.testing.assert_allclose(loss, naive_elementwise(bce_with_logits_element, logits, target,
                                                       reduction, *weights), rtol=1e-12)
    check_gradient(F.bce_with_logits_forward, F.bce_with_logits_backward, logits, target,
                   reduction, rng, **options)


@pytest.mark.parametrize("options", BINARY_OPTIONS[:2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(options, reduction, rng):
    probs = rng.uniform(0.05, 0.95, size=(4, 3))
    target = rng.uniform(size=(4, 3))
    weights = [options.get("weight", 1.0)]
    loss, _ = F.bce_forward(probs, target, reduction=reduction, **options)
    np.testing.assert_allclose(loss, naive_elementwise(bce_element, probs, target, reduction,
                                                       *weights), rtol=1e-12)
    check_gradient(F.bce_forward, F.bce_backward, probs, target, reduction, rng, **options)


def test_bce_clamps_each_log_at_minus_100_as_pytorch():
    probs = np.array([0.0, 1.0, 0.0, 1.0, 1e-60])
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    losses, cache = F.bce_forward(probs, target, reduction="none")
    np.testing.assert_array_equal(losses, [100.0, 100.0, 0.0, 0.0, 100.0])
    grad = F.bce_backward(np.ones(5), cache)  # (p - t) / max(p (1 - p), 1e-12)
    np.testing.assert_allclose(grad, [-1e12, 1e12, 0.0, 0.0, -1e12], rtol=1e-7)


def test_bce_with_logits_at_huge_logits_is_finite_and_exact():
    logits = np.array([1e4, -1e4, 1e4, -1e4])
    target = np.array([1.0, 0.0, 0.0, 1.0])
    loss, cache = F.bce_with_logits_forward(logits, target)
    assert loss == pytest.approx((1e4 + 1e4) / 4)
    np.testing.assert_array_equal(F.bce_with_logits_backward(1.0, cache), [0, 0, 0.25, -0.25])
    loss, _ = F.bce_with_logits_forward(logits, target, pos_weight=np.array([2.0]))
    assert loss == pytest.approx((1e4 + 2e4) / 4)


# --- regression ------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(name, reduction, rng):
    forward, backward, element, options = ELEMENTWISE[name]
    pred = rng.standard_normal((3, 4)) * 2
    target = rng.standard_normal((3, 4))
    loss, _ = forward(pred, target, reduction=reduction, **options)
    np.testing.assert_allclose(loss, naive_elementwise(element, pred, target, reduction),
                               rtol=1e-13)
    check_gradient(forward, backward, pred, target, reduction, rng, **options)


def test_regression_gradients_at_the_kinks():
    diff = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    zeros = np.zeros(5)
    pairs = [(F.l1_forward, F.l1_backward, {}, [-1, -1, 0, 1, 1]),
             (F.smooth_l1_forward, F.smooth_l1_backward, {"beta": 0.0}, [-1, -1, 0, 1, 1]),
             (F.smooth_l1_forward, F.smooth_l1_backward, {"beta": 0.5}, [-1, -1, 0, 1, 1]),
             (F.huber_forward, F.huber_backward, {"delta": 0.5}, [-0.5, -0.5, 0, 0.5, 0.5])]
    for forward, backward, options, expected in pairs:
        _, cache = forward(diff, zeros, reduction="sum", **options)
        np.testing.assert_array_equal(backward(1.0, cache), expected)


# --- every pair -----------------------------------------------------------------------

def every_pair(rng, dtype):
    logits = rng.standard_normal((4, 3)).astype(dtype)
    labels = np.array([0, 2, 1, 1])
    probs = rng.uniform(0.1, 0.9, size=(4, 3)).astype(dtype)
    return [(F.cross_entropy_forward, F.cross_entropy_backward, logits, labels,
             {"label_smoothing": 0.1}),
            (F.cross_entropy_forward, F.cross_entropy_backward, logits, labels,
             {"weight": WEIGHT[:3], "reduction": "none"}),
            (F.nll_forward, F.nll_backward, logits, labels, {"ignore_index": 2}),
            (F.bce_with_logits_forward, F.bce_with_logits_backward, logits, probs,
             {"pos_weight": np.ones(3)}),
            (F.bce_forward, F.bce_backward, probs, probs, {}),
            *[(forward, backward, logits, probs, options)
              for forward, backward, _, options in ELEMENTWISE.values()]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairs_modify_nothing_keep_the_dtype_and_are_linear_in_the_upstream(dtype, rng):
    for forward, backward, pred, target, options in every_pair(rng, dtype):
        before = pred.copy(), target.copy()
        loss, cache = forward(pred, target, **options)
        shape = np.shape(loss)
        first, second = rng.standard_normal((2,) + shape)
        grad = backward(first if shape else float(first), cache)
        assert grad.dtype == dtype, forward.__name__
        combined = backward(2 * first - 3 * second if shape else float(2 * first - 3 * second),
                            cache)
        expected = 2 * grad - 3 * backward(second if shape else float(second), cache)
        np.testing.assert_allclose(combined, expected, rtol=1e-4, atol=1e-5)
        np.testing.assert_array_equal(pred, before[0])
        np.testing.assert_array_equal(target, before[1])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_infinite_and_huge_inputs_flow_without_numpy_warnings(reduction):
    scores = np.array([[np.inf, -np.inf, np.nan], [1e308, -1e308, 0.0], [0.0, 1.0, 2.0]])
    labels = np.array([0, 1, 2])
    targets = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    probs = np.array([[0.0, 1.0, np.nan], [1e-300, 1 - 1e-16, 0.5], [0.1, 0.2, 0.3]])
    cases = [(F.cross_entropy_forward, F.cross_entropy_backward, scores, labels, {}),
             (F.cross_entropy_forward, F.cross_entropy_backward, scores, labels,
              {"weight": np.ones(3), "label_smoothing": 0.1}),
             (F.cross_entropy_forward, F.cross_entropy_backward, scores, targets, {}),
             (F.nll_forward, F.nll_backward, -np.abs(scores), labels, {}),
             (F.bce_with_logits_forward, F.bce_with_logits_backward, scores, targets,
              {"pos_weight": np.full(3, 2.0)}),
             (F.bce_forward, F.bce_backward, probs, targets, {}),
             *[(forward, backward, scores, targets * 1e308, options)
               for forward, backward, _, options in ELEMENTWISE.values()]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for forward, backward, pred, target, options in cases:
            loss, cache = forward(pred, target, reduction=reduction, **options)
            backward(np.ones(np.shape(loss)) if reduction == "none" else 1.0, cache)
            assert not np.all(np.isfinite(loss)), forward.__name__  # inf and NaN flow
