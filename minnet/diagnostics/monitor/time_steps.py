"""Gradients through time: ||dL/dh_t|| at each time step t of a recurrent layer.

The layers' fast kernels keep the per-step gradient inside their loop, so
on sampled steps the monitor recomputes it on a few samples with the
textbook step functions (``minnet.functional``: ``rnn_step_backward``,
``lstm_step_backward``, ``gru_step_backward``): a forward hook keeps the
layer's input and output, a backward pre-hook receives dL/d(output) and
backpropagates the last step's gradient through time, recording the norm
of dL/dh_t for every t. Only the gradient entering at the last step is
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
from minnet.functional.gru import gru_step_backward, gru_step_forward
from minnet.functional.lstm import lstm_step_backward, lstm_step_forward
from minnet.functional.rnn import rnn_step_backward, rnn_step_forward

MAX_PROBE_ROWS = 32  # samples rerun step by step (the probe's cost grows with them)
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


def _steps_forward(layer, x):
    """Step caches and hidden states (N, T, H) of ``layer`` on x (N, T, D), zero initial state."""
    w_ih, w_hh, b_ih, b_hh = (getattr(layer, f"{key}_l0").data
                              for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    batch, hidden = len(x), w_hh.shape[1]
    h = np.zeros((batch, hidden), dtype=w_hh.dtype)
    c = np.zeros_like(h)
    caches, states = [], []
    for t in range(x.shape[1]):
        if layer.cell == "lstm":
            h, c, cache = lstm_step_forward(x[:, t], h, c, w_ih, w_hh, b_ih, b_hh)
        elif layer.cell == "gru":
            h, cache = gru_step_forward(x[:, t], h, w_ih, w_hh, b_ih, b_hh)
        else:
            h, cache = rnn_step_forward(x[:, t], h, w_ih, w_hh, b_ih, b_hh, layer.nonlinearity)
        caches.append(cache)
        states.append(h)
    return caches, np.stack(states, axis=1)


def gradient_through_time(layer, x, out, grad_out):
    """||dL/dh_t|| for t = 0..T-1 (an array (T,)) from the last step's gradient, or None.

    x : (N, T, D) the layer's input; out : its output, (N, T, H) or (N, H);
    grad_out : dL/d(out), same shape. None when the recomputation does not
    match ``out`` (an initial state was given) or no gradient reaches the last step.
    """
    x, out, grad_out = (np.asarray(a)[:MAX_PROBE_ROWS] for a in (x, out, grad_out))
    if x.ndim != 3 or x.shape[1] < MIN_TIME_STEPS or grad_out.shape != out.shape:
        return None
    caches, states = _steps_forward(layer, x.astype(layer.weight_hh_l0.dtype))
    expected = states if out.ndim == 3 else states[:, -1]
    if expected.shape != out.shape or not np.allclose(expected, out, rtol=RECOMPUTE_TOLERANCE,
                                                      atol=RECOMPUTE_TOLERANCE):
        return None
    grad_h = grad_out[:, -1] if grad_out.ndim == 3 else grad_out
    grad_c = np.zeros_like(grad_h)
    norms = np.empty(len(caches))
    for t in reversed(range(len(caches))):
        norms[t] = np.linalg.norm(grad_h)
        if layer.cell == "lstm":
            _, grad_h, grad_c, *_ = lstm_step_backward(grad_h, grad_c, caches[t])
        elif layer.cell == "gru":
            _, grad_h, *_ = gru_step_backward(grad_h, caches[t])
        else:
            _, grad_h, *_ = rnn_step_backward(grad_h, caches[t])
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
        """Forward hooks that keep the input and output of each recurrent layer at ``step``."""
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
