"""Gradients through time: ||dL/dh_t|| per time step of a recurrent layer, and the rule on it."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.monitor.time_steps import gradient_through_time, recurrent_layers
from minnet.diagnostics.rules import layers as layer_rules
from minnet.layers import Linear
from minnet.layers.recurrent import GRU, LSTM, RNN
from minnet.losses import MSELoss
from minnet.optim import Adam

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def layer_of(cell, seed=0, inputs=3, hidden=5, **options):
    layer = CELLS[cell](inputs, hidden, rng=seed, **options)
    layer.to(np.float64)
    return layer


def reference_norm(layer, x, grad_last, t):
    """||dL/dh_t|| by the layer's own (fast) backward: run steps t+1..T-1 from the
    recomputed state h_t given as h0 (and c_t as c0); dL/dh0 is dL/dh_t."""
    full = CELLS[layer.cell](layer.input_size, layer.hidden_size, return_sequences=True,
                             return_state=True)
    full.load_state_dict(layer.state_dict())
    full.to(np.float64)
    out, state = full(x[:, :t + 1])
    rest = CELLS[layer.cell](layer.input_size, layer.hidden_size)
    rest.load_state_dict(layer.state_dict())
    rest.to(np.float64)
    if layer.cell == "lstm":
        h, c = state
        rest(x[:, t + 1:], h, c)
    else:
        rest(x[:, t + 1:], state)
    rest.backward(grad_last)
    return float(np.linalg.norm(rest.grad_h0))


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("return_sequences", [False, True])
def test_per_step_norms_equal_the_layers_own_backward(cell, return_sequences):
    rng = np.random.default_rng(1)
    layer = layer_of(cell, return_sequences=return_sequences)
    x = rng.standard_normal((4, 7, 3))
    out = layer(x)
    grad_out = rng.standard_normal(out.shape)
    norms = gradient_through_time(layer, x, out, grad_out)
    grad_last = grad_out[:, -1] if return_sequences else grad_out
    assert norms.shape == (7,)
    assert norms[-1] == pytest.approx(np.linalg.norm(grad_last))
    for t in (0, 3, 5):
        assert norms[t] == pytest.approx(reference_norm(layer, x, grad_last, t), rel=1e-8)


def test_small_recurrent_weights_make_the_gradient_vanish_through_time():
    rng = np.random.default_rng(0)
    layer = layer_of("rnn", hidden=16)
    layer.weight_hh_l0.data *= 0.1
    x = rng.standard_normal((8, 40, 3))
    out = layer(x)
    norms = gradient_through_time(layer, x, out, rng.standard_normal(out.shape))
    assert norms[0] / norms[-1] < 1e-15
    healthy = layer_of("lstm", hidden=16)
    out = healthy(x[:, :10])
    norms = gradient_through_time(healthy, x[:, :10], out, rng.standard_normal(out.shape))
    assert norms[0] / norms[-1] > 1e-4


def test_a_recomputation_that_does_not_match_is_skipped():
    rng = np.random.default_rng(0)
    layer = layer_of("gru")
    x = rng.standard_normal((4, 6, 3))
    out = layer(x, rng.standard_normal((4, 5)))  # an initial state the probe does not see
    assert gradient_through_time(layer, x, out, np.ones_like(out)) is None
    short = x[:, :3]  # too few steps to speak of time
    assert gradient_through_time(layer, short, layer(short), np.ones((4, 5))) is None


def test_only_single_layer_one_direction_layers_are_probed():
    model = Sequential(RNN(3, 4, rng=0), LSTM(4, 4, num_layers=2, rng=0),
                       GRU(4, 4, bidirectional=True, rng=0))
    assert [where for where, _ in recurrent_layers(model)] == ["0 (RNN)"]


def test_the_monitor_records_gradients_through_time_on_sampled_steps():
    rng = np.random.default_rng(0)
    model = Sequential(RNN(2, 8, rng=0), Linear(8, 1, rng=0))
    optimizer, loss_fn = Adam(model.parameters(), lr=1e-3), MSELoss()
    X, y = rng.standard_normal((64, 12, 2)), rng.standard_normal((64, 1))
    with Monitor(model, optimizer, loss_fn, every=5, first=2) as monitor:
        for _ in range(11):
            optimizer.zero_grad()
            loss_fn(model(X), y)
            model.backward(loss_fn.backward())
            optimizer.step()
    entry = monitor.snapshot()["time_steps"]["0 (RNN)"]
    assert entry["step"] == [0, 5]  # sampled: 0, 1, 5, 10; probed: every other one
    assert all(len(norms) == 12 for norms in entry["norms"])
    assert entry["ratio"] == [float(n[0] / n[-1]) for n in entry["norms"]]
    assert not model[0]._backward_pre_hooks  # detached


# --- the rule ------------------------------------------------------------------------------

def records_with(ratios, steps=50):
    norms = [np.geomspace(ratio, 1.0, steps) for ratio in ratios]
    return {"time_steps": {"0 (RNN)": {"step": list(range(0, 10 * len(ratios), 10)),
                                       "norms": norms, "ratio": list(ratios)}}}


def test_vanishing_through_time_fires_on_a_sustained_tiny_ratio():
    [finding] = layer_rules.vanishing_gradients(records_with([1e-2] + [1e-30] * 6))
    assert (finding.code, finding.where, finding.step) == ("vanishing-gradients", "0 (RNN)", 10)
    assert finding.evidence["time_steps"] == 50
    assert finding.evidence["ratio_first_to_last_step"] == pytest.approx(1e-30)
    assert finding.evidence["factor_per_step"] < 0.5


def test_vanishing_through_time_stays_quiet_when_healthy_or_brief():
    assert layer_rules.vanishing_gradients(records_with([1e-2] * 10)) == []
    assert layer_rules.vanishing_gradients(records_with([1e-30] * 4 + [1e-2] * 6)) == []
    # a slow fade over a long sequence: 0.93 per step over 200 steps (5e-7 in all)
    assert layer_rules.vanishing_gradients(records_with([0.93 ** 199] * 10, steps=200)) == []
