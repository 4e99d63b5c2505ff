"""Recurrent layers: RNN (tanh or relu), LSTM and GRU, batch first, one layer.

Each owns PyTorch's four parameters, in PyTorch's order and gate order, so a
state dict moves between the two both ways: ``weight_ih_l0`` (G*H, input_size),
``weight_hh_l0`` (G*H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (G*H,), with
G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).

Initialization (``init=``):
- ``"xavier_orthogonal"`` (default), what the debugging checklists recommend
  for recurrent nets (and Keras' default): each gate's input weights Xavier
  (Glorot) uniform, each gate's recurrent (H, H) block orthogonal, so that
  repeated multiplication by W_hh neither grows nor shrinks the state at
  first; biases zero.
- ``"pytorch"``: PyTorch's default, every parameter U(-1/sqrt(H), 1/sqrt(H)).

A layer keeps its functional pair's large buffers between steps (a
"workspace", see ``minnet.functional.recurrent``): for an LSTM about three
(T, 4H, N) arrays and a few (T, H, N) ones, 9 MB in float32 for N = 32
sequences of T = 32 steps and H = 128.
"""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError, ShapeError
from minnet.functional.gru import gru_backward, gru_forward
from minnet.functional.lstm import lstm_backward, lstm_forward
from minnet.functional.rnn import NONLINEARITIES, rnn_backward, rnn_forward
from minnet.init import orthogonal, xavier_uniform
from minnet.random import make_rng
from minnet.validation import (
    as_float_array,
    check_axis_size,
    check_choice,
    check_int,
    check_ndim,
)

PARAMETER_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")  # PyTorch's
INITS = ("xavier_orthogonal", "pytorch")


class _Recurrent(Module):
    """What RNN, LSTM and GRU share: parameters, init, validation, gradient bookkeeping.

    A subclass names its gate count, its initial states and its functional
    pair, and writes ``forward`` with its own state arguments.
    """

    num_gates = 1
    state_names = ("h0",)
    forward_pair = None  # staticmethod(op_forward)
    backward_pair = None  # staticmethod(op_backward)

    def __init__(self, input_size, hidden_size, return_sequences=False,
                 init="xavier_orthogonal", rng=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = check_int(name, "input_size", input_size, minimum=1)
        self.hidden_size = check_int(name, "hidden_size", hidden_size, minimum=1)
        if not isinstance(return_sequences, (bool, np.bool_)):
            raise ConfigError(f"{name}: the 'return_sequences' parameter must be a bool, got "
                              f"{return_sequences!r}")
        self.return_sequences = bool(return_sequences)
        self.init = check_choice(name, "init", init, INITS)
        arrays = self._initial_parameters(make_rng(rng))
        self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0, self.bias_hh_l0 = (
            Parameter(array) for array in arrays)
        self._workspace = {}  # the pairs' large buffers, reused step after step
        for state in self.state_names:  # dL/d(initial state) after backward; None without one
            setattr(self, f"grad_{state}", None)

    def _initial_parameters(self, rng):
        hidden, features = self.hidden_size, self.input_size
        rows = self.num_gates * hidden
        if self.init == "pytorch":  # torch's reset_parameters: every tensor, in this order
            bound = 1.0 / np.sqrt(hidden)
            shapes = [(rows, features), (rows, hidden), (rows,), (rows,)]
            return [rng.uniform(-bound, bound, size=shape) for shape in shapes]
        # gate by gate: each gate is its own affine map of x and of h
        w_ih = np.concatenate([xavier_uniform((hidden, features), rng)
                               for _ in range(self.num_gates)])
        w_hh = np.concatenate([orthogonal((hidden, hidden), rng) for _ in range(self.num_gates)])
        return [w_ih, w_hh, np.zeros(rows), np.zeros(rows)]

    def extra_repr(self):
        return (f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"{self._options_repr()}return_sequences={self.return_sequences}")

    def _options_repr(self):
        return ""

    def _options(self):
        """Keyword arguments of the functional pair beyond x, weights and states."""
        return {}

    def _check_input(self, x):
        x = as_float_array(self, x, dtype=self.weight_hh_l0.dtype)
        layout = f"(N, T, {self.input_size}) (batch, time, input_size)"
        hint = ("one time step? use x[:, None, :]; one sequence? use x[None]"
                if x.ndim == 2 else None)
        check_ndim(self, x, (3,), layout, hint)
        check_axis_size(self, x, 2, self.input_size, layout)
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ShapeError(f"{self!r}: expected input of shape {layout} with at least one "
                             f"sequence and one time step, got {x.shape}")
        return x

    def _check_state(self, state, name, batch):
        if state is None:
            return None
        state = as_float_array(self, state, dtype=self.weight_hh_l0.dtype,
                               what=f"initial state {name}")
        if state.shape != (batch, self.hidden_size):
            raise ShapeError(f"{self!r}: expected initial state {name} of shape "
                             f"(N, hidden_size) = ({batch}, {self.hidden_size}), got "
                             f"{state.shape}")
        return state

    def _run(self, x, **states):
        """Validate, call the functional forward, keep the cache, shape the output."""
        x = self._check_input(x)
        states = {name: self._check_state(value, name, len(x)) for name, value in states.items()}
        # By name, not by position: weight_norm swaps a weight for a computed one.
        weights = (getattr(self, name).data for name in PARAMETER_NAMES)
        # The cache refers to the workspace's buffers: a second use of the layer while
        # the first still waits for its backward gets buffers of its own.
        workspace = self._workspace if self.pending_forwards == 0 else None
        out, cache = self.forward_pair(x, *weights, **states, **self._options(),
                                       return_sequences=self.return_sequences,
                                       workspace=workspace)
        self.push_cache((out.shape, cache))
        return out

    def backward(self, grad_out):
        """Add the four parameter gradients into ``.grad``; return dL/dx (N, T, input_size).

        ``grad_out`` has the forward output's shape: (N, T, H) with
        ``return_sequences``, else (N, H). The gradient of an initial state
        given to forward is left in ``grad_h0`` (and ``grad_c0``), else None.
        """
        _, cache = self.pop_cache(grad_out, lambda entry: entry[0])
        grad_x, *grads = self.backward_pair(np.asarray(grad_out), cache,
                                            workspace=self._workspace)
        for name, grad in zip(self.state_names, grads):
            setattr(self, f"grad_{name}", grad)
        for name, grad in zip(PARAMETER_NAMES, grads[len(self.state_names):]):
            getattr(self, name).add_grad(grad)
        return grad_x


class RNN(_Recurrent):
    """Elman RNN: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, act = tanh or relu.

    Parameters
    ----------
    input_size, hidden_size : int
    nonlinearity : "tanh" or "relu"
    return_sequences : bool, output every h_t (N, T, H) or only the last (N, H)
    init : "xavier_orthogonal" (default) or "pytorch" (see the module docstring)
    rng : None, int or numpy.random.Generator

    Shapes: input (N, T, input_size) (batch first) -> (N, T, H) or (N, H);
    ``forward(x, h0=None)`` takes an optional initial state h0 (N, H).
    State dict: ``weight_ih_l0`` (H, input_size), ``weight_hh_l0`` (H, H),
    ``bias_ih_l0``, ``bias_hh_l0`` (H,), as ``torch.nn.RNN``.
    """

    forward_pair = staticmethod(rnn_forward)
    backward_pair = staticmethod(rnn_backward)

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", return_sequences=False,
                 init="xavier_orthogonal", rng=None):
        nonlinearity = check_choice("RNN", "nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, return_sequences, init, rng)
        self.nonlinearity = nonlinearity

    def _options_repr(self):
        return f"nonlinearity={self.nonlinearity!r}, "

    def _options(self):
        return {"nonlinearity": self.nonlinearity}

    def forward(self, x, h0=None):
        return self._run(x, h0=h0)


class LSTM(_Recurrent):
    """Long short-term memory, PyTorch's equations and gate order (i, f, g, o).

    Parameters
    ----------
    input_size, hidden_size : int
    return_sequences : bool, output every h_t (N, T, H) or only the last (N, H)
    init : "xavier_orthogonal" (default) or "pytorch" (see the module docstring)
    rng : None, int or numpy.random.Generator

    Shapes: input (N, T, input_size) (batch first) -> (N, T, H) or (N, H);
    ``forward(x, h0=None, c0=None)`` takes optional initial states (N, H).
    State dict: ``weight_ih_l0`` (4H, input_size), ``weight_hh_l0`` (4H, H),
    ``bias_ih_l0``, ``bias_hh_l0`` (4H,), as ``torch.nn.LSTM``.
    """

    num_gates = 4
    state_names = ("h0", "c0")
    forward_pair = staticmethod(lstm_forward)
    backward_pair = staticmethod(lstm_backward)

    def forward(self, x, h0=None, c0=None):
        return self._run(x, h0=h0, c0=c0)


class GRU(_Recurrent):
    """Gated recurrent unit, PyTorch's equations and gate order (r, z, n).

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Parameters
    ----------
    input_size, hidden_size : int
    return_sequences : bool, output every h_t (N, T, H) or only the last (N, H)
    init : "xavier_orthogonal" (default) or "pytorch" (see the module docstring)
    rng : None, int or numpy.random.Generator

    Shapes: input (N, T, input_size) (batch first) -> (N, T, H) or (N, H);
    ``forward(x, h0=None)`` takes an optional initial state h0 (N, H).
    State dict: ``weight_ih_l0`` (3H, input_size), ``weight_hh_l0`` (3H, H),
    ``bias_ih_l0``, ``bias_hh_l0`` (3H,), as ``torch.nn.GRU``.
    """

    num_gates = 3
    forward_pair = staticmethod(gru_forward)
    backward_pair = staticmethod(gru_backward)

    def forward(self, x, h0=None):
        return self._run(x, h0=h0)
