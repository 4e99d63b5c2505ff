"""Data checks: each rule fires on its broken data and stays silent on healthy data."""

import numpy as np
import pytest

from minnet.data.generators import adding_problem, spiral, xor
from minnet.data.mnist1d import mnist1d
from minnet.data.phrases import toy_phrases
from minnet.diagnostics.data.checks import check_data
from minnet.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.mnist1d_models import build_logistic


def problems(findings):
    return [(f.code, f.where) for f in findings if f.severity in ("error", "warning")]


@pytest.fixture(scope="module")
def mnist(tmp_path_factory):
    data = mnist1d(num_samples=600, cache_dir=tmp_path_factory.mktemp("mnist1d"))
    return data.X_train, data.y_train, data.X_test, data.y_test


def images(rng, n=200, channels=1):
    """Blobs in [0, 1] on a black background, with constant (black) borders."""
    x = np.clip(rng.normal(0.2, 0.35, (n, channels, 12, 12)), 0.0, 1.0)
    x[:, :, 0, :] = x[:, :, -1, :] = 0.0
    return x


def healthy_sets(rng):
    X_spiral, y_spiral = spiral(100, 3, rng=0)
    X_xor, y_xor = xor(200, rng=1)
    gauss = rng.standard_normal((300, 10))
    binary = (rng.random((300, 20)) < np.linspace(0.01, 0.97, 20)).astype(np.float64)
    phrases = toy_phrases(500, rng=2)
    X_add, y_add = adding_problem(200, seq_len=20, rng=3)
    pictures = images(rng)
    ce = CrossEntropyLoss()
    return {
        "spiral": (X_spiral, y_spiral, None, None, ce),
        "xor": (X_xor, y_xor, None, None, BCEWithLogitsLoss()),
        "gauss": (gauss[:200], gauss[:200, 0] * 3 + 1, gauss[200:], gauss[200:, 0], MSELoss()),
        "one-hot": (np.eye(8)[rng.integers(0, 8, 300)], rng.integers(0, 2, 300), None, None,
                    ce),
        "binary": (binary, (binary[:, 5] > 0).astype(np.float64), None, None,
                   BCEWithLogitsLoss()),
        "bool": (binary > 0, rng.integers(0, 4, 300), None, None, None),
        "phrases": (phrases.X[:400], phrases.y[:400], phrases.X[400:], phrases.y[400:], ce),
        "adding": (X_add, y_add, None, None, MSELoss()),
        "images": (pictures, rng.integers(0, 3, 200), None, None, ce),
        "images-flat": (pictures.reshape(200, -1), rng.integers(0, 3, 200), None, None, ce),
        "images-3-channels": (images(rng, 100, 3), rng.integers(0, 3, 100), None, None, ce),
        "tiny-balanced": (gauss[:20], np.arange(20) % 10, None, None, ce),
    }


@pytest.mark.parametrize("name", sorted(healthy_sets(np.random.default_rng(0))))
def test_healthy_data_has_no_warning(name):
    X, y, X_val, y_val, loss_fn = healthy_sets(np.random.default_rng(0))[name]
    assert problems(check_data(X, y, X_val, y_val, loss_fn=loss_fn)) == []


def test_mnist1d_is_healthy(mnist):
    X, y, X_test, y_test = mnist
    model = build_logistic(rng=0)
    findings = check_data(X, y, X_test, y_test, loss_fn=CrossEntropyLoss(), num_classes=10)
    assert problems(findings) == []
    assert model(X[:2]).shape == (2, 10)


def test_check_data_leaves_its_inputs_untouched(mnist):
    X, y, X_test, _ = mnist
    copies = X.copy(), y.copy(), X_test.copy()
    check_data(X, y, X_test, loss_fn=CrossEntropyLoss())
    assert all(np.array_equal(a, b) for a, b in zip(copies, (X, y, X_test)))


# --- non-finite -----------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "X_val"])
def test_non_finite_inputs_are_an_error(mnist, bad, where):
    X, y, X_test, y_test = (array.copy() for array in mnist)
    target = X if where == "X" else X_test
    target[3, 7] = bad
    target[5, 0] = bad
    findings = check_data(X, y, X_test, y_test, loss_fn=CrossEntropyLoss())
    [finding] = [f for f in findings if f.code == "non-finite"]
    assert (finding.severity, finding.where) == ("error", where)
    assert finding.evidence["count"] == 2 and finding.evidence["first_index"] == "(3, 7)"
    assert finding.evidence["nan"] == (2 if np.isnan(bad) else 0)
    assert problems(findings) == [("non-finite", where)]  # no scale warning computed on NaN


def test_non_finite_regression_targets():
    X = np.random.default_rng(0).standard_normal((50, 3))
    y = X[:, 0].copy()
    y[10] = np.nan
    assert problems(check_data(X, y, loss_fn=MSELoss())) == [("non-finite", "y")]


# --- labels ------------------------------------------------------------------------------

@pytest.mark.parametrize("labels, num_classes", [
    ([0, 1, 2, 3], 3), ([0, 1, -1, 2], None), ([0.0, 1.5, 2.0, 1.0], None)])
def test_labels_a_cross_entropy_cannot_take(labels, num_classes):
    X = np.random.default_rng(0).standard_normal((4, 2))
    findings = check_data(X, np.array(labels), loss_fn=CrossEntropyLoss(),
                          num_classes=num_classes)
    [finding] = [f for f in findings if f.code == "labels-out-of-range"]
    assert (finding.severity, finding.where, finding.evidence["count"]) == ("error", "y", 1)


def test_labels_out_of_range_in_validation_and_through_regularized_loss():
    X, y = spiral(20, 3, rng=0)
    X_val, y_val = spiral(5, 3, rng=1)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), build_logistic(rng=0), l2=0.1)
    findings = check_data(X, y, X_val, y_val + 1, loss_fn=loss_fn, num_classes=3)
    assert problems(findings) == [("labels-out-of-range", "y_val")]


def test_bce_targets_outside_zero_one():
    X, y = xor(100, rng=0)
    signs = 2.0 * y - 1.0  # -1/+1 labels
    findings = check_data(X, signs, loss_fn=BCEWithLogitsLoss())
    assert problems(findings) == [("labels-out-of-range", "y")]
    assert findings[0].evidence["min"] == -1.0


def test_regression_targets_are_not_labels():
    X = np.random.default_rng(0).standard_normal((100, 2))
    assert problems(check_data(X, X[:, 0] * 50 - 3, loss_fn=MSELoss())) == []
    assert problems(check_data(X, np.arange(100) - 50)) == []  # no loss, no num_classes


# --- class imbalance ------------------------------------------------------------------------

def test_one_to_twenty_imbalance():
    X = np.random.default_rng(0).standard_normal((210, 2))
    y = np.r_[np.zeros(200, np.int64), np.ones(10, np.int64)]
    [finding] = check_data(X, y, loss_fn=CrossEntropyLoss())
    assert (finding.code, finding.severity, finding.where) == ("class-imbalance", "warning", "y")
    assert finding.evidence["ratio"] == 20.0 and finding.evidence["counts"] == "0:200, 1:10"
    assert finding.evidence["normalized_entropy"] < 0.5


def test_low_entropy_with_many_classes():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(900, np.int64), rng.integers(1, 10, 100)]  # classes 1-9: ~11 each
    findings = check_data(rng.standard_normal((1000, 3)), y, loss_fn=CrossEntropyLoss(),
                          num_classes=10)
    [finding] = [f for f in findings if f.code == "class-imbalance"]
    assert finding.evidence["classes"] == 10 and finding.evidence["largest"] == 900
    assert finding.evidence["normalized_entropy"] < 0.5


def test_low_entropy_alone_fires():
    y = np.r_[np.zeros(950, np.int64), np.ones(100, np.int64)]  # ratio 9.5: under 10
    [finding] = check_data(np.random.default_rng(0).standard_normal((1050, 2)), y)
    assert finding.code == "class-imbalance" and finding.evidence["ratio"] == 9.5
    assert finding.evidence["normalized_entropy"] < 0.5


def test_absent_classes_are_not_imbalance():
    X, y = spiral(50, 3, rng=0)  # a 3-class problem given to a 10-output model
    assert problems(check_data(X, y, loss_fn=CrossEntropyLoss(), num_classes=10)) == []


def test_binary_float_targets_for_bce_are_classes():
    y = np.r_[np.ones(300), np.zeros(12)]
    X = np.random.default_rng(0).standard_normal((312, 2))
    assert problems(check_data(X, y, loss_fn=BCEWithLogitsLoss())) == [("class-imbalance", "y")]


def test_moderate_imbalance_and_small_samples_stay_silent():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 2))
    y = np.r_[np.zeros(300, np.int64), np.ones(100, np.int64)]  # 3:1
    assert problems(check_data(X, y, loss_fn=CrossEntropyLoss())) == []
    few = rng.integers(0, 10, 30)  # counts from 0 to 7: noise, not imbalance
    assert problems(check_data(X[:30], few, loss_fn=CrossEntropyLoss(), num_classes=10)) == []


# --- split overlap ---------------------------------------------------------------------------

def test_validation_rows_copied_from_training(mnist):
    X, y, X_test, y_test = mnist
    X_val = np.concatenate([X[:12], X_test[:108]])
    findings = check_data(X, y, X_val, y_test[:120], loss_fn=CrossEntropyLoss())
    [finding] = findings
    assert (finding.code, finding.severity, finding.where) == ("split-overlap", "warning",
                                                               "X vs X_val")
    assert finding.evidence["duplicates"] == 12
    assert finding.evidence["fraction_of_val"] == pytest.approx(0.1)


def test_shared_samples_of_continuous_data_fire_from_four():
    X = np.random.default_rng(0).standard_normal((100, 4))
    X_val = np.random.default_rng(1).standard_normal((50, 4))
    X_val[:3] = X[40:43]
    assert problems(check_data(X, X_val=X_val)) == []  # a few: could be flukes of the source
    X_val[9] = X[3]
    [finding] = check_data(X, X_val=X_val)
    assert (finding.code, finding.evidence["duplicates"]) == ("split-overlap", 4)
    assert finding.evidence["expected_by_chance"] == 0.0


def test_spiral_centres_are_natural_repeats():
    # Every arm starts at (0, 0): a few identical points in any split of the spiral.
    X, _ = spiral(5, 10, rng=0)
    assert problems(check_data(X[::2], X_val=X[1::2])) == []


def test_negative_zero_counts_as_zero():
    X = np.arange(20.0).reshape(10, 2)
    X[0, 0] = 0.0
    X_val = X[:6].copy()
    X_val[0, 0] = -0.0
    assert check_data(X, X_val=X_val)[0].evidence["duplicates"] == 6


def test_discrete_data_repeats_by_nature_but_copies_still_fire():
    rng = np.random.default_rng(0)
    codes = (rng.random((600, 4)) < 0.5).astype(np.float64)  # 16 possible rows
    assert problems(check_data(codes[:400], X_val=codes[400:])) == []
    phrases = toy_phrases(600, rng=0)
    copied = np.concatenate([phrases.X[:200], phrases.X[500:]])
    assert problems(check_data(phrases.X[:500], X_val=copied)) == [
        ("split-overlap", "X vs X_val")]
