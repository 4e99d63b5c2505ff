"""The MNIST-1D paper's models guard their accuracy with fewer steps than the full table.

``benchmarks/mnist1d_table.py`` trains 6000 steps and reaches 31.9 / 66.9 /
93.5 / 87.7% (logistic, MLP, CNN, unidirectional GRU; the paper: 32 / 68 / 94
/ 91%, and about 86% for one direction). Here a fraction of the steps must
already get close (seed 0; measured: logistic 31.4% at 800 steps, CNN 92.1% and
GRU 80.5% at 1200 steps).
"""

import numpy as np
import pytest

from minnet.data import mnist1d
from minnet.mnist1d_models import BUILDERS, train_mnist1d


@pytest.fixture(scope="module")
def data():
    return mnist1d()


@pytest.mark.parametrize("name, parameters", [
    ("logistic", 410), ("mlp", 15210), ("cnn", 25 * 5 + 25 + 2 * (25 * 25 * 3 + 25) + 1260),
    ("gru", 3 * 6 * 1 + 3 * 6 * 6 + 2 * 3 * 6 + 240 * 10 + 10),
])
def test_model_shapes_and_sizes(name, parameters):
    model = BUILDERS[name](rng=0)
    assert model(np.zeros((3, 40))).shape == (3, 10)
    assert model.num_parameters() == parameters


@pytest.mark.slow
@pytest.mark.parametrize("name, steps, minimum", [
    ("logistic", 800, 0.28), ("cnn", 1200, 0.88), ("gru", 1200, 0.76),
])
def test_short_training_reaches_the_papers_band(data, name, steps, minimum):
    result = train_mnist1d(name, data, steps=steps, seed=0)
    assert result.test_accuracy >= minimum, (name, result.test_accuracy)
