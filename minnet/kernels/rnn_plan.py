"""The vanilla RNN over a whole sequence, fast: the plan of ``minnet.kernels.recurrent_plan``.

Computes what ``minnet.functional.rnn``'s loop of ``rnn_step_forward``
computes (the tests hold the two together), in the step layout (T, H, N), with
the activation's derivative in the kernel ``rnn_activation_backward``. No
argument checks: ``minnet.functional.rnn.rnn_forward`` and the recurrent
stack make them first.
"""

from collections import namedtuple

import numpy as np

import minnet.kernels.recurrent_plan as plan
from minnet.kernels.recurrent import rnn_activation_backward
from minnet.validation import quiet_overflow

RNNSequenceCache = namedtuple("RNNSequenceCache",
                              ["x", "w_ih", "w_hh", "states", "is_tanh", "has_h0"])
RNNSequenceCache.__doc__ = """What ``rnn_sequence_backward`` needs, in the step layout.

x : (N, T, D) the input; w_ih : (H, D); w_hh : (H, H);
states : (T+1, H, N), h0 (zeros when not given) then h_t of every step;
is_tanh : bool, tanh (True) or relu (False); has_h0 : bool, whether h0 was given
(its gradient is returned only then).
"""


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def rnn_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                         return_sequences=True, workspace=None):
    """``minnet.functional.rnn.rnn_forward`` after its checks: same arguments, same returns.

    The cache is an ``RNNSequenceCache``. The forward keeps no buffer in the
    workspace (the argument is there for the stack, which calls every cell alike).
    """
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    projected = plan.input_projection(x, w_ih, b_ih + b_hh)
    states = plan.state_buffer(h0, steps, hidden, batch, w_hh.dtype)
    for t in range(steps):
        state = states[t + 1]
        np.matmul(w_hh, states[t], out=state)
        state += projected[t]
        if nonlinearity == "tanh":
            np.tanh(state, out=state)
        else:
            np.maximum(state, 0, out=state)
    cache = RNNSequenceCache(x, w_ih, w_hh, states, nonlinearity == "tanh", h0 is not None)
    return plan.hidden_outputs(states, return_sequences), cache


def rnn_final_states(cache):
    """The final hidden state h_n of an ``rnn_forward`` call, as a tuple ``(h_n,)`` of (N, H)."""
    return (plan.last_hidden_state(cache.states),)


@quiet_overflow
def rnn_sequence_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """``minnet.functional.rnn.rnn_backward`` after its checks: same arguments, same returns.

    Per step (last to first) da_t = dh_t * act'(a_t) (the kernel) and
    dL/dh_{t-1} = W_hh^T da_t (+ the upstream gradient of h_{t-1}); the
    parameter gradients then sum over all steps at once.
    """
    x, w_ih, w_hh, states, is_tanh, has_h0 = cache
    steps, hidden, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    grad_h, per_step = plan.upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_preact = plan.buffer(workspace, "grad_preact", (steps, hidden, batch), states.dtype)
    flat_grad, flat_states = grad_preact.reshape(steps, -1), states.reshape(steps + 1, -1)
    w_hh_t = w_hh.T
    activation_backward = plan.resolve(rnn_activation_backward)
    flat_h = grad_h.reshape(-1)
    for t in range(steps - 1, -1, -1):
        activation_backward(flat_h, flat_states[t + 1], is_tanh, flat_grad[t])
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_preact[t], out=grad_h)
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked = plan.stack_steps(grad_preact, workspace)
    return (plan.input_gradient(stacked, w_ih, batch), plan.initial_state_gradient(grad_h, has_h0),
            *plan.parameter_gradients(stacked, x, stacked, states, workspace))
