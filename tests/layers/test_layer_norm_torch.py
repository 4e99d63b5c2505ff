"""PyTorch as the oracle for BatchNorm1d/2d, LayerNorm and weight_norm (optional: needs torch).

In float64: outputs and gradients agree to round-off, state_dicts load both ways
with strict key checking, and running statistics agree after several steps.
"""

import warnings

import numpy as np
import pytest

from minnet.kernels import BACKENDS, use_backend
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.weight_norm import weight_norm

pytestmark = pytest.mark.torch


@pytest.fixture
def torch():
    module = pytest.importorskip("torch")
    module.set_default_dtype(module.float64)
    yield module
    module.set_default_dtype(module.float32)


def to_torch(torch, state):
    return {key: torch.from_numpy(np.array(value)) for key, value in state.items()}


def to_numpy(state):
    return {key: value.detach().numpy().copy() for key, value in state.items()}


def run_both(torch, ours, theirs, x, grad_out):
    """Forward and backward through both; return (ours, theirs) pairs to compare."""
    for param in ours.parameters():
        param.zero_grad()
    out = ours(x)
    grad_x = ours.backward(grad_out)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    theirs.zero_grad()
    t_out = theirs(tx)
    t_out.backward(torch.from_numpy(grad_out))
    pairs = [(out, t_out.detach().numpy()), (grad_x, tx.grad.numpy())]
    t_params = dict(theirs.named_parameters())
    pairs += [(param.grad, t_params[name].grad.numpy())
              for name, param in ours.named_parameters()]
    return pairs


def assert_pairs_close(pairs):
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind, shape, kwargs", [
    ("BatchNorm1d", (8, 4), {}), ("BatchNorm1d", (3, 4, 5), {"momentum": 0.3}),
    ("BatchNorm2d", (2, 4, 3, 5), {}), ("BatchNorm1d", (6, 4), {"momentum": None}),
    ("BatchNorm2d", (3, 4, 2, 2), {"affine": False}),
    ("BatchNorm1d", (5, 4), {"track_running_stats": False}),
])
def test_batchnorm_matches_torch(torch, backend, kind, shape, kwargs):
    ours = {"BatchNorm1d": BatchNorm1d, "BatchNorm2d": BatchNorm2d}[kind](4, **kwargs)
    theirs = getattr(torch.nn, kind)(4, **kwargs)
    rng = np.random.default_rng(0)
    if ours.affine:
        ours.weight.data[:] = rng.uniform(0.5, 1.5, 4)
        ours.bias.data[:] = rng.standard_normal(4)
    theirs.load_state_dict(to_torch(torch, ours.state_dict()), strict=True)
    offset = rng.uniform(-2, 2, (1, 4) + (1,) * (len(shape) - 2))
    with use_backend(backend):
        for _ in range(3):  # training steps: batch statistics and running statistics
            x = rng.standard_normal(shape) * 2 + offset
            assert_pairs_close(run_both(torch, ours, theirs, x, rng.standard_normal(shape)))
        theirs_state = to_numpy(theirs.state_dict())
        assert list(theirs_state) == list(ours.state_dict())
        for key, value in ours.state_dict().items():
            assert value.dtype == theirs_state[key].dtype, key
            np.testing.assert_allclose(value, theirs_state[key], rtol=1e-12, err_msg=key)
        ours.eval()
        theirs.eval()
        x = rng.standard_normal(shape) + offset
        assert_pairs_close(run_both(torch, ours, theirs, x, rng.standard_normal(shape)))


def test_batchnorm_state_dict_moves_both_ways(torch):
    theirs = torch.nn.BatchNorm2d(3)
    theirs.train()
    for _ in range(2):
        theirs(torch.randn(4, 3, 2, 2) * 3 + 1)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
    ours = BatchNorm2d(3)
    ours.load_state_dict(to_numpy(theirs.state_dict()), strict=True)
    assert ours.num_batches_tracked == 2 and ours.num_batches_tracked.dtype == np.int64
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(1).standard_normal((2, 3, 2, 2))
    np.testing.assert_allclose(ours(x), theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12)
    back = torch.nn.BatchNorm2d(3)
    back.load_state_dict(to_torch(torch, ours.state_dict()), strict=True)
    assert int(back.num_batches_tracked) == 2


@pytest.mark.parametrize("normalized, shape, affine", [
    (4, (3, 4), True), ((2, 3), (2, 5, 2, 3), True), (4, (4,), True), (3, (2, 3), False),
])
def test_layernorm_matches_torch(torch, normalized, shape, affine):
    ours = LayerNorm(normalized, elementwise_affine=affine)
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine)
    rng = np.random.default_rng(2)
    if affine:
        ours.weight.data[...] = rng.uniform(0.5, 1.5, ours.normalized_shape)
        ours.bias.data[...] = rng.standard_normal(ours.normalized_shape)
    theirs.load_state_dict(to_torch(torch, ours.state_dict()), strict=True)
    x = rng.standard_normal(shape) * 3 + 1
    assert_pairs_close(run_both(torch, ours, theirs, x, rng.standard_normal(shape)))
    again = LayerNorm(normalized, elementwise_affine=affine)
    again.load_state_dict(to_numpy(theirs.state_dict()), strict=True)
    np.testing.assert_array_equal(again(x), ours(x))


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(torch, dim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch deprecates weight_norm for parametrizations
        theirs = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4), dim=dim)
    ours = weight_norm(Linear(3, 4, rng=0), dim=dim)
    rng = np.random.default_rng(3)
    state = ours.state_dict()
    state["weight_g"] = rng.uniform(0.5, 2.0, np.shape(state["weight_g"]))
    ours.load_state_dict(state)
    theirs.load_state_dict(to_torch(torch, ours.state_dict()), strict=True)
    assert list(to_numpy(theirs.state_dict())) == list(ours.state_dict())
    x = rng.standard_normal((5, 3))
    assert_pairs_close(run_both(torch, ours, theirs, x, rng.standard_normal((5, 4))))
    back = weight_norm(Linear(3, 4, rng=9), dim=dim)
    back.load_state_dict(to_numpy(theirs.state_dict()), strict=True)
    np.testing.assert_allclose(back(x), theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12)
