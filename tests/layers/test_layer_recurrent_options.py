"""RNN, LSTM and GRU options: num_layers, bidirectional, dropout, return_state; their
validation and errors; init of every layer and direction; weight norm and weight decay on
the new parameter names; dropout between layers; gradients over stacks on both backends.
(Initial and final states: test_layer_recurrent_states.py.)"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.errors import ConfigError
from minnet.functional.dropout import dropout_mask
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.recurrent import GRU, LSTM, RNN
from minnet.losses import is_penalized

CLASSES = [RNN, LSTM, GRU]
GATES = {RNN: 1, LSTM: 4, GRU: 3}


# --- constructor ----------------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_unknown_keyword_names_the_public_class_and_lists_the_accepted_names(cls):
    with pytest.raises(ConfigError) as info:
        cls(3, 4, foo=1)
    message = str(info.value)
    assert message.startswith(f"{cls.__name__}: unexpected keyword argument(s) 'foo'")
    assert "_Recurrent" not in message
    for name in ("input_size", "hidden_size", "num_layers", "dropout", "bidirectional",
                 "return_sequences", "return_state", "init", "rng"):
        assert name in message
    assert ("nonlinearity" in message) == (cls is RNN)


@pytest.mark.parametrize("cls", CLASSES)
def test_pytorch_only_arguments_say_what_to_do(cls):
    with pytest.raises(ConfigError, match="batch_first: minnet's recurrent layers are always "
                                          "batch first"):
        cls(3, 4, batch_first=True)
    extra = ("tanh",) if cls is RNN else ()
    with pytest.raises(ConfigError, match=rf"{cls.__name__}: takes at most "
                                          rf"{4 if cls is RNN else 3} positional arguments"):
        cls(3, 4, 2, *extra, True, True, 0.5)  # PyTorch's bias, batch_first, dropout
    with pytest.raises(TypeError) as info:
        cls(3)
    assert cls.__name__ in str(info.value) and "_Recurrent" not in str(info.value)


@pytest.mark.parametrize("argument, value, fragment", [
    ("num_layers", 0, "'num_layers' parameter must be an int >= 1, got 0"),
    ("num_layers", 1.5, "'num_layers' parameter must be an int"),
    ("num_layers", True, "'num_layers' parameter must be an int"),
    ("dropout", 1.0, r"'dropout' parameter must be a float in the range \[0.0, 1.0\)"),
    ("dropout", -0.1, r"'dropout' parameter must be a float in the range"),
    ("dropout", "0.5", "'dropout' parameter must be a finite float"),
    ("bidirectional", "yes", "'bidirectional' parameter must be a bool"),
    ("return_state", 1, "'return_state' parameter must be a bool"),
    ("return_sequences", None, "'return_sequences' parameter must be a bool"),
])
@pytest.mark.parametrize("cls", CLASSES)
def test_new_arguments_are_validated(cls, argument, value, fragment):
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: the {fragment}"):
        cls(3, 4, **{argument: value})


@pytest.mark.parametrize("cls", CLASSES)
def test_dropout_with_one_layer_warns_as_pytorch(cls):
    with pytest.warns(UserWarning, match="dropout=0.5 does nothing with num_layers=1"):
        cls(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(3, 4, num_layers=2, dropout=0.5)


def test_repr_shows_the_options_that_differ_from_the_defaults():
    assert repr(LSTM(3, 4, 2, dropout=0.25, bidirectional=True, return_state=True)) == (
        "LSTM(input_size=3, hidden_size=4, num_layers=2, dropout=0.25, bidirectional=True, "
        "return_sequences=False, return_state=True)")
    assert repr(RNN(3, 4, 3, "relu")) == ("RNN(input_size=3, hidden_size=4, num_layers=3, "
                                          "nonlinearity='relu', return_sequences=False)")


# --- parameters and init ----------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_default_init_covers_every_layer_and_direction(cls):
    hidden, gates = 5, GATES[cls]
    layer = cls(3, hidden, num_layers=2, bidirectional=True, rng=0)
    for suffix in ("l0", "l0_reverse", "l1", "l1_reverse"):
        w_hh = getattr(layer, f"weight_hh_{suffix}").data
        w_ih = getattr(layer, f"weight_ih_{suffix}").data
        fan_in = 3 if suffix.startswith("l0") else 2 * hidden
        assert w_ih.shape == (gates * hidden, fan_in)
        for gate in range(gates):
            block = w_hh[gate * hidden:(gate + 1) * hidden]
            np.testing.assert_allclose(block @ block.T, np.eye(hidden), atol=1e-12)
        assert np.abs(w_ih).max() <= np.sqrt(6 / (fan_in + hidden))
        assert not getattr(layer, f"bias_ih_{suffix}").data.any()
    assert not np.array_equal(layer.weight_hh_l0.data, layer.weight_hh_l0_reverse.data)


@pytest.mark.parametrize("cls", CLASSES)
def test_pytorch_init_covers_every_layer_and_direction(cls):
    layer = cls(6, 16, num_layers=3, bidirectional=True, init="pytorch", rng=0)
    assert len(layer.parameters()) == 3 * 2 * 4
    for param in layer.parameters():
        assert np.abs(param.data).max() <= 0.25
    assert np.abs(layer.weight_hh_l2_reverse.data).max() > 0.24  # the whole range, not less


@pytest.mark.parametrize("init", ["xavier_orthogonal", "pytorch"])
@pytest.mark.parametrize("cls", CLASSES)
def test_the_first_layer_draws_the_weights_of_a_one_layer_layer(cls, init):
    """Same seed, same first-layer weights: adding layers changes no earlier result."""
    one = cls(3, 4, init=init, rng=7).state_dict()
    three = cls(3, 4, 3, bidirectional=True, init=init, rng=7).state_dict()
    for key, value in one.items():
        np.testing.assert_array_equal(three[key], value)


@pytest.mark.parametrize("cls", CLASSES)
def test_weight_norm_on_a_later_layer_or_reverse_weight(cls, rng):
    from minnet.layers.weight_norm import weight_norm

    layer = cls(2, 3, num_layers=2, bidirectional=True, rng=0)
    for name in ("weight_hh_l1", "weight_ih_l0_reverse"):
        weight_norm(layer, name=name)
    names = [name for name, _ in layer.named_parameters()]
    assert "weight_hh_l1_g" in names and "weight_ih_l0_reverse_v" in names
    assert "weight_hh_l1" not in names
    assert gradcheck(layer, rng.standard_normal((2, 3, 2)))


def test_weight_decay_reaches_every_layers_weights_not_biases():
    layer = LSTM(3, 4, num_layers=2, bidirectional=True)
    penalized = [name for name, param in layer.named_parameters() if is_penalized(name, param)]
    assert penalized == ["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse",
                         "weight_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1",
                         "weight_ih_l1_reverse", "weight_hh_l1_reverse"]


# --- dropout between layers -------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSES)
def test_dropout_masks_every_layers_output_but_the_last_in_training_only(cls, rng):
    """Structural: a 3-layer layer in training equals three one-layer layers with a mask
    drawn from the layer's generator between them; in evaluation, no mask."""
    p = 0.4
    stacked = cls(3, 4, num_layers=3, dropout=p, return_sequences=True, rng=0)
    singles = [cls(3 if k == 0 else 4, 4, return_sequences=True, rng=0) for k in range(3)]
    for k, single in enumerate(singles):
        single.load_state_dict({key.replace(f"_l{k}", "_l0"): value for key, value in
                                stacked.state_dict().items() if key.endswith(f"_l{k}")})
    x = rng.standard_normal((2, 5, 3))
    generator = np.random.default_rng(99)
    stacked.rng = np.random.default_rng(99)
    out = stacked(x)
    expected = x
    for k, single in enumerate(singles):
        expected = single(expected)
        if k < 2:
            expected = expected * dropout_mask(expected.shape, p, rng=generator)
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)
    assert not np.array_equal(stacked(x), out)  # a fresh mask on every forward
    stacked.eval()
    expected = x
    for single in singles:
        expected = single(expected)
    np.testing.assert_allclose(stacked(x), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", CLASSES)
def test_gradcheck_in_training_with_dropout_rewinds_the_generator(cls, backend, rng):
    layer = cls(2, 3, num_layers=3, bidirectional=True, dropout=0.5, return_sequences=True,
                rng=0)
    with use_backend(backend):
        assert gradcheck(layer, rng.standard_normal((2, 4, 2)))


# --- gradients over configurations, both backends -----------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@given(cls=st.sampled_from(CLASSES), layers=st.integers(1, 3), bidirectional=st.booleans(),
       sequences=st.booleans(), batch=st.integers(1, 3), steps=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_gradcheck_over_stacks(backend, cls, layers, bidirectional, sequences, batch, steps,
                               seed):
    layer = cls(2, 2, layers, bidirectional=bidirectional, return_sequences=sequences, rng=seed)
    x = np.random.default_rng(seed).standard_normal((batch, steps, 2))
    with use_backend(backend):
        out = layer(x)
        width = (2 if bidirectional else 1) * 2
        assert out.shape == ((batch, steps, width) if sequences else (batch, width))
        assert gradcheck(layer, x, rng=seed)


@pytest.mark.parametrize("cls", CLASSES)
def test_each_layer_and_direction_keeps_its_own_workspace(cls, rng):
    layer = cls(3, 4, num_layers=2, bidirectional=True, rng=0)
    out = layer(rng.standard_normal((2, 3, 3)))
    layer.backward(np.ones_like(out))
    assert sorted(layer._workspaces) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(layer._workspaces[key] for key in layer._workspaces)


@pytest.mark.parametrize("cls", CLASSES)
def test_float32_stack_computes_in_float32(cls, rng):
    layer = cls(3, 4, 2, bidirectional=True, return_state=True, rng=0).to(np.float32)
    reference = cls(3, 4, 2, bidirectional=True, return_state=True, rng=0)
    x = rng.standard_normal((2, 5, 3))
    out, state = layer(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference(x)[0], rtol=1e-4, atol=1e-5)
    grad_state = tuple(np.ones_like(s) for s in state) if cls is LSTM else np.ones_like(state)
    assert layer.backward((np.ones_like(out), grad_state)).dtype == np.float32
    assert layer.weight_hh_l1_reverse.grad.dtype == np.float32


def test_an_array_as_nonlinearity_is_a_config_error():
    """Before: NumPy's 'truth value of an array is ambiguous' ValueError from ``value in
    choices`` (every check_choice had it; EarlyStopping(mode=[...]) met an unhashable
    TypeError: tests/test_callbacks.py)."""
    with pytest.raises(ConfigError, match="^RNN: the 'nonlinearity' parameter must be one of"):
        RNN(2, 3, 1, np.array(["tanh", "relu"]))
