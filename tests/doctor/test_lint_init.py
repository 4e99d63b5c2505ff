"""Lint of the initial weights: symmetric-init and weight-scale-skew fire on broken inits only."""

import numpy as np
import pytest
from doctor_helpers import codes, mlp
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Module, Parameter, Sequential
from minnet.diagnostics.lint import lint
from minnet.init import INITIALIZERS
from minnet.layers.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU, LSTM, RNN
from minnet.layers.residual import Residual
from minnet.losses import CrossEntropyLoss
from minnet.mnist1d_models import build_gru

ACTIVATIONS = [ReLU, Tanh, Sigmoid, LeakyReLU, ELU, GELU]





class TwoBranches(Module):
    """A custom container: lint cannot know its order, nor which layer is the output."""

    def __init__(self):
        super().__init__()
        self.left = Linear(4, 4, rng=0)
        self.right = Linear(4, 4, rng=1)

    def forward(self, x):
        return np.maximum(self.left(x), 0) + self.right(x)


# --- symmetric-init -------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.0, 0.05])
def test_constant_hidden_weights_are_an_error(value):
    model = mlp((4, 16, 16, 3))
    model[0].weight.data[...] = value
    model[2].weight.data[...] = value
    found = [f for f in lint(model) if f.code == "symmetric-init"]
    assert [f.where for f in found] == ["0.weight", "2.weight"]
    assert all(f.severity == "error" for f in found)
    assert found[0].evidence["distinct_rows"] == 1 and found[0].evidence["value"] == value


def test_identical_nonconstant_rows_are_an_error():
    model = mlp((4, 16, 3))
    row = np.random.default_rng(0).standard_normal(4) * 0.7
    model[0].weight.data[...] = np.tile(row, (16, 1))
    assert codes(lint(model)) == ["symmetric-init"]


def test_zero_init_everywhere_flags_the_hidden_layers_only():
    model = mlp((4, 16, 16, 3), init="zeros")
    assert [f.where for f in lint(model) if f.code == "symmetric-init"] == ["0.weight",
                                                                             "2.weight"]


def test_symmetric_init_in_an_opaque_model_skips_its_last_weight():
    model = TwoBranches()
    model.left.weight.data[...] = 0.0
    model.right.weight.data[...] = 0.0
    assert [f.where for f in lint(model) if f.code == "symmetric-init"] == ["left.weight"]


# --- weight-scale-skew ------------------------------------------------------------------------

@pytest.mark.parametrize("factor", [10.0, 0.01, 0.1, 4.0])
def test_hidden_weights_far_from_every_standard_scale(factor):
    model = mlp((40, 100, 100, 10))
    model[2].weight.data *= factor
    [finding] = lint(model)
    assert (finding.code, finding.severity, finding.where) == ("weight-scale-skew", "warning",
                                                               "2.weight")
    evidence = finding.evidence
    assert evidence["fan_in"] == 100
    assert evidence["std"] == pytest.approx(factor * np.sqrt(2 / 100), rel=0.1)
    assert evidence["ratio"] == pytest.approx(evidence["std"] / evidence["expected"])
    # The nearest reference: He (the largest) above, PyTorch's default (the smallest) below.
    nearest, expected = ("He", 2 / 100) if factor > 1 else ("PyTorch default", 1 / 300)
    assert evidence["reference"] == nearest
    assert evidence["expected"] == pytest.approx(np.sqrt(expected))
    assert evidence["next_activation"] == "ReLU" and evidence["suggested_init"] == "he"


@pytest.mark.parametrize("factor", [0.6, 1.5])
def test_moderate_rescaling_is_tolerated(factor):
    model = mlp((40, 100, 100, 10))
    for layer in (model[0], model[2], model[4]):
        layer.weight.data *= factor
    assert codes(lint(model)) == []


def test_suggestion_follows_the_activation():
    model = mlp((40, 100, 100, 10), activation=Tanh, init="xavier")
    model[0].weight.data *= 20
    [finding] = lint(model)
    assert finding.evidence["next_activation"] == "Tanh"
    assert finding.evidence["suggested_init"] == "xavier"


def test_a_small_output_layer_is_fine_but_a_huge_one_is_not():
    model = mlp((40, 100, 10))
    model[2].weight.data *= 0.01
    assert codes(lint(model)) == []
    model[2].weight.data *= 1e4
    assert [(f.code, f.where) for f in lint(model)] == [("weight-scale-skew", "2.weight")]


class TransposedDense(Module):
    """A user layer storing its weight as (in, out), He-initialized on fan_in = in."""

    def __init__(self, d_in, d_out, rng):
        super().__init__()
        self.w = Parameter(rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / d_in))

    def forward(self, x):
        return x @ self.w.data


def test_custom_layers_may_store_weights_transposed():
    rng = np.random.default_rng(0)
    model = Sequential(TransposedDense(784, 10, rng), ReLU(), TransposedDense(10, 784, rng))
    assert codes(lint(model)) == []
    model[0].w.data *= 30
    assert [f.where for f in lint(model)] == ["0.w"]


@given(init=st.sampled_from(sorted(set(INITIALIZERS) - {"zeros", "normal"})),
       activation=st.sampled_from(ACTIVATIONS),
       sizes=st.lists(st.sampled_from([1, 2, 3, 10, 64, 300, 1024]), min_size=2, max_size=5),
       seed=st.integers(0, 2**16))
def test_any_standard_init_of_any_mlp_is_silent(init, activation, sizes, seed):
    model = mlp(sizes, activation, init, seed)
    assert codes(lint(model, CrossEntropyLoss())) == []


def test_tiny_weights_are_not_judged_but_small_layers_get_slack():
    model = mlp((2, 3, 2))  # 6-entry weights: their std says little
    model[0].weight.data *= 0.05
    assert codes(lint(model)) == []
    model = mlp((4, 4, 4, 2))  # 16 entries: judged, with a wider band
    model[0].weight.data *= 0.25
    assert codes(lint(model)) == []
    model[0].weight.data *= 0.1
    assert codes(lint(model)) == ["weight-scale-skew"]


# --- recurrent and embedding models ---------------------------------------------------------

@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
@pytest.mark.parametrize("init", ["pytorch", "xavier_orthogonal"])
@pytest.mark.parametrize("sizes", [(1, 6), (1, 64), (16, 32), (300, 128)])
def test_recurrent_models_with_standard_inits_are_silent(cls, init, sizes):
    model = Sequential(Embedding(50, sizes[0], rng=0), cls(*sizes, init=init, rng=1),
                       Linear(sizes[1], 2, rng=2))
    assert codes(lint(model, CrossEntropyLoss())) == []


def test_mnist1d_gru_is_silent():
    assert codes(lint(build_gru(rng=0), CrossEntropyLoss())) == []


def test_zero_recurrent_weights_are_symmetric_but_a_zero_embedding_is_not():
    model = Sequential(Embedding(50, 16, rng=0), LSTM(16, 32, rng=1), Linear(32, 2, rng=2))
    for param in model.parameters():
        param.data[...] = 0.0
    found = [(f.code, f.where) for f in lint(model)]
    assert found == [("symmetric-init", "1.weight_ih_l0"), ("symmetric-init", "1.weight_hh_l0")]


def test_random_input_weights_break_the_symmetry_of_zero_recurrent_weights():
    model = Sequential(GRU(4, 8, rng=1), Linear(8, 2, rng=2))
    model[0].weight_hh_l0.data[...] = 0.0
    assert "symmetric-init" not in codes(lint(model))


def test_exploding_recurrent_weights():
    model = Sequential(Embedding(50, 16, rng=0), RNN(16, 32, rng=1), Linear(32, 2, rng=2))
    model[1].weight_hh_l0.data *= 5
    [finding] = lint(model)
    assert (finding.code, finding.where) == ("weight-scale-skew", "1.weight_hh_l0")
    assert finding.evidence["suggested_init"] == "xavier_orthogonal"





def test_a_hidden_layer_before_a_residual_block_is_not_an_output_layer():
    block = Sequential(Linear(16, 16, rng=1), ReLU(), Linear(16, 16, init="zeros"))
    model = Sequential(Linear(4, 16, init="zeros"), ReLU(), Residual(block))
    assert [(f.code, f.where) for f in lint(model)] == [("symmetric-init", "0.weight")]


def test_a_zero_initialized_single_layer_residual_branch_is_healthy():
    model = Sequential(Linear(4, 16, rng=0), ReLU(), Residual(Linear(16, 16, init="zeros")),
                       ReLU(), Linear(16, 3, rng=1))
    assert codes(lint(model)) == []
