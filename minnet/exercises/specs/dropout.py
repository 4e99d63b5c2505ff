"""Exercise 11, dropout: inverted dropout, graded on behaviour (statistics and mask consistency).

Every case passes ``rng`` as an integer seed, so a solution that draws from
``np.random.default_rng(rng)`` is deterministic and can be gradchecked. Every
training case has at least 48 entries, so that no draw keeps or drops them all
(which would make the features below coincide): at p = 0.3 that has
probability 1e-7, and the drawn cases are fixed.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.specs.behaviour import BehaviourSpec
from minnet.functional import dropout_backward, dropout_forward

LARGE = 5000  # entries from which the drop rate is judged (its sd at p = 0.5 is 0.007)
RATE_TOLERANCE = 0.03

FORWARD = ("the output equals x",
           "every output is 0 or x / (1 - p)",
           "the fraction dropped is p (within 0.03)",
           "the fraction dropped is 1 - p (within 0.03)",
           "the output equals x * (1 - p)",
           "the same rng seed gives the same output")
BACKWARD = ("dx = grad_out / (1 - p) where the forward kept x, else 0",
            "dx equals grad_out",
            "dx = grad_out where the forward kept x, else 0")


def _close(a, b):
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def summarize(spec, fns, case, raw):
    x, p = case.inputs["x"], case.inputs["p"]
    out, dx, dout = raw.out, raw.grads[0], raw.dout
    kept = out != 0
    scale = 1 / (1 - p)
    dropped = 1 - kept.mean()
    judged = x.size >= LARGE
    again = spec.observe_forward_again(fns, case)
    forward = [_close(out, x), _close(np.where(kept, out, x * scale), x * scale),
               abs(dropped - p) <= RATE_TOLERANCE if judged else np.nan,
               abs(dropped - (1 - p)) <= RATE_TOLERANCE if judged else np.nan,
               _close(out, x * (1 - p)),
               again is not None and _close(again, out)]
    backward = [_close(dx, np.where(kept, dout * scale, 0)), _close(dx, dout),
                _close(dx, np.where(kept, dout, 0))]
    return forward, backward


def case(shape, p, seed, label, training=True, gradcheck=False):
    x = rng_for(seed).standard_normal(shape)
    x[x == 0] = 1.0  # a zero input would look dropped
    return Case(label, {"x": x, "p": p, "training": training, "rng": seed}, seed=seed,
                gradcheck=gradcheck)


def fixed():
    return [case((6, 8), 0.3, 1, "small batch, p = 0.3", gradcheck=True),
            case((100, 60), 0.2, 2, "6000 entries, p = 0.2"),
            case((80, 80), 0.5, 3, "6400 entries, p = 0.5")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 4), st.integers(100, 160),
                     st.sampled_from([0.1, 0.3, 0.5, 0.7]))


def from_params(params, seed):
    rows, cols, p = params
    return case((rows, cols), p, seed, "drawn by hypothesis")


def edges():
    return [case((60, 100), 0.25, 10, "evaluation mode (training=False)", training=False),
            case((3, 4), 0.0, 11, "p = 0"),
            case((1, 6000), 0.7, 12, "batch of 1, p = 0.7")]


class DropoutSpec(BehaviourSpec):
    def observe_forward_again(self, fns, case):
        """The forward's output for a second call with the same seed (None if it fails)."""
        try:
            with np.errstate(all="ignore"):
                out, _ = fns[self.forward](*case.copy_inputs().values())
            return np.asarray(out, dtype=np.float64)
        except Exception:  # the first call's error is the one reported
            return None


SPEC = DropoutSpec("dropout", "dropout_forward", "dropout_backward",
                   {"dropout_forward": dropout_forward, "dropout_backward": dropout_backward},
                   ("x",), fixed, strategy, from_params, edges,
                   forward_features=FORWARD, backward_features=BACKWARD, summarize=summarize)
