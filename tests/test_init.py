"""Initializers: the documented mean and spread on a big matrix, orthogonality, lookup by name."""

import numpy as np
import pytest

from minnet import init
from minnet.errors import ConfigError
from minnet.layers.linear import Linear

SHAPE = (400, 500)  # fan_in = 500, fan_out = 400: 200k draws, the std is good to ~0.3 %
FAN_IN, FAN_OUT = 500, 400

# (initializer, the standard deviation its docstring promises for SHAPE)
EXPECTED_STD = [
    (init.normal, 0.01),
    (init.xavier_uniform, np.sqrt(2 / (FAN_IN + FAN_OUT))),
    (init.xavier_normal, np.sqrt(2 / (FAN_IN + FAN_OUT))),
    (init.kaiming_uniform, np.sqrt(2 / FAN_IN)),
    (init.kaiming_normal, np.sqrt(2 / FAN_IN)),
    (init.lecun_uniform, np.sqrt(1 / FAN_IN)),
    (init.lecun_normal, np.sqrt(1 / FAN_IN)),
    (init.pytorch_default, 1 / np.sqrt(3 * FAN_IN)),  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
]


@pytest.mark.parametrize("initializer, std", EXPECTED_STD,
                         ids=[fn.__name__ for fn, _ in EXPECTED_STD])
def test_mean_and_std_match_the_documented_values(initializer, std):
    weights = initializer(SHAPE, rng=0)
    assert weights.shape == SHAPE and weights.dtype == np.float64
    assert abs(weights.mean()) < 0.01 * std
    assert weights.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("initializer, bound", [
    (init.xavier_uniform, np.sqrt(6 / (FAN_IN + FAN_OUT))),
    (init.kaiming_uniform, np.sqrt(6 / FAN_IN)),
    (init.pytorch_default, 1 / np.sqrt(FAN_IN)),
])
def test_uniform_initializers_fill_their_bounds(initializer, bound):
    weights = initializer(SHAPE, rng=1)
    assert np.abs(weights).max() <= bound
    assert np.abs(weights).max() > 0.99 * bound


def test_fans_follow_pytorch_for_convolution_kernels():
    assert init.fans((16, 3, 5, 5)) == (75, 400)
    assert init.fans((10, 20)) == (20, 10)
    assert init.fans((7,)) == (7, 7)
    with pytest.raises(ConfigError, match=r"cannot compute fans of a scalar shape"):
        init.fans(())
    std = init.kaiming_normal((64, 32, 3, 3), rng=0).std()
    assert std == pytest.approx(np.sqrt(2 / (32 * 9)), rel=0.02)


@pytest.mark.parametrize("shape", [(50, 50), (80, 30), (30, 80), (12, 4, 3)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape):
    weights = init.orthogonal(shape, rng=0)
    assert weights.shape == shape
    matrix = weights.reshape(shape[0], -1)
    rows, cols = matrix.shape
    gram = matrix.T @ matrix if rows >= cols else matrix @ matrix.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)
    gained = init.orthogonal(shape, rng=0, gain=2.0)
    np.testing.assert_allclose(gained, 2 * weights)


def test_orthogonal_refuses_vectors():
    with pytest.raises(ConfigError, match=r"init.orthogonal: expected a shape with >= 2 dims, "
                                          r"got \(5,\)"):
        init.orthogonal((5,))


def test_zeros_dtype_and_determinism():
    np.testing.assert_array_equal(init.zeros((3, 2)), np.zeros((3, 2)))
    for initializer, _ in EXPECTED_STD:
        assert initializer((3, 4), rng=0, dtype=np.float32).dtype == np.float32
        np.testing.assert_array_equal(initializer((3, 4), rng=5), initializer((3, 4), rng=5))
        assert not np.array_equal(initializer((3, 4), rng=5), initializer((3, 4), rng=6))


def test_names_and_aliases_resolve():
    assert init.get_initializer("he") is init.kaiming_normal
    assert init.get_initializer("xavier") is init.xavier_uniform
    assert init.get_initializer("glorot_normal") is init.xavier_normal
    assert init.get_initializer("pytorch") is init.pytorch_default

    def custom(shape, rng=None, dtype=np.float64):
        return np.full(shape, 0.5, dtype=dtype)

    assert init.get_initializer(custom) is custom


def test_unknown_name_raises_config_error_listing_the_choices():
    with pytest.raises(ConfigError, match=r"Linear: unknown init 'he_normall'; expected one of "
                                          r"\[.*'he_normal'.*\] or a callable"):
        Linear(3, 2, init="he_normall")
    with pytest.raises(ConfigError, match=r"init: unknown init 'bogus'"):
        init.get_initializer("bogus")
    with pytest.raises(ConfigError, match=r"Linear: unknown init \['he'\]"):
        Linear(3, 2, init=["he"])  # before: TypeError, unhashable type: 'list'


def test_linear_uses_the_chosen_initializer():
    weights = Linear(20, 10, init="orthogonal", rng=0).weight.data
    np.testing.assert_allclose(weights @ weights.T, np.eye(10), atol=1e-12)
    np.testing.assert_array_equal(
        Linear(300, 200, init="xavier_normal", rng=3).weight.data,
        init.xavier_normal((200, 300), rng=np.random.default_rng(3)))
    he = Linear(1000, 200, rng=0).weight.data
    assert he.std() == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    full = Linear(2, 3, init=lambda shape, rng=None, dtype=np.float64: np.full(shape, 0.5))
    np.testing.assert_array_equal(full.weight.data, 0.5)
    np.testing.assert_array_equal(full.bias.data, 0.0)
