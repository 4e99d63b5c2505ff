"""The fast whole-sequence plan that the recurrent cells (RNN, LSTM, GRU) share.

``minnet.functional.rnn``, ``.lstm`` and ``.gru`` hold the maths: a textbook
step pair and the time loop over it. Their public ``*_forward``/``*_backward``
check the arguments and then run the same computation by this plan (the cells'
own parts are ``rnn_plan``, ``lstm_plan`` and ``gru_plan`` beside this file),
which keeps the matrix products large where they can be and in NumPy/BLAS
everywhere:

1. the input projection ``W_ih x + b`` of ALL time steps in one call;
2. per step, one (G*H, H) @ (H, N) matmul and the fused gate kernel
   (``minnet.kernels.recurrent``), with NumPy's vectorized ``tanh``;
3. backward, per step, the kernel and one (H, G*H) @ (G*H, N) matmul; then the
   weight gradients of all steps at once, each one large matmul over the
   stacked steps.

G is the number of gates: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).
Nothing here validates: the callers (the functional pairs and
``minnet.functional.recurrent_stack``) check every argument first, and a
kernel trusts the sizes it is given.

Layout. The public functions take and return batch-first arrays, (N, T, ...),
as ``batch_first=True`` does in PyTorch. Inside, a step's arrays are
"units x batch", (H, N) and (G*H, N), stacked over time as (T, H, N): each
step's block is contiguous (the kernels see it as one flat array) and each
gate's block of rows too, and the per-step product W_hh @ h has its large
(G*H, H) operand on the left, which OpenBLAS runs faster than h @ W_hh.T.

Workspace. The plan takes ``workspace=None`` or a dict in which it keeps its
large buffers between calls (a layer passes its own): without one, a training
step allocates and frees several MB, which the C library hands back to the
system and faults in again at the next step (benchmarks/README.md, "Recurrent
layers", has the measurement). This is the one exception to the functional
pairs' "no state": with a workspace the cache and the returned weight
gradients refer to its buffers, so they stay valid only until the next call
with it. A layer keeps one workspace per layer and direction, passes them to
a forward only when no other forward of the layer waits for its backward (a
decoder loop's second call gets fresh buffers, so the first call's cache
survives), and adds the gradients into ``.grad`` at once. Forward and
backward use buffers of different names, so a backward may always use the
workspace.
"""

import numpy as np

from minnet.kernels.backend import get_backend


def resolve(kernel, dtype=None, compiled_dtypes=None):
    """The kernel's implementation on the active backend, looked up once per sequence.

    A time loop calls its kernels T times; one lookup instead of T saves the
    backend dispatch of every call. With ``compiled_dtypes``, the numba twin
    runs only for those dtypes, the reference for the others (a twin whose
    float64 is exact but slow).
    """
    if compiled_dtypes is not None and dtype not in compiled_dtypes:
        return kernel.reference
    return kernel.compiled if get_backend() == "numba" else kernel.reference


def buffer(workspace, name, shape, dtype):
    """An uninitialized array of ``shape``: ``workspace[name]`` when it fits, else a new one.

    ``workspace`` is a dict owned by the caller, or None for a fresh array every time.
    """
    if workspace is None:
        return np.empty(shape, dtype=dtype)
    found = workspace.get(name)
    if found is None or found.shape != tuple(shape) or found.dtype != dtype:
        found = workspace[name] = np.empty(shape, dtype=dtype)
    return found


def sigmoid_row_scale(gate_kinds, hidden, dtype):
    """(G*H,) scale: 0.5 on the rows of sigmoid gates, 1 on tanh gates.

    A sigmoid gate is computed as ``0.5 + 0.5 * tanh(a / 2)``; halving its
    weight rows and bias halves ``a`` exactly (a power of two), so one
    ``np.tanh`` covers every gate of a step.

    Parameters
    ----------
    gate_kinds : str, one letter per gate, "s" (sigmoid) or "t" (tanh), e.g. "ssts"
    hidden : int, H
    """
    return np.repeat(np.array([0.5 if kind == "s" else 1.0 for kind in gate_kinds],
                              dtype=dtype), hidden)


def scaled_rows(weight, scale, workspace, name):
    """``weight * scale`` (rows scaled, ``scale`` of shape (rows, 1)) in a workspace buffer."""
    return np.multiply(weight, scale, out=buffer(workspace, name, weight.shape, weight.dtype))


def input_projection(x, w_ih, bias, workspace=None):
    """``W_ih x_t + bias`` for every step at once, in the step layout.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (G*H, D)
    bias : (G*H,), or None to leave it out (a kernel adds it per step)
    workspace : dict or None (see the module docstring)

    Returns
    -------
    (T, G*H, N), contiguous
    """
    batch, steps, _ = x.shape
    projected = buffer(workspace, "projected", (steps, w_ih.shape[0], batch), w_ih.dtype)
    # x_t^T is a strided view that BLAS reads as it is: copying x to (T, D, N) first was slower
    np.matmul(w_ih, x.transpose(1, 2, 0), out=projected)
    if bias is not None:
        projected.reshape(steps, -1)[...] += step_bias(bias, batch)
    return projected


def step_bias(bias, batch):
    """(G*H,) -> (G*H*N,): the bias in a step's flat (G*H, N) layout.

    bias[:, None] would broadcast over rows of only N values, many short
    passes; repeated to the flat layout it adds in long contiguous runs.
    """
    return np.repeat(bias, batch)


def state_buffer(state, steps, hidden, batch, dtype, workspace=None, name="states"):
    """A (T+1, H, N) buffer whose slot 0 holds the initial state (N, H) (zeros when None)."""
    states = buffer(workspace, name, (steps + 1, hidden, batch), dtype)
    states[0] = 0 if state is None else state.T
    return states


def hidden_outputs(states, return_sequences):
    """The output from the (T+1, H, N) states: every h_t as (N, T, H), or the last as (N, H).

    Always a new array (never a view of the cache, which backward still needs).
    """
    if return_sequences:
        return states[1:].transpose(2, 0, 1).copy()
    return states[-1].T.copy()


def last_hidden_state(states):
    """The final hidden state h_n as (N, H), a new array, from the (T+1, H, N) states."""
    return states[-1].T.copy()


def upstream_gradients(grad_out, steps, dtype, workspace=None, grad_h_n=None):
    """Split ``grad_out`` into the last step's gradient and the others', in the step layout.

    Parameters
    ----------
    grad_out : (N, T, H) for every hidden state, or (N, H) for the last one only
    grad_h_n : (N, H) or None, a gradient of the final hidden state from
        elsewhere (the layer returned it as h_n): it adds to the last step's

    Returns
    -------
    last : (H, N), a new contiguous array (the time loop accumulates into it)
    per_step : (T, H, N), or None when only the last state receives a gradient
    """
    grad_out = np.asarray(grad_out, dtype=dtype)
    if grad_out.ndim == 2:
        last, per_step = grad_out.T.copy(), None  # a copy even when N == 1 makes .T contiguous
    else:
        batch, _, hidden = grad_out.shape
        per_step = buffer(workspace, "per_step", (steps, hidden, batch), dtype)
        np.copyto(per_step, grad_out.transpose(1, 2, 0))
        last = per_step[steps - 1].copy()
    if grad_h_n is not None:
        last += np.asarray(grad_h_n, dtype=dtype).T
    return last, per_step


def stack_steps(per_step, workspace=None, name="stacked"):
    """(T, R, N) -> (R, T*N): every step side by side, for one large matmul."""
    steps, rows, batch = per_step.shape
    stacked = buffer(workspace, name, (rows, steps, batch), per_step.dtype)
    np.copyto(stacked, per_step.transpose(1, 0, 2))
    return stacked.reshape(rows, steps * batch)


def parameter_gradients(grad_ih, x, grad_hh, states, workspace=None):
    """The four parameter gradients, summed over steps and batch in one matmul each.

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, so dW_ih = sum_t da_t x_t^T,
    dW_hh = sum_t da_t h_{t-1}^T and the biases get sum_t da_t. Stacking the
    steps side by side turns each sum into a single (G*H, T*N) @ (T*N, D) product.

    Parameters
    ----------
    grad_ih : (G*H, T*N), ``stack_steps`` of dL/d(W_ih x_t + b_ih)
    x : (N, T, D)
    grad_hh : (G*H, T*N), the same for W_hh h_{t-1} + b_hh (the same array for RNN, LSTM)
    states : (T+1, H, N), h_{-1} = h0, h_0, ..., h_{T-1}
    workspace : dict or None (see the module docstring); with one, the two weight
        gradients are its buffers, valid until the next call (a layer adds them
        into ``.grad`` at once)

    Returns
    -------
    grad_w_ih (G*H, D), grad_w_hh (G*H, H), grad_b_ih (G*H,), grad_b_hh (G*H,)
    """
    batch, steps, features = x.shape
    hidden = states.shape[1]
    x_rows = buffer(workspace, "x_rows", (steps, batch, features), grad_ih.dtype)
    np.copyto(x_rows, x.transpose(1, 0, 2))
    state_rows = buffer(workspace, "state_rows", (steps, batch, hidden), grad_ih.dtype)
    np.copyto(state_rows, states[:-1].transpose(0, 2, 1))
    grad_w_ih = np.matmul(grad_ih, x_rows.reshape(steps * batch, features),
                          out=buffer(workspace, "grad_w_ih", (grad_ih.shape[0], features),
                                     grad_ih.dtype))
    grad_w_hh = np.matmul(grad_hh, state_rows.reshape(steps * batch, hidden),
                          out=buffer(workspace, "grad_w_hh", (grad_hh.shape[0], hidden),
                                     grad_hh.dtype))
    grad_b_ih = grad_ih.sum(axis=1)
    grad_b_hh = grad_b_ih.copy() if grad_hh is grad_ih else grad_hh.sum(axis=1)
    return grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh


def input_gradient(grad_ih, w_ih, batch):
    """dL/dx_t = W_ih^T da_t for every step at once: (G*H, T*N) -> (N, T, D)."""
    grad_x = grad_ih.T @ w_ih  # (T*N, D)
    return grad_x.reshape(-1, batch, w_ih.shape[1]).transpose(1, 0, 2)


def initial_state_gradient(grad_h, has_state):
    """dL/d(initial state) as (N, H) from the (H, N) loop buffer, or None without one."""
    return grad_h.T.copy() if has_state else None
