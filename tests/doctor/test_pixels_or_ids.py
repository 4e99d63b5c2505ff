"""Integer inputs: token ids into an Embedding (not judged), pixels into a Linear/Conv (judged)."""

import numpy as np

from minnet.core import Module, Parameter, Sequential
from minnet.diagnostics import doctor
from minnet.diagnostics.data.checks import check_data
from minnet.diagnostics.doctor import integer_inputs_are_ids
from minnet.layers import Flatten, Linear, ReLU
from minnet.layers.conv import Conv2d
from minnet.layers.embedding import Embedding
from minnet.layers.recurrent import GRU
from minnet.losses import CrossEntropyLoss


def pixel_images(seed=0, n=120):
    """uint8 images (N, 1, 8, 8) in 0-255, and labels: bright top half or bright bottom half."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    images = rng.uniform(0, 100, (n, 1, 8, 8))
    for index, label in enumerate(y):
        images[index, 0, 4 * label:4 * label + 4] += 150
    return np.round(images).astype(np.uint8), y


def problems(findings):
    return [(f.code, f.where) for f in findings if f.severity in ("error", "warning")]


def test_the_first_layer_tells_ids_from_values():
    assert integer_inputs_are_ids(Sequential(Embedding(10, 4, rng=0), GRU(4, 4, rng=0)))
    assert not integer_inputs_are_ids(Sequential(Linear(3, 2, rng=0)))
    assert not integer_inputs_are_ids(Sequential(Conv2d(1, 2, 3, rng=0), ReLU()))
    assert integer_inputs_are_ids(Sequential(ReLU()))  # nothing tells: ids, as before

    class TokenEmbedding(Module):  # a user's own embedding, written from scratch
        def __init__(self):
            super().__init__()
            self.table = Parameter(np.zeros((10, 4)))

    assert integer_inputs_are_ids(Sequential(TokenEmbedding(), Linear(4, 2, rng=0)))


def test_uint8_pixels_into_a_linear_are_not_scaled():
    X, y = pixel_images()
    [finding] = [f for f in check_data(X, y, loss_fn=CrossEntropyLoss(), integer_ids=False)
                 if f.code == "inputs-not-scaled"]
    assert finding.evidence["dtype"] == "uint8"
    assert finding.evidence["max_abs"] == X.max() > 200
    assert "divide by 255" in finding.evidence["hint"]
    assert "255.0" in finding.explanation


def test_the_same_integers_as_token_ids_are_not_judged():
    X, y = pixel_images()
    assert problems(check_data(X, y, loss_fn=CrossEntropyLoss(), integer_ids=True)) == []


def test_pixels_divided_by_255_pass():
    X, y = pixel_images()
    assert problems(check_data(X / 255.0, y, loss_fn=CrossEntropyLoss(), integer_ids=False)) == []


def test_doctor_judges_uint8_pixels_fed_to_a_cnn():
    X, y = pixel_images()
    model = Sequential(Conv2d(1, 4, 3, rng=0), ReLU(), Flatten(), Linear(4 * 6 * 6, 2, rng=1))
    report = doctor(model, CrossEntropyLoss(), X, y, checks=("data",))
    assert ("inputs-not-scaled", "X") in problems(report.findings)


def test_doctor_leaves_token_ids_into_an_embedding_alone():
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 200, (120, 6)), np.arange(120) % 2
    model = Sequential(Embedding(200, 8, rng=0), GRU(8, 8, rng=0), Linear(8, 2, rng=1))
    report = doctor(model, CrossEntropyLoss(), X, y, checks=("data",))
    assert problems(report.findings) == []
