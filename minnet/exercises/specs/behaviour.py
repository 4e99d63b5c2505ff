"""Specs graded on behaviour, not values: a random op (dropout) draws its own mask.

A student's mask cannot equal minnet's (another way of drawing gives other
bits), so a ``BehaviourSpec`` turns each raw observation into named yes/no
features (kept entries scaled by 1 / (1 - p), the drop rate near p, the
backward using the forward's mask, ...) and the stages compare those with the
reference's features. Statistical features are NaN on cases too small to
judge them, for the reference and the student alike.
"""

from dataclasses import dataclass

import numpy as np

from minnet.exercises.observe import Observation, observe_pair
from minnet.exercises.spec import PairSpec


@dataclass
class BehaviourSpec(PairSpec):
    forward_features: tuple = ()    # names of the forward's features
    backward_features: tuple = ()   # names of the backward's features
    summarize: object = None        # (spec, fns, case, raw Observation) -> (fwd, bwd) features

    def observe(self, fns, case, with_backward=True):
        raw = observe_pair(self, fns, case, with_backward=True)
        if raw.error or not isinstance(raw.out, np.ndarray):
            return raw
        expected = case.inputs["x"].shape
        shapes = [np.shape(raw.out)] + [np.shape(g) for g in raw.grads]
        if len(raw.grads) != 1 or any(shape != expected for shape in shapes):
            raw.error = (self.forward, "contract", f"and {self.backward} must return arrays "
                         f"of x's shape {expected}, got shapes {shapes}")
            return raw
        forward, backward = self.summarize(self, fns, case, raw)
        return Observation(out=np.array(forward, dtype=np.float64),
                           grads=(np.array(backward, dtype=np.float64),),
                           mutated=raw.mutated, dout=raw.dout)

    def explain(self, what, expected, actual):
        """The first feature that differs from the reference's, in words; None when all agree."""
        names = self.backward_features if what.startswith("d") else self.forward_features
        for name, want, got in zip(names, expected, actual):
            if not (want == got or (np.isnan(want) and np.isnan(got))):
                if np.isnan(want):
                    return f"{name}: this case is too small to judge"
                return f"{name}: expected {'yes' if want else 'no'}, got {'yes' if got else 'no'}"
        return None
