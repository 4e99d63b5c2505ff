"""The inputs a check feeds to a solution, and the hypothesis-drawn ones.

A ``Case`` is one call: its named inputs (passed positionally, in order), a
label saying what it probes, and whether it runs under
``np.errstate(over/divide/invalid="raise")`` (the |x| = 1000 edge cases:
underflow to 0 stays allowed). Every case owns a seed for its random upstream
gradient, so the same case always gets the same ``dout``.
"""

from dataclasses import dataclass, field

import numpy as np

STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}
DRAWN_CASES = 25  # hypothesis examples per check


@dataclass
class Case:
    label: str
    inputs: dict
    strict: bool = False       # run under STRICT errstate
    seed: int = 0              # draws dout
    gradcheck: bool = False    # stage 3(a) runs on this case
    kind: str = "fixed"        # "fixed", "drawn", "edge" or "probe"
    options: dict = field(default_factory=dict)  # keyword arguments, not shown as inputs

    def describe(self):
        """'x of shape (1, 5), w of shape (3, 5)' (non-arrays by value)."""
        parts = []
        for name, value in self.inputs.items():
            if isinstance(value, np.ndarray):
                parts.append(f"{name} of shape {value.shape}")
            elif isinstance(value, tuple) and all(isinstance(v, np.ndarray) for v in value):
                parts.append(f"{name} of shapes {', '.join(str(v.shape) for v in value)}")
            elif not callable(value):
                parts.append(f"{name}={value!r}")
        return ", ".join(parts + [f"{k}={v!r}" for k, v in self.options.items()])

    def copy_inputs(self):
        return {name: value.copy() if isinstance(value, np.ndarray) else value
                for name, value in self.inputs.items()}


def rng_for(*key):
    """A generator seeded from small integers: the same key, the same draws."""
    return np.random.default_rng([20_240_607, *key])


def drawn_params(key, make_strategy, count=DRAWN_CASES):
    """``count`` examples of the hypothesis strategy ``make_strategy()``, the same on every run.

    derandomize=True fixes the examples; shrinking is off (phases=generate)
    because the checker reports the first failing case itself. Drawn once
    per process and ``key`` (the exercise's name).
    """
    if key not in _DRAWN:
        _DRAWN[key] = _draw(make_strategy(), count)
    return _DRAWN[key]


_DRAWN = {}


def _draw(strategy, count):
    from hypothesis import Phase, given, settings

    found = []

    @settings(derandomize=True, max_examples=count, database=None, deadline=None,
              phases=[Phase.generate])
    @given(strategy)
    def collect(params):
        if params not in found:
            found.append(params)

    collect()
    return tuple(found)
