"""What RNN, LSTM and GRU share: arguments, parameters and their names, initialization.

Parameters are PyTorch's, in its order, so that a state dict moves between
minnet and ``torch.nn.RNN``/``LSTM``/``GRU(batch_first=True)`` both ways: for
each layer k, ``weight_ih_l{k}`` (G*H, in_k), ``weight_hh_l{k}`` (G*H, H),
``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G*H,), then the same four with the
suffix ``_reverse`` when bidirectional, then layer k+1. G = 1 (RNN), 4 (LSTM:
gates i, f, g, o), 3 (GRU: r, z, n); in_0 = input_size and in_k = D*H above
(D = 2 directions when bidirectional, else 1).

Initialization (``init=``), of every layer and direction:
- ``"xavier_orthogonal"`` (default), what the debugging checklists recommend
  for recurrent nets (and Keras' default): each gate's input weights Xavier
  (Glorot) uniform, each gate's recurrent (H, H) block orthogonal, so that
  repeated multiplication by W_hh neither grows nor shrinks the state at
  first; biases zero.
- ``"pytorch"``: PyTorch's default, every parameter U(-1/sqrt(H), 1/sqrt(H)).
"""

import warnings

import numpy as np

from minnet.errors import ArgumentError, ShapeError
from minnet.init import orthogonal, xavier_uniform
from minnet.validation import check_bool, check_choice, check_float, check_int

INITS = ("xavier_orthogonal", "pytorch")
OPTIONS = ("dropout", "bidirectional", "return_sequences", "return_state", "init", "rng")

# PyTorch arguments without a counterpart here, and what to do instead
TORCH_ONLY = {
    "batch_first": "minnet's recurrent layers are always batch first, (N, T, input_size), as "
                   "batch_first=True: leave the argument out",
    "bias": "the layers always have their four biases; to do without them, set them to zero "
            "and freeze them (bias_ih_l0.requires_grad = False)",
    "proj_size": "LSTM projections are not implemented",
    "device": "minnet computes on the CPU with NumPy: leave the argument out",
    "dtype": "build the layer, then call .to(np.float32)",
}


def check_arguments(cls, positional, extra, unknown):
    """Refuse positional arguments beyond ``positional`` and unknown keywords, naming ``cls``.

    The message lists the accepted names (and, for PyTorch's arguments that
    minnet lacks, what to do instead), never a private base class.
    """
    name = cls.__name__
    accepted = ", ".join((*positional, *OPTIONS))
    if extra:
        raise ArgumentError(
            f"{name}: takes at most {len(positional)} positional arguments "
            f"({', '.join(positional)}), got {len(positional) + len(extra)}; pass the others "
            f"by keyword. {name} accepts: {accepted} (PyTorch's positional bias and "
            f"batch_first have no counterpart: always with biases, always batch first)")
    if unknown:
        hints = [f"{key}: {TORCH_ONLY[key]}" for key in unknown if key in TORCH_ONLY]
        raise ArgumentError(
            f"{name}: unexpected keyword argument(s) {', '.join(map(repr, unknown))}; {name} "
            f"accepts: {accepted}" + ("".join(f"; {hint}" for hint in hints)))


def check_options(name, input_size, hidden_size, num_layers, dropout, bidirectional,
                  return_sequences, return_state, init):
    """Validate the arguments shared by RNN, LSTM and GRU; return them converted, in order."""
    sizes = [check_int(name, key, value, minimum=1)
             for key, value in (("input_size", input_size), ("hidden_size", hidden_size))]
    num_layers = check_int(name, "num_layers", num_layers, minimum=1)
    dropout = check_float(name, "dropout", dropout, low=0.0, high=1.0, high_open=True)
    if dropout > 0 and num_layers == 1:  # as PyTorch warns
        warnings.warn(f"{name}: dropout applies to the outputs of every layer but the last, so "
                      f"dropout={dropout} does nothing with num_layers=1", UserWarning,
                      stacklevel=4)
    return (*sizes, num_layers, dropout, check_bool(name, "bidirectional", bidirectional),
            check_bool(name, "return_sequences", return_sequences),
            check_bool(name, "return_state", return_state), check_choice(name, "init", init, INITS))


def initial_parameters(init, gates, input_size, hidden, num_layers, directions, rng):
    """Every layer's and direction's four arrays, in PyTorch's order (``parameter_names``).

    Layer 0 reads ``input_size`` features, the others D*H. For one layer and
    one direction the draws are those of earlier minnet versions (same seed,
    same weights).
    """
    arrays = []
    for layer in range(num_layers):
        features = input_size if layer == 0 else directions * hidden
        for _ in range(directions):
            arrays.extend(_one_direction(init, gates, features, hidden, rng))
    return arrays


def _one_direction(init, gates, features, hidden, rng):
    rows = gates * hidden
    if init == "pytorch":  # torch's reset_parameters: every tensor, in this order
        bound = 1.0 / np.sqrt(hidden)
        shapes = [(rows, features), (rows, hidden), (rows,), (rows,)]
        return [rng.uniform(-bound, bound, size=shape) for shape in shapes]
    # gate by gate: each gate is its own affine map of x and of h
    w_ih = np.concatenate([xavier_uniform((hidden, features), rng) for _ in range(gates)])
    w_hh = np.concatenate([orthogonal((hidden, hidden), rng) for _ in range(gates)])
    return [w_ih, w_hh, np.zeros(rows), np.zeros(rows)]


def split_gradient(layer, grad_out, state_count):
    """What backward received, as (gradient of the output or None, final states' or None).

    ``grad_out`` is the output's gradient alone, or, from a layer built with
    ``return_state=True``, PyTorch's structure: ``(grad_output, grad_h_n)``
    (``state_count`` 1: RNN, GRU) or ``(grad_output, (grad_h_n, grad_c_n))``
    (2: LSTM), any part None. The final states' come back as a tuple of
    ``state_count`` entries (arrays or None), or None.
    """
    if not isinstance(grad_out, (tuple, list)):
        return grad_out, None
    structure = ("(grad_output, (grad_h_n, grad_c_n))" if state_count == 2
                 else "(grad_output, grad_h_n)")
    kind = type(grad_out).__name__
    if not layer.return_state:
        raise ShapeError(f"{layer!r}: backward received a {kind}, but forward returned the "
                         f"output alone (return_state=False); pass the output's gradient alone")
    if len(grad_out) != 2:
        raise ShapeError(f"{layer!r}: expected grad_out as the output's gradient or as "
                         f"{structure}, got a {kind} of length {len(grad_out)}")
    grad_output, grad_state = grad_out
    if state_count == 1:
        return grad_output, (grad_state,)
    if grad_state is None:
        return grad_output, None
    if not isinstance(grad_state, (tuple, list)) or len(grad_state) != 2:
        raise ShapeError(f"{layer!r}: expected grad_out as {structure}, with a pair "
                         f"(grad_h_n, grad_c_n) (either may be None), got "
                         f"{type(grad_state).__name__} as its second item")
    return grad_output, tuple(grad_state)
