"""Exercise 20, lstm-step: one LSTM step (PyTorch's gate order i, f, g, o) and its backward.

The forward returns (h, c, cache), so the checker stacks h and c into one
output (index 0 is h, 1 is c) and hands the backward grad_h and grad_c.
"""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.functional.lstm import lstm_step_backward, lstm_step_forward


def case(n, d, h, seed, label, scale=1.0, offset=0.0, gradcheck=False):
    rng = rng_for(seed)
    inputs = {"x_t": offset + scale * rng.standard_normal((n, d)),
              "h_prev": 0.5 * rng.standard_normal((n, h)),
              "c_prev": rng.standard_normal((n, h)),
              "w_ih": rng.standard_normal((4 * h, d)) / d ** 0.5,
              "w_hh": rng.standard_normal((4 * h, h)) / h ** 0.5,
              "b_ih": 0.3 * rng.standard_normal(4 * h), "b_hh": 0.3 * rng.standard_normal(4 * h)}
    return Case(label, inputs, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case(2, 3, 4, 1, "N=2, D=3, H=4", gradcheck=True),
            case(3, 5, 2, 2, "N=3, D=5, H=2", gradcheck=True),
            case(4, 2, 3, 3, "N=4, D=2, H=3")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5))


def from_params(params, seed):
    return case(*params, seed, "drawn by hypothesis")


def edges():
    return [case(1, 3, 3, 10, "batch of 1"),
            case(2, 3, 2, 11, "saturating inputs, x = 100 randn",
                 scale=100.0),
            case(2, 2, 1, 12, "H = 1")]


def probes():
    # x = randn + 2 keeps the gates off their flat tails, where every mutant's gradient is ~0
    return [case(3, 2, 3, 20, "probe: x = randn + 2", offset=2.0),
            case(4, 3, 2, 21, "probe: x = 5 randn + 12", offset=12.0, scale=5.0)]


SPEC = PairSpec("lstm-step", "lstm_step_forward", "lstm_step_backward",
                {"lstm_step_forward": lstm_step_forward,
                 "lstm_step_backward": lstm_step_backward},
                ("x_t", "h_prev", "c_prev", "w_ih", "w_hh", "b_ih", "b_hh"), fixed, strategy,
                from_params, edges, probes, outputs=2)
