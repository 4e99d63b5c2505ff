"""Exercise 19, rnn: a tanh RNN over a batch-first sequence and backpropagation through time.

Every case gives an initial state h0 (so dh0 is checked too) and has T >= 2
steps except the edge case T = 1, where the recurrent path is empty.
"""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import on_numpy
from minnet.functional import rnn_backward, rnn_forward


def case(n, t, d, h, seed, label, scale=1.0, offset=0.0, gradcheck=False):
    rng = rng_for(seed)
    inputs = {"x": offset + scale * rng.standard_normal((n, t, d)),
              "w_ih": rng.standard_normal((h, d)) / d ** 0.5,
              "w_hh": rng.standard_normal((h, h)) / h ** 0.5,
              "b_ih": 0.3 * rng.standard_normal(h), "b_hh": 0.3 * rng.standard_normal(h),
              "h0": 0.5 * rng.standard_normal((n, h))}
    return Case(label, inputs, seed=seed, gradcheck=gradcheck)


def fixed():
    return [case(2, 3, 4, 3, 1, "N=2, T=3, D=4, H=3", gradcheck=True),
            case(3, 4, 2, 5, 2, "N=3, T=4, D=2, H=5", gradcheck=True),
            case(1, 5, 3, 2, 3, "a longer sequence, T=5")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 3), st.integers(2, 5), st.integers(1, 4), st.integers(1, 4))


def from_params(params, seed):
    return case(*params, seed, "drawn by hypothesis")


def edges():
    return [case(1, 4, 3, 3, 10, "batch of 1"),
            case(2, 1, 3, 4, 11, "a single step, T = 1"),
            case(2, 3, 2, 3, 12, "saturating inputs, x = 100 randn", scale=100.0)]


def probes():
    # x = randn + 2 keeps tanh off its flat tails, where every mutant's gradient is ~0 alike
    return [case(3, 3, 2, 4, 20, "probe: x = randn + 2", offset=2.0),
            case(4, 3, 2, 3, 21, "probe: x = 5 randn + 12", offset=12.0, scale=5.0)]


SPEC = PairSpec("rnn", "rnn_forward", "rnn_backward",
                {"rnn_forward": on_numpy(rnn_forward), "rnn_backward": on_numpy(rnn_backward)},
                ("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"), fixed, strategy, from_params, edges,
                probes)
