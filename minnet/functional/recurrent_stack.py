"""Stacked and bidirectional recurrent layers: PyTorch's ``num_layers``, ``bidirectional``
and ``dropout``, built from the fast single-direction plans.

Layer k, direction d (0 forward, 1 reverse) is one call of the cell's fast
plan (``minnet.kernels.rnn_plan``, ``.lstm_plan``, ``.gru_plan``: what
``rnn_forward``, ``lstm_forward``, ``gru_forward`` run after their checks) with
its own four weights and its own workspace:
- the reverse direction reads the sequence backwards: the same plan runs on
  ``x[:, ::-1]`` (a view) and its outputs are flipped back, so that the output
  at time t concatenates the forward direction's h_t (which has read
  x_0 .. x_t) and the reverse direction's (which has read x_{T-1} .. x_t),
  forward first, as PyTorch's;
- layer k > 0 reads layer k-1's output, (N, T, D*H), D = 2 when bidirectional;
- in training with ``dropout`` p > 0, the output of every layer but the last
  is multiplied by an inverted-dropout mask (``minnet.functional.dropout``)
  drawn from ``rng``; the mask's gradient is the same multiplication.

Final states are ordered as PyTorch's: index k * D + d, each (N, H); the
forward direction's is its h at t = T-1, the reverse direction's its h at
t = 0 (the last step it reads). So with ``return_sequences=False`` the
output, (N, D*H), is the last layer's final states side by side: forward
at T-1, reverse at 0.

Backward runs the layers from last to first; within a layer each direction's
plan gets its slice of the upstream gradient (flipped for the reverse
direction) plus the gradients of its final states, and the two directions'
input gradients add up.
"""

from collections import namedtuple

import numpy as np

from minnet.errors import ConfigError, ShapeError
from minnet.functional.dropout import dropout_backward, dropout_forward
from minnet.functional.recurrent_checks import (
    as_gradient,
    check_float_array,
    check_recurrent_weights,
    check_sequence,
    check_shape,
)
from minnet.functional.rnn import NONLINEARITIES
from minnet.kernels.gru_plan import gru_final_states, gru_sequence_backward, gru_sequence_forward
from minnet.kernels.lstm_plan import (
    lstm_final_states,
    lstm_sequence_backward,
    lstm_sequence_forward,
)
from minnet.kernels.rnn_plan import rnn_final_states, rnn_sequence_backward, rnn_sequence_forward
from minnet.validation import check_bool, check_choice, check_float, check_int

# cell -> (forward plan, backward plan, final states, state names, gate count). The plans
# without the functional pairs' checks: the stack checks every layer's arguments once, up front.
CELLS = {
    "rnn": (rnn_sequence_forward, rnn_sequence_backward, rnn_final_states, ("h0",), 1),
    "lstm": (lstm_sequence_forward, lstm_sequence_backward, lstm_final_states, ("h0", "c0"), 4),
    "gru": (gru_sequence_forward, gru_sequence_backward, gru_final_states, ("h0",), 3),
}
PARAMETER_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

RecurrentStackCache = namedtuple(
    "RecurrentStackCache", ["cell", "caches", "dropout_caches", "num_layers", "directions",
                            "batch", "hidden", "given", "out_shape", "dtype"])
RecurrentStackCache.__doc__ = """What ``recurrent_stack_backward`` needs.

cell : "rnn", "lstm" or "gru"; caches : the plan's cache of each layer and
direction, in the order of ``weights``; dropout_caches : one per layer but the
last; num_layers, directions (D), batch (N), hidden (H) : ints; given : one
bool per state name, whether that initial state was given; out_shape : the
output's shape, (N, T, D*H) or (N, D*H); dtype : the float dtype of the call.
"""


def parameter_names(num_layers, bidirectional):
    """PyTorch's parameter names in its order, one 4-tuple per layer and direction.

    ``[("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
    ("weight_ih_l0_reverse", ...), ("weight_ih_l1", ...), ...]``: the order of
    ``weights`` here, and the names the errors use.
    """
    suffixes = ("", "_reverse") if bidirectional else ("",)
    return [tuple(f"{kind}_l{layer}{suffix}" for kind in PARAMETER_KINDS)
            for layer in range(num_layers) for suffix in suffixes]


def _check_arguments(owner, cell, x, weights, states, num_layers, bidirectional, dropout,
                     training, return_sequences, options):
    """Validate everything before the first kernel runs; return (D, N, H, dtype)."""
    check_choice(owner, "cell", cell, CELLS)
    allowed = {"nonlinearity"} if cell == "rnn" else set()
    if set(options) - allowed:
        raise ConfigError(f"{owner}: unexpected option(s) {sorted(set(options) - allowed)} for "
                          f"the {cell} cell; expected {sorted(allowed)}")
    if "nonlinearity" in options:
        check_choice(owner, "nonlinearity", options["nonlinearity"], NONLINEARITIES)
    unknown = set(states or {}) - set(CELLS[cell][3])
    if unknown:
        raise ConfigError(f"{owner}: unexpected state(s) {sorted(unknown)} for the {cell} cell; "
                          f"expected {list(CELLS[cell][3])}")
    layers = check_int(owner, "num_layers", num_layers, minimum=1)
    directions = 2 if check_bool(owner, "bidirectional", bidirectional) else 1
    check_float(owner, "dropout", dropout, low=0.0, high=1.0, high_open=True)
    check_bool(owner, "training", training)
    check_bool(owner, "return_sequences", return_sequences)
    gates = CELLS[cell][4]
    if len(weights) != layers * directions or any(len(group) != 4 for group in weights):
        raise ShapeError(f"{owner}: expected num_layers * num_directions = "
                         f"{layers * directions} groups (w_ih, w_hh, b_ih, b_hh) in weights, "
                         f"got {[len(group) for group in weights]}")
    names = parameter_names(layers, directions == 2)
    check_float_array(owner, names[0][1], weights[0][1])
    dtype = weights[0][1].dtype
    batch, features = check_sequence(owner, x, dtype)
    hidden = None
    for index, (group, group_names) in enumerate(zip(weights, names)):
        check_float_array(owner, group_names[1], group[1], dtype)
        found = check_recurrent_weights(owner, *group, gates, features if index < directions
                                        else directions * hidden, group_names)
        if hidden is not None and found != hidden:
            raise ShapeError(f"{owner}: expected every weight_hh of hidden size {hidden} "
                             f"(weight_hh_l0's), got {group_names[1]} of shape "
                             f"{group[1].shape}")
        hidden = found
    for name, state in (states or {}).items():
        if state is not None:
            check_float_array(owner, name, state, dtype)
            check_shape(owner, name, state, (layers * directions, batch, hidden),
                        "(num_layers * num_directions, N, H)")
    return directions, batch, hidden, dtype


def recurrent_stack_forward(cell, x, weights, states=None, num_layers=1, bidirectional=False,
                            dropout=0.0, training=True, rng=None, return_sequences=True,
                            options=None, workspaces=None, owner="recurrent_stack_forward"):
    """A stack of ``num_layers`` recurrent layers, each of one or two directions.

    Parameters
    ----------
    cell : "rnn", "lstm" or "gru"
    x : (N, T, input_size)
    weights : num_layers * D groups (w_ih, w_hh, b_ih, b_hh) in PyTorch's order
        (layer 0, layer 0 reverse, layer 1, ...): w_ih (G*H, input_size) in
        layer 0 and (G*H, D*H) above, w_hh (G*H, H), biases (G*H,)
    states : dict of initial states by name ("h0", and "c0" for "lstm"), each
        (num_layers * D, N, H) or None for zeros
    num_layers : int >= 1; bidirectional : bool (D = 2 or 1)
    dropout : float in [0, 1), on every layer's output but the last, in training
    training : bool; rng : None, int or Generator, draws the dropout masks
    return_sequences : bool, the last layer's output at every step or only its final states
    options : dict of the cell's other keyword arguments ({"nonlinearity": "relu"})
    workspaces : None, or a dict whose entry (k, d) is layer k direction d's
        workspace (created when missing; see ``minnet.kernels.recurrent_plan``)
    owner : what the errors name (a layer passes itself); the weights are named
        as PyTorch names them (``parameter_names``)

    Returns
    -------
    (output, finals), cache
        output : (N, T, D*H), or (N, D*H) with ``return_sequences=False``
        finals : the final states, a tuple (h_n,) or for "lstm" (h_n, c_n),
            each (num_layers * D, N, H), PyTorch's order
    """
    options = options or {}
    directions, batch, hidden, dtype = _check_arguments(
        owner, cell, x, weights, states, num_layers, bidirectional, dropout, training,
        return_sequences, options)
    forward, _, final_states, names, _ = CELLS[cell]
    states = states or {}
    caches, dropout_caches, finals = [], [], []
    layer_input = x
    for layer in range(num_layers):
        last_layer = layer == num_layers - 1
        sequences = return_sequences or not last_layer
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            initial = {name: None if states.get(name) is None else states[name][index]
                       for name in names}
            workspace = None if workspaces is None else workspaces.setdefault(
                (layer, direction), {})
            reading = layer_input[:, ::-1] if direction else layer_input
            out, cache = forward(reading, *weights[index], **initial, **options,
                                 return_sequences=sequences, workspace=workspace)
            outputs.append(out[:, ::-1] if direction and sequences else out)
            caches.append(cache)
            finals.append(final_states(cache))
        layer_input = outputs[0] if directions == 1 else np.concatenate(outputs, axis=-1)
        if not last_layer:
            layer_input, dropout_cache = dropout_forward(layer_input, dropout, training, rng)
            dropout_caches.append(dropout_cache)
    stacked = tuple(_stack([final[k] for final in finals]) for k in range(len(names)))
    given = tuple(states.get(name) is not None for name in names)
    cache = RecurrentStackCache(cell, caches, dropout_caches, num_layers, directions, batch,
                                hidden, given, layer_input.shape, dtype)
    return (layer_input, stacked), cache


def recurrent_stack_backward(grad_out, cache, grad_finals=None, workspaces=None):
    """Backpropagation through ``recurrent_stack_forward``: layers last to first.

    Parameters
    ----------
    grad_out : the output's shape, (N, T, D*H) or (N, D*H); or None when only
        the final states receive a gradient
    cache : from ``recurrent_stack_forward``
    grad_finals : None, or a tuple like the forward's finals ((grad_h_n,) or
        (grad_h_n, grad_c_n)), each (num_layers * D, N, H) or None
    workspaces : as given to the forward (None or the same dict)

    Returns
    -------
    grad_x : (N, T, input_size)
    grad_states : tuple, one entry per state name: (num_layers * D, N, H), or
        None for a state the forward did not receive
    grad_weights : list of num_layers * D tuples (grad_w_ih, grad_w_hh,
        grad_b_ih, grad_b_hh), in the order of ``weights``; with workspaces,
        valid until the next call with them
    """
    cell, caches, dropout_caches, layers, directions, batch, hidden, given, out_shape, dtype = (
        cache)
    _, backward, _, names, _ = CELLS[cell]
    owner = "recurrent_stack_backward"
    if grad_out is None:
        grad_out = np.zeros(out_shape, dtype)
    grad_out = as_gradient(owner, "grad_out", grad_out)
    check_shape(owner, "grad_out", grad_out, out_shape,
                "(N, T, D*H)" if len(out_shape) == 3 else "(N, D*H)")
    grad_finals = _check_final_gradients(owner, grad_finals, len(names),
                                         (layers * directions, batch, hidden))
    grad_states = [[None] * (layers * directions) for _ in names]
    grad_weights = [None] * (layers * directions)
    grad_layer = grad_out
    for layer in reversed(range(layers)):
        if layer < layers - 1:
            grad_layer = dropout_backward(grad_layer, dropout_caches[layer])
        sequences = grad_layer.ndim == 3
        grad_input = None
        for direction in range(directions):
            index = layer * directions + direction
            part = grad_layer[..., direction * hidden:(direction + 1) * hidden]
            if direction and sequences:
                part = part[:, ::-1]
            workspace = None if workspaces is None else workspaces.setdefault(
                (layer, direction), {})
            finals = [None if grads is None else grads[index] for grads in grad_finals]
            grad_x, *rest = backward(part, caches[index], workspace, *finals)
            for k in range(len(names)):
                grad_states[k][index] = rest[k]
            grad_weights[index] = tuple(rest[len(names):])
            if direction:
                grad_x = grad_x[:, ::-1]
            grad_input = grad_x if grad_input is None else grad_input + grad_x
        grad_layer = grad_input
    stacked = tuple(_stack(grads) if has else None for grads, has in zip(grad_states, given))
    return grad_layer, stacked, grad_weights


def _stack(arrays):
    """(L*D, N, H) from L*D arrays (N, H); one array is only given an axis (a view)."""
    return arrays[0][None] if len(arrays) == 1 else np.stack(arrays)


def _check_final_gradients(owner, grad_finals, count, shape):
    """``grad_finals`` as a list of ``count`` entries, each None or an array of ``shape``."""
    if grad_finals is None:
        return [None] * count
    if not isinstance(grad_finals, (tuple, list)) or len(grad_finals) != count:
        raise ConfigError(f"{owner}: expected grad_finals as a tuple of {count} gradient(s) "
                          f"(or None), got {grad_finals!r:.80}")
    checked = []
    for k, grads in enumerate(grad_finals):
        if grads is not None:
            grads = as_gradient(owner, f"grad_finals[{k}]", grads)
            check_shape(owner, f"grad_finals[{k}]", grads, shape,
                        "(num_layers * num_directions, N, H)")
        checked.append(grads)
    return checked
