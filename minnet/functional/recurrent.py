"""What the recurrent cells (RNN, LSTM, GRU) share: layouts, projections, weight gradients.

Every fast cell runs the same plan, which keeps the matrix products large where
they can be and in NumPy/BLAS everywhere:
1. the input projection ``W_ih x + b`` of ALL time steps in one call;
2. per step, one (G*H, H) @ (H, N) matmul and the fused gate kernel
   (``minnet.kernels.recurrent``), with NumPy's vectorized ``tanh``;
3. backward, per step, the kernel and one (H, G*H) @ (G*H, N) matmul; then the
   weight gradients of all steps at once, each one large matmul over the
   stacked steps.
G is the number of gates: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).

Layout. The public functions take and return batch-first arrays, (N, T, ...),
as ``batch_first=True`` does in PyTorch. Inside, a step's arrays are
"units x batch", (H, N) and (G*H, N), stacked over time as (T, H, N): each
step's block is contiguous (the kernels see it as one flat array) and each
gate's block of rows too, and the per-step product W_hh @ h, with its
(G*H, H) operand on the left, runs about 1.5x faster on two BLAS threads
than h @ W_hh.T does here.

Workspace. The fast pairs take ``workspace=None`` or a dict in which they
keep their large buffers between calls (a layer passes its own). A training
step otherwise allocates and frees several MB, which glibc hands back to the
system and faults in again at the next step: about 900 page faults and 15%
of an LSTM training step (6.1 -> 5.1 ms, embedding-LSTM(128)-linear, float32).
With a workspace the cache and the returned weight gradients refer to its
buffers, so they stay valid only until the next call with it: a layer keeps
one workspace per layer and direction, passes them to a forward only when no
other forward of the layer waits for its backward (a decoder loop's second
call gets fresh buffers, so the first call's cache survives), and adds the
gradients into ``.grad`` at once. Forward and backward use buffers of
different names, so a backward may always use the workspace.

The cells themselves: ``minnet.functional.rnn``, ``.lstm`` and ``.gru``.
"""

import numpy as np

from minnet.kernels.backend import get_backend


def resolve(kernel):
    """The kernel's implementation on the active backend, looked up once per sequence.

    A time loop calls its kernels T times; dispatching once saves the
    per-call backend lookup (about 1.5 us a call, 2% of an LSTM training step).
    """
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
    bias : (G*H,)
    workspace : dict or None (see the module docstring)

    Returns
    -------
    (T, G*H, N), contiguous
    """
    batch, steps, features = x.shape
    x_steps = buffer(workspace, "x_steps", (steps, features, batch), w_ih.dtype)
    np.copyto(x_steps, x.transpose(1, 2, 0))
    projected = buffer(workspace, "projected", (steps, w_ih.shape[0], batch), w_ih.dtype)
    np.matmul(w_ih, x_steps, out=projected)
    # bias[:, None] would broadcast over rows of only N values (slow: ~3x the matmul's
    # time); the bias repeated to a step's flat layout adds in long contiguous runs
    flat = projected.reshape(steps, -1)  # a view
    flat += np.repeat(bias, batch)
    return projected


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


def final_cell_gradient(grad_c_n, like):
    """The LSTM's starting dL/dc in the (H, N) loop layout: ``grad_c_n`` (N, H), or zeros."""
    if grad_c_n is None:
        return np.zeros_like(like)
    return np.asarray(grad_c_n, dtype=like.dtype).T.copy()


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


def sigmoid(x):
    """The logistic function, without overflow for large |x| (the naive cells use it)."""
    out = np.exp(-np.logaddexp(0, -x))
    return out.astype(x.dtype, copy=False)


def naive_initial_state(state, batch, hidden, dtype):
    """The naive loops' starting state: ``state`` itself, or zeros (N, H)."""
    return np.zeros((batch, hidden), dtype=dtype) if state is None else state


def naive_unroll(step_forward, x, states, return_sequences):
    """The textbook forward: ``step_forward(x_t, *states) -> (*states, cache)`` over time.

    ``states`` are the initial states, the hidden state first ((h,) or (h, c),
    each (N, H)). Returns (the stacked hidden states (N, T, H) or the last
    (N, H), the list of per-step caches).
    """
    outputs, caches = [], []
    for t in range(x.shape[1]):
        *states, step_cache = step_forward(x[:, t], *states)
        outputs.append(states[0])
        caches.append(step_cache)
    last = np.stack(outputs, axis=1) if return_sequences else outputs[-1].copy()
    return last, caches


def naive_backprop_through_time(step_backward, grad_out, caches, state_count, finals=()):
    """The textbook backward: ``step_backward(*grad_states, cache) -> (dx_t, *grad_states,
    *parameter grads)`` from the last step to the first.

    ``grad_out`` is (N, T, H) (every hidden state is used) or (N, H) (the last).
    ``finals`` are the gradients of the final states (h_n, and c_n for the
    LSTM), each (N, H) or None: they start the loop. Going back one step, dL/dh
    gains the gradient of that step's own output; the cell state (LSTM) has
    none. Returns (dx (N, T, D), the gradients of the initial states, the
    parameter gradients summed over time).
    """
    if grad_out.ndim == 2:
        grad_h, per_step = grad_out.copy(), None
    else:
        grad_h, per_step = grad_out[:, len(caches) - 1].copy(), grad_out
    grad_states = [grad_h] + [np.zeros_like(grad_h) for _ in range(state_count - 1)]
    for grad_state, final in zip(grad_states, finals):
        if final is not None:
            grad_state += final
    grad_x, totals = [], None
    for t in reversed(range(len(caches))):
        grad_x_t, *rest = step_backward(*grad_states, caches[t])
        grad_states, grads = rest[:state_count], rest[state_count:]
        if per_step is not None and t > 0:
            grad_states[0] = grad_states[0] + per_step[:, t - 1]
        grad_x.append(grad_x_t)
        totals = grads if totals is None else [a + b for a, b in zip(totals, grads)]
    return np.stack(grad_x[::-1], axis=1), grad_states, totals
