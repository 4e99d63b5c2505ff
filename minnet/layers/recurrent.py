"""Recurrent layers: RNN (tanh or relu), LSTM and GRU, batch first, with PyTorch's options.

``num_layers`` stacked layers, each of one direction or two (``bidirectional``),
``dropout`` between layers in training, initial states in and final states
out (``return_state``), with PyTorch's parameter names and order
(``minnet.layers.recurrent_base``) and its equations (``minnet.functional``).

Shapes (batch first, D = 2 when bidirectional, else 1):
- input x: (N, T, input_size);
- output: (N, T, D*H), every step of the last layer (``return_sequences=True``),
  the two directions side by side, forward first; else (N, D*H), the last
  layer's final hidden states: the forward direction's at t = T-1 and the
  reverse direction's at t = 0 (the last step it reads);
- initial states h0 (and c0): (num_layers * D, N, H) as PyTorch's, or (N, H)
  when num_layers * D == 1; final states h_n (and c_n): (num_layers * D, N, H),
  index k * D + d for layer k, direction d.

A layer keeps the large buffers of each layer and direction between steps (a
"workspace", see ``minnet.kernels.recurrent_plan``): for a one-layer LSTM about
three (T, 4H, N) arrays and a few (T, H, N) ones, 9 MB in float32 for N = 32
sequences of T = 32 steps and H = 128. A forward uses them only when no other
forward of the layer waits for its backward (its cache refers to them).
"""

from typing import NamedTuple

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ShapeError
from minnet.functional.recurrent_stack import (
    parameter_names,
    recurrent_stack_backward,
    recurrent_stack_forward,
)
from minnet.functional.rnn import NONLINEARITIES
from minnet.layers.recurrent_base import (
    check_arguments,
    check_options,
    initial_parameters,
    split_gradient,
)
from minnet.random import make_rng
from minnet.validation import as_float_array, check_axis_size, check_choice, check_ndim

_NO_GRADIENT = np.zeros(())  # stands for a missing output gradient when popping the cache


class RecurrentLayerCache(NamedTuple):
    """What one forward of a recurrent layer leaves for its backward.

    out_shape : tuple, the output's shape, (N, T, D*H) or (N, D*H) (grad_out must match)
    stack : RecurrentStackCache, the stack's cache (``recurrent_stack_forward``)
    state_shapes : dict, name -> shape of each initial state the caller gave
        (its gradient is returned in that shape)
    batch : int, N
    """

    out_shape: tuple
    stack: object
    state_shapes: dict
    batch: int


class _Recurrent(Module):
    """What RNN, LSTM and GRU share: parameters, validation, the stack, gradient bookkeeping.

    A subclass names its cell, gate count and initial states, and writes
    ``__init__`` (its public signature) and ``forward`` (its state arguments).
    """

    cell = "rnn"
    num_gates = 1
    state_names = ("h0",)
    positional = ("input_size", "hidden_size", "num_layers")

    def __init__(self, input_size, hidden_size, num_layers, *, dropout, bidirectional,
                 return_sequences, return_state, init, rng, extra=(), unknown=None):
        super().__init__()
        name = type(self).__name__
        check_arguments(type(self), self.positional, extra, unknown)
        (self.input_size, self.hidden_size, self.num_layers, self.dropout, self.bidirectional,
         self.return_sequences, self.return_state, self.init) = check_options(
            name, input_size, hidden_size, num_layers, dropout, bidirectional, return_sequences,
            return_state, init)
        self.rng = make_rng(rng)  # draws the initial weights, then the dropout masks
        arrays = iter(initial_parameters(self.init, self.num_gates, self.input_size,
                                         self.hidden_size, self.num_layers, self.directions,
                                         self.rng))
        self._parameter_groups = parameter_names(self.num_layers, self.bidirectional)
        for group in self.parameter_groups:
            for key in group:
                setattr(self, key, Parameter(next(arrays)))
        self._workspaces = {}  # (layer, direction) -> the pair's buffers, reused step after step
        for state in self.state_names:  # dL/d(initial state) after backward; None without one
            setattr(self, f"grad_{state}", None)

    @property
    def directions(self):
        """D: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def parameter_groups(self):
        """One (weight_ih, weight_hh, bias_ih, bias_hh) name tuple per layer and direction."""
        return self._parameter_groups

    def extra_repr(self):
        parts = [f"input_size={self.input_size}", f"hidden_size={self.hidden_size}"]
        if self.num_layers != 1:
            parts.append(f"num_layers={self.num_layers}")
        parts += self._options_repr()
        if self.dropout:
            parts.append(f"dropout={self.dropout}")
        if self.bidirectional:
            parts.append("bidirectional=True")
        parts.append(f"return_sequences={self.return_sequences}")
        if self.return_state:
            parts.append("return_state=True")
        return ", ".join(parts)

    def _options_repr(self):
        return []

    def _options(self):
        """Keyword arguments of the functional pair beyond x, weights and states."""
        return {}

    # --- forward ---------------------------------------------------------------

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

    def _state_shapes(self, batch, what):
        """The accepted shapes of an initial state (or of a final state's gradient), in words."""
        stacked = (self.num_layers * self.directions, batch, self.hidden_size)
        text = f"{what} of shape (num_layers * num_directions, N, hidden_size) = {stacked}"
        return stacked, text

    def _check_state(self, state, name, batch):
        """An initial state as (num_layers * D, N, H) (a view), or None."""
        if state is None:
            return None
        state = as_float_array(self, state, dtype=self.weight_hh_l0.dtype,
                               what=f"initial state {name}")
        stacked, text = self._state_shapes(batch, f"initial state {name}")
        if state.shape == stacked:
            return state
        if stacked[0] == 1 and state.shape == stacked[1:]:
            return state[None]
        single = f" or (N, hidden_size) = {stacked[1:]}" if stacked[0] == 1 else ""
        raise ShapeError(f"{self!r}: expected {text}{single}, got {state.shape}")

    def _run(self, x, **states):
        """Validate, run the stack, keep the cache, return PyTorch's structure."""
        x = self._check_input(x)
        given = {name: value for name, value in states.items() if value is not None}
        states = {name: self._check_state(value, name, len(x)) for name, value in states.items()}
        # By name, not by position: weight_norm swaps a weight for a computed one.
        weights = [tuple(getattr(self, key).data for key in group)
                   for group in self.parameter_groups]
        # The cache refers to the workspaces' buffers: a second use of the layer while
        # the first still waits for its backward gets buffers of its own.
        workspaces = self._workspaces if self.pending_forwards == 0 else None
        (out, finals), cache = recurrent_stack_forward(
            self.cell, x, weights, states, self.num_layers, self.bidirectional, self.dropout,
            self.training, self.rng, self.return_sequences, self._options(), workspaces, self)
        state_shapes = {name: np.shape(value) for name, value in given.items()}
        self.push_cache(RecurrentLayerCache(out.shape, cache, state_shapes, len(x)))
        if not self.return_state:
            return out
        return out, (finals if len(finals) > 1 else finals[0])

    # --- backward --------------------------------------------------------------

    def backward(self, grad_out):
        """Add every parameter gradient into ``.grad``; return dL/dx (N, T, input_size).

        ``grad_out`` has the forward output's shape: (N, T, D*H) with
        ``return_sequences``, else (N, D*H). With ``return_state=True`` it may
        also be PyTorch's structure, ``(grad_output, grad_h_n)`` (RNN, GRU) or
        ``(grad_output, (grad_h_n, grad_c_n))`` (LSTM), each part None when it
        received no gradient, so that a gradient flows into the final states
        (an encoder feeding a decoder). The gradient of an initial state given
        to forward is left in ``grad_h0`` (and ``grad_c0``) in the shape it was
        given, else None.
        """
        if grad_out is None:  # pop_cache's own message (the next layer skips dL/dx)
            self.pop_cache(grad_out, ())
        grad_output, grad_finals = split_gradient(self, grad_out, len(self.state_names))
        checked = []

        def expected_shape(entry):
            # runs before the cache is popped: a refused gradient leaves it pending
            checked.append(self._check_gradients(grad_output, grad_finals, entry.batch))
            return entry.out_shape if grad_output is not None else ()

        entry = self.pop_cache(_NO_GRADIENT if grad_output is None else grad_output,
                               expected_shape)
        cache, state_shapes = entry.stack, entry.state_shapes
        grad_output, grad_finals = checked[0]
        grad_x, grad_states, grad_weights = recurrent_stack_backward(
            grad_output, cache, grad_finals, self._workspaces)
        for name, grad in zip(self.state_names, grad_states):
            shape = state_shapes.get(name)
            setattr(self, f"grad_{name}", None if grad is None else grad.reshape(shape))
        for group, grads in zip(self.parameter_groups, grad_weights):
            for key, grad in zip(group, grads):
                getattr(self, key).add_grad(grad)
        return grad_x

    def _check_gradients(self, grad_output, grad_finals, batch):
        """Gradients of the output and final states as float arrays of the layer's dtype;
        the final states' must have their states' shape (num_layers * D, N, H)."""
        dtype = self.weight_hh_l0.dtype
        if grad_output is not None:
            grad_output = as_float_array(self, grad_output, dtype=dtype, what="grad_out")
        if grad_finals is None:
            return grad_output, None
        checked = []
        for name, grad in zip(("h_n", "c_n"), grad_finals):
            if grad is not None:
                grad = as_float_array(self, grad, dtype=dtype, what=f"gradient of {name}")
                stacked, text = self._state_shapes(batch, f"the gradient of {name}")
                if grad.shape != stacked:
                    raise ShapeError(f"{self!r}: expected {text} (the shape of {name}), got "
                                     f"{grad.shape}")
            checked.append(grad)
        return grad_output, tuple(checked)


class RNN(_Recurrent):
    """Elman RNN: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, act = tanh or relu.

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int >= 1, layers stacked (layer k > 0 reads layer k-1's outputs)
    nonlinearity : "tanh" or "relu"
    dropout : float in [0, 1), on every layer's output but the last, in training,
        drawn from the layer's ``rng``
    bidirectional : bool, a second direction reading the sequence backwards
    return_sequences : bool, output every step (N, T, D*H) or the final states (N, D*H)
    return_state : bool, forward returns ``(output, h_n)``, h_n (num_layers * D, N, H)
    init : "xavier_orthogonal" (default) or "pytorch" (``minnet.layers.recurrent_base``)
    rng : None, int or numpy.random.Generator (initial weights, dropout masks)

    ``forward(x, h0=None)``: x (N, T, input_size); h0 (num_layers * D, N, H),
    or (N, H) for one layer and direction. State dict as ``torch.nn.RNN``.
    """

    positional = ("input_size", "hidden_size", "num_layers", "nonlinearity")

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", *extra,
                 dropout=0.0, bidirectional=False, return_sequences=False, return_state=False,
                 init="xavier_orthogonal", rng=None, **unknown):
        nonlinearity = check_choice("RNN", "nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, num_layers, dropout=dropout,
                         bidirectional=bidirectional, return_sequences=return_sequences,
                         return_state=return_state, init=init, rng=rng, extra=extra,
                         unknown=unknown)
        self.nonlinearity = nonlinearity

    def _options_repr(self):
        return [f"nonlinearity={self.nonlinearity!r}"]

    def _options(self):
        return {"nonlinearity": self.nonlinearity}

    def forward(self, x, h0=None):
        return self._run(x, h0=h0)


class LSTM(_Recurrent):
    """Long short-term memory, PyTorch's equations and gate order (i, f, g, o).

    Parameters as ``RNN`` without ``nonlinearity``; with ``return_state=True``
    forward returns ``(output, (h_n, c_n))``, each (num_layers * D, N, H).

    ``forward(x, h0=None, c0=None)``: initial states (num_layers * D, N, H), or
    (N, H) for one layer and direction; PyTorch's form ``forward(x, (h0, c0))``
    (a tuple) works too, so ``out, state = lstm(x, state)`` carries the state.
    State dict as ``torch.nn.LSTM``: ``weight_ih_l0`` (4H, input_size), ...
    """

    cell = "lstm"
    num_gates = 4
    state_names = ("h0", "c0")

    def __init__(self, input_size, hidden_size, num_layers=1, *extra, dropout=0.0,
                 bidirectional=False, return_sequences=False, return_state=False,
                 init="xavier_orthogonal", rng=None, **unknown):
        super().__init__(input_size, hidden_size, num_layers, dropout=dropout,
                         bidirectional=bidirectional, return_sequences=return_sequences,
                         return_state=return_state, init=init, rng=rng, extra=extra,
                         unknown=unknown)

    def forward(self, x, h0=None, c0=None):
        if isinstance(h0, tuple) and c0 is None:  # PyTorch's hx = (h0, c0)
            if len(h0) != 2:
                raise ShapeError(f"{self!r}: expected the initial states as a pair (h0, c0), "
                                 f"got a tuple of length {len(h0)}")
            h0, c0 = h0
        return self._run(x, h0=h0, c0=c0)


class GRU(_Recurrent):
    """Gated recurrent unit, PyTorch's equations and gate order (r, z, n).

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.
    Parameters, ``forward(x, h0=None)`` and ``return_state`` as ``RNN`` without
    ``nonlinearity``. State dict as ``torch.nn.GRU``: ``weight_ih_l0`` (3H, input_size), ...
    """

    cell = "gru"
    num_gates = 3

    def __init__(self, input_size, hidden_size, num_layers=1, *extra, dropout=0.0,
                 bidirectional=False, return_sequences=False, return_state=False,
                 init="xavier_orthogonal", rng=None, **unknown):
        super().__init__(input_size, hidden_size, num_layers, dropout=dropout,
                         bidirectional=bidirectional, return_sequences=return_sequences,
                         return_state=return_state, init=init, rng=rng, extra=extra,
                         unknown=unknown)

    def forward(self, x, h0=None):
        return self._run(x, h0=h0)
