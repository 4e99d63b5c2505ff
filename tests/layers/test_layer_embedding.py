"""Embedding layer: lookup shapes, scatter-add gradients, validation, PyTorch parity."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.errors import ConfigError, DataError, DTypeError, MinnetError, ShapeError
from minnet.gradcheck import gradcheck
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU, LSTM, RNN


def test_shapes_and_repr(rng):
    layer = Embedding(10, 4, rng=0)
    assert repr(layer) == "Embedding(10, 4)"
    assert layer(rng.integers(0, 10, size=(3, 5))).shape == (3, 5, 4)
    assert layer(np.array([9, 0])).shape == (2, 4)
    assert layer(np.array([[1, 2]], dtype=np.uint8)).shape == (1, 2, 4)


def test_init_is_standard_normal_like_pytorch():
    weight = Embedding(2000, 50, rng=0).weight.data
    assert weight.mean() == pytest.approx(0, abs=0.01)
    assert weight.std() == pytest.approx(1, abs=0.01)
    assert not np.array_equal(weight, Embedding(2000, 50, rng=1).weight.data)


@pytest.mark.parametrize("backend", BACKENDS)
def test_repeated_ids_accumulate_and_backward_returns_none(backend, rng):
    layer = Embedding(5, 3, rng=0)
    ids = np.array([[1, 1, 4], [1, 0, 4]])
    grad_out = rng.standard_normal((2, 3, 3))
    with use_backend(backend):
        layer(ids)
        assert layer.backward(grad_out) is None
        layer(ids)
        layer.backward(grad_out)  # gradients accumulate, as in PyTorch
    np.testing.assert_allclose(layer.weight.grad[1],
                               2 * (grad_out[0, 0] + grad_out[0, 1] + grad_out[1, 0]))
    np.testing.assert_allclose(layer.weight.grad[4], 2 * (grad_out[0, 2] + grad_out[1, 2]))
    np.testing.assert_array_equal(layer.weight.grad[[2, 3]], 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradcheck_checks_the_table_of_an_integer_input_model(backend, rng):
    model = Sequential(Embedding(6, 3, rng=0), GRU(3, 4, rng=1), Linear(4, 2, rng=2))
    with use_backend(backend):
        assert gradcheck(model, rng.integers(0, 6, size=(2, 5)))


def test_float32_table_gives_float32_rows(rng):
    layer = Embedding(5, 3, rng=0).to(np.float32)
    out = layer(np.array([[0, 4]]))
    assert out.dtype == np.float32
    layer.backward(np.ones((1, 2, 3)))
    assert layer.weight.grad.dtype == np.float32 and layer.weight.grad[4].sum() == 3


@pytest.mark.parametrize("size", [0, -3])
def test_bad_sizes_are_config_errors(size):
    with pytest.raises(ConfigError, match="'num_embeddings' parameter must be an int >= 1"):
        Embedding(size, 3)
    with pytest.raises(ConfigError, match="'embedding_dim' parameter must be an int >= 1"):
        Embedding(3, size)


def test_float_ids_are_a_dtype_error():
    with pytest.raises(DTypeError, match=r"Embedding\(5, 3\): expected integer token ids of "
                                         r"shape \(N, T\) or \(N,\), got an array of dtype "
                                         r"float64; cast them"):
        Embedding(5, 3)(np.array([[1.0, 2.0]]))
    with pytest.raises(DTypeError, match="expected integer token ids"):
        Embedding(5, 3)(np.array([True, False]))


@pytest.mark.parametrize("ids, shown", [(np.array([[0, 5]]), "from 0 to 5"),
                                        (np.array([-1, 2]), "from -1 to 2")])
def test_ids_out_of_range_are_a_data_error_naming_the_range(ids, shown):
    with pytest.raises(DataError, match=rf"expected token ids in \[0, 5\), got ids {shown}"):
        Embedding(5, 3)(ids)


def test_bad_rank_and_backward_misuse(rng):
    layer = Embedding(5, 3)
    with pytest.raises(ShapeError, match=r"expected input of shape \(N, T\) or \(N,\)"):
        layer(np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(MinnetError, match="called before forward"):
        layer.backward(np.zeros((2, 3)))
    layer(np.array([[1, 2]]))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(1, 2, 3\)"):
        layer.backward(np.zeros((2, 3)))


# --- PyTorch oracle ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("cell", ["RNN", "LSTM"])
def test_embedding_recurrent_classifier_matches_pytorch(cell, rng):
    """The benchmark's model, small: Embedding -> RNN/LSTM (last state) -> Linear, both ways."""
    torch = pytest.importorskip("torch")
    recurrent = LSTM if cell == "LSTM" else RNN
    ours = Sequential(Embedding(20, 4, rng=0), recurrent(4, 6, rng=1), Linear(6, 3, rng=2))

    class Twin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module("0", torch.nn.Embedding(20, 4))
            self.add_module("1", getattr(torch.nn, cell)(4, 6, batch_first=True))
            self.add_module("2", torch.nn.Linear(6, 3))

        def forward(self, ids):
            out, _ = getattr(self, "1")(getattr(self, "0")(ids))
            return getattr(self, "2")(out[:, -1])

    twin = Twin().double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()},
                         strict=True)
    ours.load_state_dict({k: v.detach().numpy() for k, v in twin.state_dict().items()},
                         strict=True)
    ids = rng.integers(0, 20, size=(5, 7))
    grad_out = rng.standard_normal((5, 3))
    out = ours(ids)
    ours.backward(grad_out)
    out_torch = twin(torch.from_numpy(ids))
    out_torch.backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    grads = dict(ours.named_parameters())
    for key, param in twin.named_parameters():
        np.testing.assert_allclose(grads[key].grad, param.grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=key)


# --- padding_idx ------------------------------------------------------------------------------


@pytest.mark.parametrize("padding_idx, stored", [(0, 0), (3, 3), (-1, 4), (-5, 0)])
def test_padding_row_starts_at_zero_and_negative_indices_are_normalized(padding_idx, stored):
    layer = Embedding(5, 3, padding_idx=padding_idx, rng=0)
    assert layer.padding_idx == stored and repr(layer) == f"Embedding(5, 3, padding_idx={stored})"
    np.testing.assert_array_equal(layer.weight.data[stored], 0.0)
    others = np.delete(layer.weight.data, stored, axis=0)
    # the same draw as without padding: only that row is zeroed
    np.testing.assert_array_equal(others, np.delete(Embedding(5, 3, rng=0).weight.data, stored,
                                                    axis=0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_padding_row_never_receives_a_gradient(backend, rng):
    layer = Embedding(6, 2, padding_idx=-2, rng=0)
    ids = np.array([[4, 1, 4, 0], [4, 4, 2, 1]])
    grad_out = rng.standard_normal((2, 4, 2))
    with use_backend(backend):
        for _ in range(2):
            layer(ids)
            layer.backward(grad_out)
    np.testing.assert_array_equal(layer.weight.grad[4], 0.0)
    np.testing.assert_allclose(layer.weight.grad[1], 2 * (grad_out[0, 1] + grad_out[1, 3]))
    np.testing.assert_allclose(layer.weight.grad[2], 2 * grad_out[1, 2])


def test_a_loaded_padding_row_is_looked_up_as_it_is():
    layer = Embedding(4, 2, padding_idx=0)
    state = {"weight": np.arange(8.0).reshape(4, 2)}
    layer.load_state_dict(state)
    np.testing.assert_array_equal(layer(np.array([0, 3])), [[0.0, 1.0], [6.0, 7.0]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_frozen_table_with_padding_accumulates_nothing(backend):
    layer = Embedding(5, 3, padding_idx=1, rng=0)
    layer.weight.requires_grad = False
    with use_backend(backend):
        layer(np.array([[0, 1, 2]]))
        assert layer.backward(np.ones((1, 3, 3))) is None
    assert not layer.weight.grad.any() and not layer.weight.has_grad


@pytest.mark.parametrize("padding_idx, shown", [(5, "5"), (-6, "-6"), (1.0, "1.0"), (True, "True"),
                                                ("0", "'0'")])
def test_bad_padding_idx_is_a_config_error(padding_idx, shown):
    with pytest.raises(ConfigError, match=rf"^Embedding: the 'padding_idx' parameter must be None "
                                          rf"or an int in \[-5, 5\) \(within num_embeddings\), "
                                          rf"got {shown}$"):
        Embedding(5, 3, padding_idx=padding_idx)


def test_unknown_arguments_name_embedding():
    with pytest.raises(TypeError, match=r"^Embedding: unknown argument 'max_norm'; accepted: "
                                        r"num_embeddings, embedding_dim, padding_idx, rng"):
        Embedding(5, 3, max_norm=1.0)


@pytest.mark.torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1, -4])
@pytest.mark.parametrize("shape", [(3, 5), (7,)])
def test_padding_idx_matches_pytorch(backend, padding_idx, shape, rng):
    torch = pytest.importorskip("torch")
    ours = Embedding(6, 4, padding_idx=padding_idx, rng=0)
    theirs = torch.nn.Embedding(6, 4, padding_idx=padding_idx).double()
    assert ours.padding_idx == theirs.padding_idx and repr(ours) == repr(theirs)
    if padding_idx is not None:  # PyTorch zeroes the padding row at init, as minnet does
        assert not theirs.weight.detach()[theirs.padding_idx].any()
    theirs.load_state_dict({"weight": torch.from_numpy(ours.weight.data.copy())})
    ids = rng.integers(0, 6, size=shape)
    ids.flat[:3] = ours.padding_idx if padding_idx is not None else 1  # the padding id occurs
    grad_out = rng.standard_normal(shape + (4,))
    with use_backend(backend):
        for _ in range(2):  # gradients accumulate the same way
            out = ours(ids)
            ours.backward(grad_out)
            t_out = theirs(torch.from_numpy(ids))
            t_out.backward(torch.from_numpy(grad_out))
    np.testing.assert_array_equal(out, t_out.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-13,
                               atol=1e-15)
