"""Gradients through time: ||dL/dh_t|| at each time step t of a recurrent layer.

The layers' fast kernels keep the per-step gradient inside their loop, so
on sampled steps the monitor recomputes it on a few samples: a forward hook
keeps the layer's input and output, a backward pre-hook receives
dL/d(output); the hidden states come from the layer's own fast functional
forward, the gates from them for all steps at once, and only the
recursion dL/dh_t -> dL/dh_{t-1} (the formulas of ``rnn_step_backward``,
``gru_step_backward``, ``lstm_step_backward``) runs as a loop, recording
the norm of dL/dh_t for every t. Tests check it against the layer's own
backward. Only the gradient entering at the last step is
followed (the error of the final output, as in Pascanu et al. 2013's
dE_T/dh_t): with ``return_sequences`` every step also gets a gradient of
its own, which would hide the decay.

Checked: single-layer, one-direction RNN, LSTM and GRU whose recomputed
output equals the layer's (an initial state given to forward, or any other
difference, skips the probe rather than record a wrong number).

Records: ``records["time_steps"][layer] = {"step": [...], "norms": [(T,) arrays],
"ratio": [...]}``, ratio = ||dL/dh_0|| / ||dL/dh_{T-1}||.
"""

import numpy as np

from minnet.diagnostics._shared import class_names, layer_where
from minnet.diagnostics.monitor.stats import first_array
from minnet.functional.gru import gru_forward
from minnet.functional.lstm import lstm_forward
from minnet.functional.rnn import rnn_forward

MAX_PROBE_ROWS = 32  # samples rerun step by step (the probe's cost grows with them)
# Probe every other sampled step: about 10% of a small RNN's training time at the
# doctor's sampling (every 5 steps), and the rule's 5 checks in a row still come early.
PROBE_EVERY = 2
MIN_TIME_STEPS = 5  # shorter sequences have no "through time" worth judging
RECOMPUTE_TOLERANCE = 1e-4  # the recomputed output must match the layer's (float32 round-off)
RECURRENT = ("RNN", "LSTM", "GRU")


def recurrent_layers(model):
    """``(where, layer)`` for each single-layer, one-direction RNN/LSTM/GRU of ``model``."""
    found = []
    for name, module in model.named_modules():
        if (set(class_names(module)) & set(RECURRENT) and getattr(module, "num_layers", 0) == 1
                and not getattr(module, "bidirectional", True)):
            found.append((layer_where(name, module), module))
    return found


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # overflow-free


def _states(layer, x):
    """Hidden states (N, T, H) of ``layer`` on x (N, T, D) from a zero initial state, by the
    layer's own fast functional forward (no module hooks, no pending cache), and the weights."""
    weights = tuple(getattr(layer, f"{key}_l0").data
                    for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    if layer.cell == "lstm":
        states, _ = lstm_forward(x, *weights, return_sequences=True)
    elif layer.cell == "gru":
        states, _ = gru_forward(x, *weights, return_sequences=True)
    else:
        states, _ = rnn_forward(x, *weights, nonlinearity=layer.nonlinearity,
                                return_sequences=True)
    return states, weights


def _through_time(layer, x, states, weights, grad_h):
    """||dL/dh_t|| for t = T-1 .. 0, from dL/dh_{T-1} = ``grad_h``.

    The formulas of ``rnn_step_backward``, ``gru_step_backward`` and
    ``lstm_step_backward`` for dL/dh_{t-1} (and dL/dc_{t-1}) alone; the gates,
    which do not depend on the gradient, are computed for all steps at once.
    """
    w_ih, w_hh, b_ih, b_hh = weights
    hidden = w_hh.shape[1]
    previous = np.concatenate([np.zeros_like(states[:, :1]), states[:, :-1]], axis=1)
    steps = x.shape[1]
    norms = np.empty(steps)
    if layer.cell == "rnn":
        local = 1 - states ** 2 if layer.nonlinearity == "tanh" else (states > 0) * 1.0
        for t in reversed(range(steps)):
            norms[t] = np.linalg.norm(grad_h)
            grad_h = (grad_h * local[:, t]) @ w_hh
        return norms
    input_part, hidden_part = x @ w_ih.T + b_ih, previous @ w_hh.T + b_hh
    if layer.cell == "gru":  # gates r, z, n side by side
        r = _sigmoid(input_part[..., :hidden] + hidden_part[..., :hidden])
        z = _sigmoid(input_part[..., hidden:2 * hidden] + hidden_part[..., hidden:2 * hidden])
        hn = hidden_part[..., 2 * hidden:]
        n = np.tanh(input_part[..., 2 * hidden:] + r * hn)
        for t in reversed(range(steps)):
            norms[t] = np.linalg.norm(grad_h)
            grad_new = grad_h * (1 - z[:, t]) * (1 - n[:, t] ** 2)
            grad_hidden = np.concatenate(
                [grad_new * hn[:, t] * r[:, t] * (1 - r[:, t]),
                 grad_h * (previous[:, t] - n[:, t]) * z[:, t] * (1 - z[:, t]),
                 grad_new * r[:, t]], axis=1)
            grad_h = grad_h * z[:, t] + grad_hidden @ w_hh
        return norms
    preact = input_part + hidden_part  # LSTM gates i, f, g, o side by side
    i, f, o = (_sigmoid(preact[..., k * hidden:(k + 1) * hidden]) for k in (0, 1, 3))
    g = np.tanh(preact[..., 2 * hidden:3 * hidden])
    cells = np.empty_like(g)
    c = np.zeros_like(g[:, 0])
    for t in range(steps):  # the cell state: the one recursion the gates leave
        cells[:, t] = c = f[:, t] * c + i[:, t] * g[:, t]
    c_prev = np.concatenate([np.zeros_like(cells[:, :1]), cells[:, :-1]], axis=1)
    tanh_c = np.tanh(cells)
    grad_c = np.zeros_like(grad_h)
    for t in reversed(range(steps)):
        norms[t] = np.linalg.norm(grad_h)
        grad_c = grad_c + grad_h * o[:, t] * (1 - tanh_c[:, t] ** 2)
        grad_preact = np.concatenate(
            [grad_c * g[:, t] * i[:, t] * (1 - i[:, t]),
             grad_c * c_prev[:, t] * f[:, t] * (1 - f[:, t]),
             grad_c * i[:, t] * (1 - g[:, t] ** 2),
             grad_h * tanh_c[:, t] * o[:, t] * (1 - o[:, t])], axis=1)
        grad_h, grad_c = grad_preact @ w_hh, grad_c * f[:, t]
    return norms


def gradient_through_time(layer, x, out, grad_out):
    """||dL/dh_t|| for t = 0..T-1 (an array (T,)) from the last step's gradient, or None.

    x : (N, T, D) the layer's input; out : its output, (N, T, H) or (N, H);
    grad_out : dL/d(out), same shape. None when the recomputation does not
    match ``out`` (an initial state was given) or no gradient reaches the last step.
    """
    x, out, grad_out = (np.asarray(a)[:MAX_PROBE_ROWS] for a in (x, out, grad_out))
    if x.ndim != 3 or x.shape[1] < MIN_TIME_STEPS or grad_out.shape != out.shape:
        return None
    dtype = layer.weight_hh_l0.dtype
    states, weights = _states(layer, x.astype(dtype))
    expected = states if out.ndim == 3 else states[:, -1]
    if expected.shape != out.shape or not np.allclose(expected, out, rtol=RECOMPUTE_TOLERANCE,
                                                      atol=RECOMPUTE_TOLERANCE):
        return None
    grad_h = (grad_out[:, -1] if grad_out.ndim == 3 else grad_out).astype(dtype)
    norms = _through_time(layer, x.astype(dtype), states, weights, grad_h)
    return norms if norms[-1] > 0 and np.isfinite(norms).all() else None


class TimeSteps:
    """The monitor's probe of gradients through time (see the module docstring).

    ``attach(records, active)`` installs a backward pre-hook on each recurrent
    layer; ``capture(step)`` returns forward-hook handles for one sampled
    forward (the monitor removes them with its other capture hooks);
    ``detach()`` removes the backward hooks. ``active()`` says whether the
    monitor is listening (not paused).
    """

    def __init__(self, model):
        self.layers = recurrent_layers(model)
        self._pending = {}  # id(layer) -> (step, x, out) of the sampled forward
        self._handles = []
        self._sampled = 0  # sampled forwards seen (every PROBE_EVERY-th is probed)

    def attach(self, records, active):
        self.records, self._active = records, active
        for where, layer in self.layers:
            def hook(module, grad_out, where=where):
                self._on_backward(where, module, grad_out)
            self._handles.append(layer.register_backward_pre_hook(hook))

    def detach(self):
        for handle in self._handles:
            handle.remove()
        self._handles, self._pending = [], {}

    def capture(self, step):
        """Forward hooks that keep the input and output of each recurrent layer at ``step``
        (on every PROBE_EVERY-th sampled forward; none on the others)."""
        self._sampled += 1
        if not self.layers or (self._sampled - 1) % PROBE_EVERY:
            return []
        handles = []
        for _, layer in self.layers:
            def hook(module, x, out):
                out = first_array(out)
                if out is not None:  # copies: the layer may reuse its output buffer
                    self._pending[id(module)] = (step, np.array(x[:MAX_PROBE_ROWS]),
                                                 np.array(out[:MAX_PROBE_ROWS]))
            handles.append(layer.register_forward_hook(hook))
        return handles

    def _on_backward(self, where, layer, grad_out):
        pending = self._pending.pop(id(layer), None)
        grad_out = first_array(grad_out)
        if pending is None or grad_out is None or not self._active():
            return
        step, x, out = pending
        with np.errstate(all="ignore"):
            norms = gradient_through_time(layer, x, out, grad_out)
        if norms is None:
            return
        entry = self.records.setdefault("time_steps", {}).setdefault(
            where, {"step": [], "norms": [], "ratio": []})
        entry["step"].append(int(step))
        entry["norms"].append(norms)
        entry["ratio"].append(float(norms[0] / norms[-1]))
