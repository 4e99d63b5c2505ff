"""Argument checks of the recurrent functional entry points, run before any kernel.

The fast pairs hand their arrays to compiled kernels that trust their sizes
(a kernel never raises): a wrong-shaped weight or state would make one read
past the end of an array, and the two backends would then disagree. Every
entry point of ``minnet.functional.rnn``, ``.lstm``, ``.gru`` and
``.recurrent_stack`` calls these first, in Python, so that both backends
raise the same ShapeError or DTypeError, naming the function, the argument,
the expected shape and the given one.
"""

import numpy as np

from minnet.errors import DTypeError, ShapeError
from minnet.validation import check_bool, check_choice

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def gate_rows(gates):
    """The row count of a cell's stacked gates in words: "H", "4H", "3H"."""
    return "H" if gates == 1 else f"{gates}H"


def check_float_array(owner, name, value, dtype=None):
    """Raise DTypeError unless ``value`` is a float32/float64 ndarray (of ``dtype`` if given)."""
    if not isinstance(value, np.ndarray):
        raise DTypeError(f"{owner}: expected {name} as a float32 or float64 ndarray, got "
                         f"{type(value).__name__}")
    if value.dtype not in FLOAT_DTYPES:
        raise DTypeError(f"{owner}: expected {name} of dtype float32 or float64, got "
                         f"{value.dtype}")
    if dtype is not None and value.dtype != dtype:
        raise DTypeError(f"{owner}: expected {name} of dtype {dtype} (every array of one call "
                         f"shares one dtype), got {value.dtype}")


def check_shape(owner, name, value, expected, layout):
    """Raise ShapeError unless ``value.shape == expected``; ``layout`` names the axes."""
    if value.shape != tuple(expected):
        raise ShapeError(f"{owner}: expected {name} of shape {layout} = {tuple(expected)}, got "
                         f"{value.shape}")


def check_recurrent_weights(owner, w_ih, w_hh, b_ih, b_hh, gates, features,
                            names=("w_ih", "w_hh", "b_ih", "b_hh")):
    """Check one direction's four parameters; return H.

    Parameters
    ----------
    owner : the function (or layer) named in messages
    w_ih : (G*H, D); w_hh : (G*H, H); b_ih, b_hh : (G*H,)
    gates : int, G
    features : int, D (the input's last axis)
    names : the four parameters' names in messages
    """
    rows = gate_rows(gates)
    check_float_array(owner, names[1], w_hh)
    if w_hh.ndim != 2 or w_hh.shape[1] < 1 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ShapeError(f"{owner}: expected {names[1]} of shape ({rows}, H) with H >= 1, got "
                         f"{w_hh.shape}")
    hidden = w_hh.shape[1]
    for name, value, expected, layout in (
            (names[0], w_ih, (gates * hidden, features), f"({rows}, D)"),
            (names[2], b_ih, (gates * hidden,), f"({rows},)"),
            (names[3], b_hh, (gates * hidden,), f"({rows},)")):
        check_float_array(owner, name, value, w_hh.dtype)
        check_shape(owner, name, value, expected, layout)
    return hidden


def check_sequence(owner, x, dtype, step=False):
    """Check the input: (N, T, D) with N, T >= 1, or one step (N, D); return (N, D)."""
    check_float_array(owner, "x_t" if step else "x", x, dtype)
    layout = "(N, D)" if step else "(N, T, D)"
    if x.ndim != (2 if step else 3) or 0 in x.shape[:-1]:
        raise ShapeError(f"{owner}: expected {'x_t' if step else 'x'} of shape {layout} with at "
                         f"least one sequence{'' if step else ' and one time step'}, got "
                         f"{x.shape}")
    return x.shape[0], x.shape[-1]


def check_states(owner, states, batch, hidden, dtype):
    """Check initial (or previous) states given by name: each None or (N, H)."""
    for name, state in states.items():
        if state is not None:
            check_float_array(owner, name, state, dtype)
            check_shape(owner, name, state, (batch, hidden), "(N, H)")


def check_cell_arguments(owner, x, weights, gates, states, step=False):
    """Check a pair's (or a step's) x, four weights and states; return (N, H).

    ``weights`` is (w_ih, w_hh, b_ih, b_hh); ``states`` maps names to arrays or None.
    """
    w_hh = weights[1]
    check_float_array(owner, "w_hh", w_hh)
    batch, features = check_sequence(owner, x, w_hh.dtype, step)
    hidden = check_recurrent_weights(owner, *weights, gates, features)
    check_states(owner, states, batch, hidden, w_hh.dtype)
    return batch, hidden


def check_options(owner, return_sequences, nonlinearity=None, choices=()):
    """``return_sequences`` a bool; ``nonlinearity`` (RNN) one of ``choices``."""
    check_bool(owner, "return_sequences", return_sequences)
    if choices:
        check_choice(owner, "nonlinearity", nonlinearity, choices)


def check_upstream(owner, grad_out, batch, steps, hidden, finals=None):
    """Check a backward's upstream gradients before any kernel runs; return grad_out as an array.

    Parameters
    ----------
    grad_out : (N, T, H) for every hidden state, or (N, H) for the last one only
    finals : dict name -> None or (N, H), gradients of the final states
        (``grad_h_n``, ``grad_c_n``)
    """
    grad_out = as_gradient(owner, "grad_out", grad_out)
    if grad_out.shape not in ((batch, steps, hidden), (batch, hidden)):
        raise ShapeError(f"{owner}: expected grad_out of shape (N, T, H) = "
                         f"{(batch, steps, hidden)} or (N, H) = {(batch, hidden)} (the "
                         f"forward output's), got {grad_out.shape}")
    for name, value in (finals or {}).items():
        if value is not None:
            check_shape(owner, name, as_gradient(owner, name, value), (batch, hidden), "(N, H)")
    return grad_out


def as_gradient(owner, name, value):
    """``value`` as an array; DTypeError unless it is numeric (a gradient to cast)."""
    value = np.asarray(value)
    if value.dtype.kind not in "fiub":
        raise DTypeError(f"{owner}: expected {name} as a float array, got dtype {value.dtype}")
    return value
