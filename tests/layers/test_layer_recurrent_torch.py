"""Stacked, bidirectional recurrent layers with final states against PyTorch (float64).

Outputs, h_n (and c_n), dL/dx, dL/dh0 (dL/dc0) and every parameter's gradient
to round-off, for 1-3 layers, one or two directions, the whole sequence or
the final states, with and without initial states and gradients into the
final states; state dicts both ways; dropout in evaluation; truncated
backpropagation through time and a decoder loop calling one layer per step.
"""

import warnings

import numpy as np
import pytest

from minnet.layers.recurrent import GRU, LSTM, RNN

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")

# name -> (minnet class, torch class name, extra keyword arguments of both)
CELLS = {"rnn_tanh": (RNN, "RNN", {"nonlinearity": "tanh"}),
         "rnn_relu": (RNN, "RNN", {"nonlinearity": "relu"}),
         "lstm": (LSTM, "LSTM", {}), "gru": (GRU, "GRU", {})}
TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


def twins(name, input_size, hidden, **options):
    """A minnet layer and its torch twin (float64, batch first) holding the same weights."""
    cls, torch_name, extra = CELLS[name]
    layer = cls(input_size, hidden, rng=0, **extra, **options)
    torch_options = {key: options[key] for key in ("num_layers", "bidirectional", "dropout")
                     if key in options}
    twin = getattr(torch.nn, torch_name)(input_size, hidden, batch_first=True, **extra,
                                         **torch_options).double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
    return layer, twin


def torch_run(twin, x, states, is_lstm):
    """(output, (h_n,) or (h_n, c_n)) of the twin, from numpy inputs made leaves."""
    if not states:
        out, hidden = twin(x)
    else:
        out, hidden = twin(x, tuple(states) if is_lstm else states[0])
    return out, (tuple(hidden) if is_lstm else (hidden,))


def last_states(out, hidden, bidirectional):
    """minnet's output with return_sequences=False from torch's full output: the forward
    direction at t = T-1, the reverse one at t = 0."""
    if not bidirectional:
        return out[:, -1]
    return torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=-1)


def close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), err_msg=what, **TOLERANCE)


@pytest.mark.parametrize("states", ["none", "initial", "final", "initial+final"])
@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("name", CELLS)
def test_outputs_states_and_gradients_match_pytorch(name, num_layers, bidirectional, sequences,
                                                    states, rng):
    hidden, directions, is_lstm = 3, 2 if bidirectional else 1, name == "lstm"
    layer, twin = twins(name, 2, hidden, num_layers=num_layers, bidirectional=bidirectional,
                        return_sequences=sequences, return_state=True)
    x = rng.standard_normal((2, 4, 2))
    count = 2 if is_lstm else 1
    initial = [rng.standard_normal((num_layers * directions, 2, hidden)) for _ in range(count)]
    initial = initial if "initial" in states else []
    out, finals = layer(x, *initial)
    finals = finals if is_lstm else (finals,)

    x_torch = torch.tensor(x, requires_grad=True)
    initial_torch = [torch.tensor(s, requires_grad=True) for s in initial]
    out_torch, finals_torch = torch_run(twin, x_torch, initial_torch, is_lstm)
    if not sequences:
        out_torch = last_states(out_torch, hidden, bidirectional)
    grad_out = rng.standard_normal(out.shape)
    grad_finals = [rng.standard_normal(f.shape) if "final" in states else None for f in finals]
    loss = (out_torch * torch.from_numpy(grad_out)).sum()
    for final, grad in zip(finals_torch, grad_finals):
        if grad is not None:
            loss = loss + (final * torch.from_numpy(grad)).sum()
    loss.backward()
    grad_x = layer.backward((grad_out, tuple(grad_finals) if is_lstm else grad_finals[0]))

    close(out, out_torch, "output")
    for ours, theirs, what in zip(finals, finals_torch, ("h_n", "c_n")):
        assert ours.shape == tuple(theirs.shape)
        close(ours, theirs, what)
    close(grad_x, x_torch.grad, "dL/dx")
    for key, param in twin.named_parameters():
        close(getattr(layer, key).grad, param.grad, key)
    for state, given in zip(("h0", "c0"), initial_torch):
        close(getattr(layer, f"grad_{state}"), given.grad, f"dL/d{state}")
    if not initial:
        assert layer.grad_h0 is None


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("name", ["rnn_tanh", "lstm", "gru"])
def test_state_dict_keys_order_and_shapes_are_pytorchs_and_load_both_ways(name, num_layers,
                                                                          bidirectional, rng):
    cls, torch_name, extra = CELLS[name]
    layer = cls(3, 4, num_layers, bidirectional=bidirectional, return_sequences=True, rng=0)
    twin = getattr(torch.nn, torch_name)(3, 4, num_layers, bidirectional=bidirectional,
                                         batch_first=True).double()
    ours, theirs = layer.state_dict(), twin.state_dict()
    assert [(k, v.shape) for k, v in ours.items()] == [(k, tuple(v.shape))
                                                       for k, v in theirs.items()]
    assert [k for k, _ in layer.named_parameters()] == [k for k, _ in twin.named_parameters()]
    x = rng.standard_normal((2, 5, 3))
    layer.load_state_dict({k: v.numpy() for k, v in theirs.items()})  # torch -> minnet
    close(layer(x), twin(torch.from_numpy(x))[0], "torch weights in minnet")
    mine = cls(3, 4, num_layers, bidirectional=bidirectional, return_sequences=True, rng=5)
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in mine.state_dict().items()})
    close(mine(x), twin(torch.from_numpy(x))[0], "minnet weights in torch")


@pytest.mark.parametrize("name", CELLS)
def test_dropout_in_evaluation_equals_pytorch(name, rng):
    layer, twin = twins(name, 3, 4, num_layers=3, bidirectional=True, dropout=0.5,
                        return_sequences=True)
    layer.eval()
    twin.eval()
    x = rng.standard_normal((2, 5, 3))
    close(layer(x), twin(torch.from_numpy(x))[0], "evaluation output")
    np.testing.assert_array_equal(layer(x), layer(x))


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_truncated_backpropagation_through_time_matches_pytorch(name, rng):
    """The state carries across calls; each chunk backpropagates only through itself."""
    layer, twin = twins(name, 2, 3, num_layers=2, return_sequences=True, return_state=True)
    x = rng.standard_normal((2, 9, 2))
    state, state_torch = None, None
    for start in range(0, 9, 3):
        chunk = x[:, start:start + 3]
        grad = rng.standard_normal((2, 3, 3))
        out, state = layer(chunk) if state is None else layer(chunk, state)
        out_torch, state_torch = (twin(torch.from_numpy(chunk), state_torch) if state_torch
                                  is not None else twin(torch.from_numpy(chunk)))
        (out_torch * torch.from_numpy(grad)).sum().backward()
        layer.backward(grad)
        state_torch = (tuple(s.detach() for s in state_torch) if name == "lstm"
                       else state_torch.detach())
        close(out, out_torch, f"chunk at {start}")
    for key, param in twin.named_parameters():
        close(getattr(layer, key).grad, param.grad, key)


@pytest.mark.parametrize("name", CELLS)
def test_encoder_state_gradient_flows_into_a_second_call_as_in_pytorch(name, rng):
    """An encoder's final states start a decoder (the same layer, called again before any
    backward): backpropagating the decoder's dL/dh0 into the encoder's final states gives
    the gradients of one unbroken graph in PyTorch, summed over both uses."""
    is_lstm = name == "lstm"
    layer, twin = twins(name, 2, 3, num_layers=2, bidirectional=True, return_sequences=True,
                        return_state=True)
    source, target = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 3, 2))
    _, encoded = layer(source)
    decoded, _ = layer(target, *(encoded if is_lstm else (encoded,)))
    grad = rng.standard_normal(decoded.shape)
    grad_target = layer.backward(grad)
    into_state = (layer.grad_h0, layer.grad_c0) if is_lstm else layer.grad_h0
    grad_source = layer.backward((None, into_state))

    source_torch = torch.tensor(source, requires_grad=True)
    target_torch = torch.tensor(target, requires_grad=True)
    _, encoded_torch = twin(source_torch)
    decoded_torch, _ = twin(target_torch, encoded_torch)
    (decoded_torch * torch.from_numpy(grad)).sum().backward()
    close(decoded, decoded_torch, "decoder output")
    close(grad_target, target_torch.grad, "dL/d(target)")
    close(grad_source, source_torch.grad, "dL/d(source)")
    for key, param in twin.named_parameters():
        close(getattr(layer, key).grad, param.grad, key)


def test_decoder_loop_calling_one_gru_per_step_matches_pytorch(rng):
    layer, twin = twins("gru", 3, 4, return_state=True)
    steps = [rng.standard_normal((2, 1, 3)) for _ in range(5)]
    h, outputs = rng.standard_normal((2, 4)), []
    h_torch = torch.tensor(h[None], requires_grad=True)
    first_torch = h_torch
    for x_t in steps:
        out, h = layer(x_t, h)
        out_torch, h_torch = twin(torch.from_numpy(x_t), h_torch)
        outputs.append((out, out_torch))
    grads = [rng.standard_normal((2, 4)) for _ in steps]
    sum((out_torch[:, -1] * torch.from_numpy(g)).sum()
        for (_, out_torch), g in zip(outputs, grads)).backward()
    into_state = None
    for grad in reversed(grads):  # the last step first, each passing dL/dh0 back
        layer.backward((grad, into_state))
        into_state = layer.grad_h0
    for (out, out_torch) in outputs:
        close(out, out_torch[:, -1], "step output")
    close(layer.grad_h0, first_torch.grad[0], "dL/dh0 of the first step")
    for key, param in twin.named_parameters():
        close(getattr(layer, key).grad, param.grad, key)


def test_lstm_takes_pytorchs_hx_tuple(rng):
    layer, twin = twins("lstm", 2, 3, num_layers=2, return_sequences=True, return_state=True)
    x, h0, c0 = (rng.standard_normal(shape) for shape in ((2, 4, 2), (2, 2, 3), (2, 2, 3)))
    out, (h_n, c_n) = layer(x, (h0, c0))
    out_torch, (h_torch, c_torch) = twin(torch.from_numpy(x), (torch.from_numpy(h0),
                                                               torch.from_numpy(c0)))
    close(out, out_torch, "output")
    close(h_n, h_torch, "h_n")
    close(c_n, c_torch, "c_n")


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("name", CELLS)
def test_infinite_inputs_give_pytorchs_nan_without_warnings(name, backend):
    """inf * 0 in the input projection and inf - inf in the gradients are NaN, as in PyTorch
    (before: 'invalid value encountered in matmul' from NumPy)."""
    from minnet.kernels import use_backend

    layer, twin = twins(name, 2, 3, num_layers=2, bidirectional=True, return_sequences=True)
    layer.weight_ih_l0.data[0, 0] = 0.0
    twin.weight_ih_l0.data[0, 0] = 0.0
    x = np.zeros((2, 3, 2))
    x[0, 1, 0] = np.inf
    grad_out = np.ones((2, 3, 6))
    grad_out[1, 2, 0] = -np.inf
    with use_backend(backend), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(x)
        grad_x = layer.backward(grad_out)
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch, _ = torch_run(twin, x_torch, [], name == "lstm")
    out_torch.backward(torch.tensor(grad_out))
    assert np.isnan(out).any()
    close(out, out_torch, "output")
    close(grad_x, x_torch.grad, "grad_x")
