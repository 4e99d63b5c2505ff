"""RNN, LSTM and GRU layers: gradients on both backends, validation, init, PyTorch parity."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.gradcheck import gradcheck, numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU, LSTM, RNN

# name -> factory (input_size, hidden_size, **kwargs) -> layer
FACTORIES = {
    "rnn_tanh": lambda *args, **kwargs: RNN(*args, **kwargs),
    "rnn_relu": lambda *args, **kwargs: RNN(*args, nonlinearity="relu", **kwargs),
    "lstm": lambda *args, **kwargs: LSTM(*args, **kwargs),
    "gru": lambda *args, **kwargs: GRU(*args, **kwargs),
}
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("init", ["xavier_orthogonal", "pytorch"])
@pytest.mark.parametrize("name", FACTORIES)
def test_gradcheck_on_both_backends(name, init, sequences, backend, rng):
    layer = FACTORIES[name](3, 4, return_sequences=sequences, init=init, rng=0)
    x = rng.standard_normal((2, 5, 3))
    with use_backend(backend):
        assert gradcheck(layer, x, rng=1)


@pytest.mark.parametrize("backend", BACKENDS)
@given(batch=st.integers(1, 3), steps=st.integers(1, 4), features=st.integers(1, 3),
       hidden=st.integers(1, 4), sequences=st.booleans(), name=st.sampled_from(list(FACTORIES)),
       seed=st.integers(0, 2**16))
def test_gradcheck_over_shapes(backend, batch, steps, features, hidden, sequences, name, seed):
    layer = FACTORIES[name](features, hidden, return_sequences=sequences, rng=seed)
    x = np.random.default_rng(seed).standard_normal((batch, steps, features))
    with use_backend(backend):
        out = layer(x)
        assert out.shape == ((batch, steps, hidden) if sequences else (batch, hidden))
        assert gradcheck(layer, x, rng=seed)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(1, 1, 2), (1, 3, 2), (3, 1, 2)])
@pytest.mark.parametrize("name", FACTORIES)
def test_gradcheck_with_batch_one_or_a_single_step(name, shape, backend, rng):
    for sequences in (True, False):
        layer = FACTORIES[name](2, 3, return_sequences=sequences, rng=0)
        with use_backend(backend):
            assert gradcheck(layer, rng.standard_normal(shape), rng=2)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", FACTORIES)
def test_initial_state_gradients_match_numerical(name, backend, rng):
    layer = FACTORIES[name](2, 3, return_sequences=True, rng=0)
    x = rng.standard_normal((2, 4, 2))
    states = {key: rng.standard_normal((2, 3)) for key in layer.state_names}
    grad_out = rng.standard_normal((2, 4, 3))
    with use_backend(backend):
        layer(x, **states)
        layer.backward(grad_out)
        for key, value in states.items():
            numeric = numerical_gradient(lambda _: layer.forward(x, **states), value, grad_out)
            assert rel_error(getattr(layer, f"grad_{key}"), numeric) < 1e-6
        layer(x)
        layer.backward(grad_out)
    assert all(getattr(layer, f"grad_{key}") is None for key in states)


@pytest.mark.parametrize("name", FACTORIES)
def test_last_state_equals_the_sequence_end(name, rng):
    last = FACTORIES[name](3, 4, rng=0)
    every = FACTORIES[name](3, 4, return_sequences=True, rng=0)
    x = rng.standard_normal((2, 5, 3))
    np.testing.assert_array_equal(last(x), every(x)[:, -1])


@pytest.mark.parametrize("name", FACTORIES)
def test_state_dict_layout_is_pytorchs(name):
    layer = FACTORIES[name](3, 5, rng=0)
    rows = GATES[name] * 5
    assert [(key, value.shape) for key, value in layer.state_dict().items()] == [
        ("weight_ih_l0", (rows, 3)), ("weight_hh_l0", (rows, 5)), ("bias_ih_l0", (rows,)),
        ("bias_hh_l0", (rows,))]


@pytest.mark.parametrize("name", FACTORIES)
def test_default_init_is_xavier_input_orthogonal_recurrent_zero_bias(name):
    layer = FACTORIES[name](30, 20, rng=0)
    hidden = 20
    for gate in range(GATES[name]):
        block = layer.weight_hh_l0.data[gate * hidden:(gate + 1) * hidden]
        np.testing.assert_allclose(block @ block.T, np.eye(hidden), atol=1e-12)
        inputs = layer.weight_ih_l0.data[gate * hidden:(gate + 1) * hidden]
        bound = np.sqrt(6 / (30 + hidden))
        assert np.abs(inputs).max() <= bound and inputs.std() == pytest.approx(
            bound / np.sqrt(3), rel=0.15)
    assert not layer.bias_ih_l0.data.any() and not layer.bias_hh_l0.data.any()


@pytest.mark.parametrize("name", FACTORIES)
def test_pytorch_init_is_uniform_within_one_over_sqrt_hidden(name):
    layer = FACTORIES[name](6, 16, init="pytorch", rng=0)
    for param in layer.parameters():
        assert np.abs(param.data).max() <= 0.25
        assert np.abs(param.data).max() > 0.2  # spread over the range, not a narrower law


def test_repr_names_the_arguments():
    assert repr(RNN(3, 4)) == ("RNN(input_size=3, hidden_size=4, nonlinearity='tanh', "
                               "return_sequences=False)")
    assert repr(LSTM(3, 4, return_sequences=True)) == (
        "LSTM(input_size=3, hidden_size=4, return_sequences=True)")
    assert repr(GRU(2, 1)) == "GRU(input_size=2, hidden_size=1, return_sequences=False)"


@pytest.mark.parametrize("arguments, fragment", [
    ((0, 4), "'input_size' parameter must be an int >= 1, got 0"),
    ((3, -1), "'hidden_size' parameter must be an int >= 1, got -1"),
    ((3, 4.0), "'hidden_size' parameter must be an int"),
])
@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_bad_sizes_are_config_errors(cls, arguments, fragment):
    with pytest.raises(ConfigError, match=fragment):
        cls(*arguments)


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_bad_options_are_config_errors(cls):
    with pytest.raises(ConfigError, match="'init' parameter must be one of"):
        cls(3, 4, init="he")
    with pytest.raises(ConfigError, match="'return_sequences' parameter must be a bool"):
        cls(3, 4, return_sequences="yes")


def test_bad_nonlinearity_is_a_config_error():
    with pytest.raises(ConfigError, match=r"'nonlinearity' parameter must be one of \['relu', "
                                          r"'tanh'\], got 'sigmoid'"):
        RNN(3, 4, nonlinearity="sigmoid")


@pytest.mark.parametrize("name", FACTORIES)
def test_bad_inputs_are_clear_errors(name):
    layer = FACTORIES[name](3, 4, rng=0)
    with pytest.raises(ShapeError, match=r"expected input of shape \(N, T, 3\).*got \(2, 3\); "
                                         r"one time step\?"):
        layer(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"got \(2, 5, 2\)"):
        layer(np.zeros((2, 5, 2)))
    with pytest.raises(ShapeError, match="at least one sequence and one time step"):
        layer(np.zeros((2, 0, 3)))
    with pytest.raises(DTypeError, match="expected a float input"):
        layer(np.full((2, 5, 3), "a"))
    with pytest.raises(ShapeError, match=r"initial state h0 of shape \(num_layers \* "
                                         r"num_directions, N, hidden_size\) = \(1, 2, 4\) or "
                                         r"\(N, hidden_size\) = \(2, 4\), got \(2, 3\)"):
        layer(np.zeros((2, 5, 3)), h0=np.zeros((2, 3)))
    assert type(layer).__name__ in str(pytest.raises(MinnetError, layer, np.zeros(3)).value)


def test_lstm_checks_its_cell_state():
    with pytest.raises(ShapeError, match=r"initial state c0 of shape"):
        LSTM(3, 4)(np.zeros((2, 5, 3)), c0=np.zeros((1, 4)))


@pytest.mark.parametrize("name", FACTORIES)
def test_backward_checks_the_gradient_shape(name):
    layer = FACTORIES[name](3, 4, rng=0)
    with pytest.raises(MinnetError, match="backward\\(\\) called before forward"):
        layer.backward(np.zeros((2, 4)))
    layer(np.zeros((2, 5, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 4\)"):
        layer.backward(np.zeros((2, 5, 4)))


@pytest.mark.parametrize("name", FACTORIES)
def test_float32_layer_computes_in_float32(name, rng):
    layer = FACTORIES[name](3, 4, return_sequences=True, rng=0).to(np.float32)
    reference = FACTORIES[name](3, 4, return_sequences=True, rng=0)
    x = rng.standard_normal((2, 5, 3))
    out = layer(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference(x), rtol=1e-4, atol=1e-5)
    assert layer.backward(np.ones_like(out)).dtype == np.float32


def test_trains_in_a_model_with_a_linear_head(rng):
    model = Sequential(LSTM(2, 5, rng=0), Linear(5, 1, rng=1))
    assert gradcheck(model, rng.standard_normal((3, 4, 2)))


# --- PyTorch oracle ----------------------------------------------------------------------

TORCH_CLASSES = {"rnn_tanh": ("RNN", {"nonlinearity": "tanh"}),
                 "rnn_relu": ("RNN", {"nonlinearity": "relu"}), "lstm": ("LSTM", {}),
                 "gru": ("GRU", {})}


def torch_twin(torch, name, layer):
    cls, options = TORCH_CLASSES[name]
    return getattr(torch.nn, cls)(layer.input_size, layer.hidden_size, batch_first=True,
                                  **options).double()


@pytest.mark.torch
@pytest.mark.parametrize("direction", ["minnet_to_torch", "torch_to_minnet"])
@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("name", FACTORIES)
def test_outputs_and_gradients_match_pytorch(name, with_states, direction, rng):
    torch = pytest.importorskip("torch")
    layer = FACTORIES[name](3, 5, return_sequences=True, rng=0)
    twin = torch_twin(torch, name, layer)
    if direction == "minnet_to_torch":
        twin.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()},
                             strict=True)
    else:
        layer.load_state_dict({k: v.detach().numpy() for k, v in twin.state_dict().items()},
                              strict=True)
    x = rng.standard_normal((4, 6, 3))
    states = {key: rng.standard_normal((4, 5)) for key in layer.state_names} if with_states \
        else {}
    grad_out = rng.standard_normal((4, 6, 5))

    out = layer(x, **states)
    grad_x = layer.backward(grad_out)

    x_torch = torch.tensor(x, requires_grad=True)
    torch_states = {key: torch.tensor(value[None], requires_grad=True)
                    for key, value in states.items()}
    if not torch_states:
        out_torch, _ = twin(x_torch)
    elif name == "lstm":
        out_torch, _ = twin(x_torch, (torch_states["h0"], torch_states["c0"]))
    else:
        out_torch, _ = twin(x_torch, torch_states["h0"])
    out_torch.backward(torch.from_numpy(grad_out))

    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
    for key, param in twin.named_parameters():
        np.testing.assert_allclose(getattr(layer, key).grad, param.grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=key)
    for key, value in torch_states.items():
        np.testing.assert_allclose(getattr(layer, f"grad_{key}"), value.grad.numpy()[0],
                                   rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("cell", [RNN, LSTM, GRU])
def test_weight_norm_on_a_recurrent_weight_passes_gradcheck(cell):
    from minnet.layers.weight_norm import weight_norm

    layer = weight_norm(cell(3, 4, rng=0), name="weight_hh_l0")
    names = [name for name, _ in layer.named_parameters()]
    assert "weight_hh_l0_g" in names and "weight_hh_l0_v" in names
    assert "weight_hh_l0" not in names
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    assert gradcheck(layer, x)
