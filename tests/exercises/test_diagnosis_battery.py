"""The diagnosis's probe battery: every exercise whose values matter has a probe with
x = 5 randn + 12, non-square, N >= 3 (a transpose changes shape, an offset shows a lost mean)."""

import numpy as np
import pytest

from minnet.exercises import load_exercises
from minnet.exercises.spec import load_spec

PROBED = ("x", "x_t", "logits", "grad", "v")  # the input the battery shifts and scales
EXEMPT = {
    "numerical-gradient": "its cubic test functions are the input; x is uniform(-1, 1) by design",
    "dropout": "graded on behaviour (drop rate, mask use): values enter no feature",
    "clip-grad-norm": "three gradients of fixed shapes; a shift only moves the total norm",
    "embedding": "the input is ids; the gradient never reads the table's values",
}


@pytest.mark.parametrize("name", [n for n in load_exercises() if n not in EXEMPT])
def test_the_battery_has_a_shifted_non_square_probe(name):
    found = []
    for case in load_spec(name).probes():
        x = next((case.inputs[k] for k in PROBED if k in case.inputs), None)
        if "5 randn + 12" in case.label and isinstance(x, np.ndarray) and x.ndim >= 2:
            found.append(x)
    assert found, f"{name}: no probe labelled 5 randn + 12"
    x = found[0]
    assert x.shape[0] >= 3 and x.shape[-1] != x.shape[-2], x.shape
    assert abs(x.mean() - 12) < 5 and 2.5 < x.std() < 8, (x.mean(), x.std())  # as labelled


def test_the_exemptions_are_exercises():
    assert set(EXEMPT) <= set(load_exercises())
