"""Input statistics: not centred, not scaled and constant features, on healthy and broken data."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.data.mnist1d import mnist1d
from minnet.diagnostics.data.checks import check_data
from minnet.losses import CrossEntropyLoss


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


@given(n=st.integers(20, 300), d=st.integers(1, 30), seed=st.integers(0, 2**16),
       offset=st.floats(-0.5, 0.5), scale=st.floats(0.3, 3.0))
def test_any_roughly_standardized_data_passes(n, d, seed, offset, scale):
    X = np.random.default_rng(seed).standard_normal((n, d)) * scale + offset
    assert problems(check_data(X)) == []


# --- centring and scale ------------------------------------------------------------------

def test_inputs_times_255_are_not_scaled(mnist):
    X, y, _, _ = mnist
    [finding] = check_data(X * 255, y, loss_fn=CrossEntropyLoss())
    assert (finding.code, finding.severity, finding.where) == ("inputs-not-scaled", "warning", "X")
    assert finding.evidence["median_std"] > 100 and finding.evidence["max_abs"] > 255


def test_images_times_255_are_not_scaled():
    pictures = images(np.random.default_rng(0)) * 255
    assert problems(check_data(pictures)) == [("inputs-not-scaled", "X")]


def test_inputs_offset_by_100_are_not_centered(mnist):
    X, y, _, _ = mnist
    [finding] = check_data(X + 100, y, loss_fn=CrossEntropyLoss())
    assert (finding.code, finding.where) == ("inputs-not-centered", "X")
    assert finding.evidence["median_abs_mean_over_std"] > 50
    assert finding.evidence["fraction_off_center"] == 1.0


def test_one_raw_column_among_standardized_ones():
    X = np.random.default_rng(0).standard_normal((200, 10))
    X[:, 4] *= 1000
    [finding] = check_data(X)
    assert finding.code == "inputs-not-scaled"
    assert finding.evidence["worst_feature"] == "4"
    assert finding.evidence["features_out_of_scale"] == 1


def test_one_feature_with_a_large_offset():
    X = np.random.default_rng(0).standard_normal((200, 10))
    X[:, 2] = X[:, 2] * 5 + 2000  # e.g. a raw year column
    assert problems(check_data(X)) == [("inputs-not-centered", "X")]


def test_tiny_inputs_are_not_scaled():
    X = np.random.default_rng(0).standard_normal((200, 10)) * 1e-3
    assert problems(check_data(X)) == [("inputs-not-scaled", "X")]


def test_a_few_odd_features_do_not_speak_for_the_data():
    X = np.random.default_rng(0).standard_normal((200, 20))
    X[:, :3] = X[:, :3] * 0.5 + 3  # off-centre, but neither egregious nor the majority
    assert problems(check_data(X)) == []


def test_validation_left_unstandardized():
    rng = np.random.default_rng(0)
    raw = rng.normal(5.0, 3.0, (300, 6))
    X = (raw[:200] - raw[:200].mean(0)) / raw[:200].std(0)
    assert problems(check_data(X, X_val=raw[200:])) == [("inputs-not-centered", "X_val")]
    assert problems(check_data(X, X_val=X[:100] * 8)) == [("inputs-not-scaled", "X_val")]


def test_integer_inputs_are_token_ids_and_not_scaled():
    tokens = np.random.default_rng(0).integers(0, 5000, (100, 12))
    assert problems(check_data(tokens)) == []


def test_constant_features_are_info_only():
    X = np.random.default_rng(0).standard_normal((100, 5))
    X[:, 3] = 7.0
    [finding] = check_data(X)
    assert (finding.code, finding.severity) == ("constant-feature", "info")
    assert finding.evidence == {"count": 1, "fraction": 0.2, "first_feature": "3", "value": 7.0}


def test_constant_image_borders_are_reported_by_position():
    [finding] = check_data(images(np.random.default_rng(0)))
    assert finding.code == "constant-feature"
    assert finding.evidence["count"] == 24 and finding.evidence["first_feature"] == "(0, 0, 0)"


def test_huge_values_do_not_crash_the_statistics():
    X = np.random.default_rng(0).standard_normal((50, 3))
    X[:, 1] *= 1e300
    assert problems(check_data(X)) == [("inputs-not-scaled", "X")]
