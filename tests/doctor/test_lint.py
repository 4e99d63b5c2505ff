"""Lint: each rule fires on its broken model and stays silent on healthy ones."""

import numpy as np
import pytest
from doctor_helpers import codes, mlp

from minnet.core import Module, Sequential
from minnet.diagnostics.lint import lint
from minnet.layers.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from minnet.layers.conv import Conv1d, Conv2d
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.pooling import AvgPool2d, MaxPool2d
from minnet.layers.reshape import Flatten, Reshape
from minnet.layers.residual import Residual
from minnet.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.mnist1d_models import build_cnn, build_logistic, build_mlp

INITS = ["he", "pytorch", "xavier", "xavier_normal", "lecun", "lecun_uniform",
         "kaiming_uniform", "orthogonal"]
ACTIVATIONS = [ReLU, Tanh, Sigmoid, LeakyReLU, ELU, GELU]





# --- healthy models: no warning, no error ----------------------------------------

@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(2, 64, 3), (40, 100, 100, 10), (784, 256, 10), (8, 8, 8, 1)])
def test_healthy_mlps_are_silent(init, activation, sizes):
    model = mlp(sizes, activation, init)
    assert codes(lint(model, CrossEntropyLoss())) == []


def healthy_models():
    rng = np.random.default_rng(3)
    block = Sequential(Linear(32, 32, rng=rng), ReLU(), Linear(32, 32, rng=rng))
    zero_branch = Sequential(Linear(32, 32, rng=rng), ReLU(), Linear(32, 32, init="zeros"))
    return {
        "bn-relu-dropout": Sequential(
            Linear(20, 64, rng=rng), BatchNorm1d(64), ReLU(), Dropout(0.5),
            Linear(64, 64, rng=rng), BatchNorm1d(64), ReLU(), Dropout(0.5), Linear(64, 3, rng=rng)),
        "layernorm": Sequential(Linear(20, 64, rng=rng), LayerNorm(64), GELU(),
                                Linear(64, 3, init="xavier", rng=rng)),
        "mnist1d-mlp": build_mlp(rng=0),
        "mnist1d-cnn": build_cnn(rng=0),
        "cnn2d": Sequential(
            Conv2d(3, 16, 3, padding=1, rng=rng), BatchNorm2d(16), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 3, padding=1, init="pytorch", rng=rng), ReLU(), AvgPool2d(2),
            Flatten(), Dropout(0.5), Linear(32 * 4, 10, rng=rng)),
        "mnist1d-logistic": build_logistic(rng=0),
        "zero-logistic": Sequential(Linear(40, 10, init="zeros")),
        "zero-output-layer": Sequential(Linear(40, 64, rng=rng), ReLU(),
                                        Linear(64, 10, init="zeros")),
        "residual-stream": Sequential(Linear(20, 32, rng=rng), Residual(block), ReLU(),
                                      Linear(32, 4, rng=rng)),
        "zero-init-branch": Sequential(Linear(20, 32, rng=rng), ReLU(), Residual(zero_branch),
                                       Linear(32, 4, rng=rng)),
        "single-output": Sequential(Linear(10, 1, init="zeros")),
        "reshape-flatten": Sequential(Reshape(4, 5), Flatten(), Linear(20, 16, rng=rng), Tanh(),
                                      Linear(16, 2, init="xavier", rng=rng)),
    }


@pytest.mark.parametrize("name", sorted(healthy_models()))
@pytest.mark.parametrize("loss", [CrossEntropyLoss, MSELoss, None])
def test_healthy_models_are_silent(name, loss):
    model = healthy_models()[name]
    loss_fn = loss() if loss is not None else None
    assert codes(lint(model, loss_fn)) == []


def test_lint_leaves_the_model_untouched():
    model = Sequential(Linear(4, 8, init="zeros"), Softmax())
    before = model.state_dict()
    lint(model, CrossEntropyLoss())
    after = model.state_dict()
    assert all(np.array_equal(before[key], after[key]) for key in before)


# --- softmax-before-loss -------------------------------------------------------------

@pytest.mark.parametrize("loss_fn", [CrossEntropyLoss(), CrossEntropyLoss(label_smoothing=0.1)])
def test_softmax_before_cross_entropy_is_an_error(loss_fn):
    model = Sequential(Linear(4, 8, rng=0), ReLU(), Linear(8, 3, rng=1), Softmax())
    [finding] = [f for f in lint(model, loss_fn) if f.code == "softmax-before-loss"]
    assert finding.severity == "error"
    assert finding.where == "3 (Softmax)"
    assert finding.evidence == {"last_layer": "Softmax", "loss": "CrossEntropyLoss"}


def test_softmax_found_through_nesting_and_regularized_loss():
    head = Sequential(Linear(8, 3, rng=1), Softmax(), Flatten())
    model = Sequential(Linear(4, 8, rng=0), ReLU(), head)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-4)
    [finding] = [f for f in lint(model, loss_fn) if f.code == "softmax-before-loss"]
    assert finding.where == "2.1 (Softmax)"


@pytest.mark.parametrize("loss_fn", [BCEWithLogitsLoss(), CrossEntropyLoss()])
def test_sigmoid_before_a_logits_loss_is_an_error(loss_fn):
    model = Sequential(Linear(4, 1, rng=0), Sigmoid())
    assert "softmax-before-loss" in codes(lint(model, loss_fn))


@pytest.mark.parametrize("loss_fn", [MSELoss(), None])
def test_softmax_is_fine_before_a_loss_on_probabilities(loss_fn):
    model = Sequential(Linear(4, 3, rng=0), Softmax())
    assert codes(lint(model, loss_fn)) == []


def test_softmax_inside_a_residual_block_is_not_the_output():
    model = Sequential(Linear(4, 4, rng=0), Residual(Sequential(Linear(4, 4, rng=1), Softmax())))
    assert "softmax-before-loss" not in codes(lint(model, CrossEntropyLoss()))


# --- stacked-linear --------------------------------------------------------------------

def test_two_linears_in_a_row_are_flagged():
    model = Sequential(Linear(4, 8, rng=0), Linear(8, 3, rng=1))
    [finding] = lint(model, CrossEntropyLoss())
    assert (finding.code, finding.severity, finding.where) == ("stacked-linear", "warning",
                                                               "1 (Linear)")
    assert finding.evidence == {"first": "0 (Linear)", "second": "1 (Linear)",
                                "between": "nothing"}


def test_normalization_and_dropout_do_not_separate_linears():
    model = Sequential(Linear(4, 8, rng=0), Dropout(0.2), BatchNorm1d(8), Linear(8, 3, rng=1))
    [finding] = [f for f in lint(model) if f.code == "stacked-linear"]
    assert finding.evidence["between"] == "Dropout, BatchNorm1d"
    assert finding.where == "3 (Linear)"


def test_each_pair_of_a_linear_chain_is_reported_and_nesting_is_followed():
    model = Sequential(Linear(4, 8, rng=0), Sequential(Linear(8, 8, rng=1), Linear(8, 3, rng=2)))
    found = [f.where for f in lint(model) if f.code == "stacked-linear"]
    assert found == ["1.0 (Linear)", "1.1 (Linear)"]


def test_linears_inside_a_residual_block_are_flagged_with_dotted_names():
    block = Sequential(Linear(8, 8, rng=1), Linear(8, 8, rng=2), ReLU())
    model = Sequential(Linear(4, 8, rng=0), ReLU(), Residual(block), Linear(8, 3, rng=3))
    found = [f.where for f in lint(model) if f.code == "stacked-linear"]
    assert found == ["2.block.1 (Linear)"]


def test_a_linear_residual_block_is_still_linear():
    # x -> W x -> (W x) + A (W x) = (I + A) W x: one linear map.
    model = Sequential(Linear(4, 8, rng=0), Residual(Linear(8, 8, rng=1)), ReLU(),
                       Linear(8, 3, rng=2))
    found = [f.where for f in lint(model) if f.code == "stacked-linear"]
    assert found == ["1 (Residual)"]


def test_any_nonlinearity_separates_linears():
    for middle in (ReLU(), Tanh(), Sigmoid(), Softmax(), LayerNorm(8)):
        model = Sequential(Linear(4, 8, rng=0), middle, Linear(8, 3, rng=1))
        expected = ["stacked-linear"] if isinstance(middle, LayerNorm) else []
        assert codes(lint(model)) == expected, middle


def test_the_newer_layers_keep_or_break_linearity_as_they_should():
    from minnet.layers import (
        AdaptiveAvgPool1d,
        Dropout2d,
        GroupNorm,
        Identity,
        SiLU,
        Softplus,
    )

    for middle in (Identity(), GroupNorm(2, 8)):
        model = Sequential(Linear(4, 8, rng=0), middle, Linear(8, 3, rng=1))
        assert codes(lint(model)) == ["stacked-linear"], middle
    for middle in (SiLU(), Softplus()):
        model = Sequential(Linear(4, 8, rng=0), middle, Linear(8, 3, rng=1))
        assert codes(lint(model)) == [], middle
    model = Sequential(Conv1d(1, 8, 3, rng=0), AdaptiveAvgPool1d(4), Conv1d(8, 8, 3, rng=1),
                       ReLU(), Flatten(), Linear(16, 3, rng=2))
    assert [(f.code, f.where) for f in lint(model)] == [("stacked-linear", "2 (Conv1d)")]
    model = Sequential(Conv1d(1, 8, 3, rng=0), ReLU(), Dropout2d(0.5), Conv1d(8, 8, 3, rng=1))
    assert codes(lint(model)) == []


class TwoBranches(Module):
    """A custom container: its forward is unknown to lint, so no order is assumed."""

    def __init__(self):
        super().__init__()
        self.left = Linear(4, 4, rng=0)
        self.right = Linear(4, 4, rng=1)

    def forward(self, x):
        return np.maximum(self.left(x), 0) + self.right(x)


def test_custom_containers_are_opaque():
    model = Sequential(Linear(4, 4, rng=2), TwoBranches(), Linear(4, 2, rng=3))
    assert codes(lint(model)) == []


# --- dropout-before-batchnorm ------------------------------------------------------------

def test_dropout_directly_before_batchnorm():
    model = Sequential(Linear(4, 8, rng=0), ReLU(), Dropout(0.5), BatchNorm1d(8),
                       Linear(8, 3, rng=1))
    [finding] = lint(model)
    assert (finding.code, finding.where) == ("dropout-before-batchnorm", "3 (BatchNorm1d)")
    assert finding.evidence == {"dropout": "2 (Dropout)", "batchnorm": "3 (BatchNorm1d)",
                                "between": "nothing"}


def test_the_rnn_story_order_linear_dropout_relu_batchnorm():
    model = Sequential(Linear(4, 8, rng=0), Dropout(0.5), ReLU(), BatchNorm1d(8),
                       Linear(8, 3, rng=1))
    [finding] = lint(model)
    assert finding.code == "dropout-before-batchnorm"
    assert finding.evidence["between"] == "ReLU"


def test_dropout_then_linear_then_batchnorm_is_the_usual_stack():
    model = Sequential(Linear(4, 8, rng=0), BatchNorm1d(8), ReLU(), Dropout(0.5),
                       Linear(8, 8, rng=1), BatchNorm1d(8), ReLU(), Dropout(0.5),
                       Linear(8, 3, rng=2))
    assert codes(lint(model)) == []


# --- convolutional models ----------------------------------------------------------------

def test_conv_stacks_without_activation_are_flagged():
    model = Sequential(Reshape(1, 40), Conv1d(1, 8, 3, rng=0), Conv1d(8, 8, 3, rng=1),
                       ReLU(), Flatten(), Linear(8 * 36, 10, rng=2))
    assert [(f.code, f.where) for f in lint(model)] == [("stacked-linear", "2 (Conv1d)")]
    model = Sequential(Conv2d(3, 8, 3, rng=0), ReLU(), Conv2d(8, 8, 3, rng=1), AvgPool2d(2),
                       Conv2d(8, 8, 3, rng=2), MaxPool2d(2), Conv2d(8, 8, 3, rng=3))
    [finding] = lint(model)
    assert finding.where == "4 (Conv2d)" and finding.evidence["between"] == "AvgPool2d"


def test_dropout_before_batchnorm2d_through_pooling():
    model = Sequential(Conv2d(3, 8, 3, rng=0), ReLU(), Dropout(0.2), MaxPool2d(2),
                       BatchNorm2d(8), Conv2d(8, 8, 3, rng=1))
    [finding] = lint(model)
    assert (finding.code, finding.where) == ("dropout-before-batchnorm", "4 (BatchNorm2d)")
    assert finding.evidence["between"] == "MaxPool2d"
