"""No raw NumPy RuntimeWarning reaches the user while the doctor probes a broken model.

The doctor runs broken setups on purpose (overflowing weights, NaN inputs,
exploding RNNs); what it finds goes into the report, never onto stderr as
"RuntimeWarning: overflow encountered in matmul".
"""

import warnings

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.data import spiral
from minnet.diagnostics import doctor
from minnet.layers import Linear, ReLU
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.zoo import EXAMPLES
from minnet.zoo.report import run_example

pytestmark = pytest.mark.usefixtures("mnist1d_cache")


def caught(function):
    """The warnings ``function()`` emits (all of them, none filtered away)."""
    with warnings.catch_warnings(record=True) as emitted:
        warnings.simplefilter("always")
        function()
    return [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in emitted]


@pytest.mark.parametrize("name", ["lr-x100", "nan-in-inputs", "exploding-rnn", "vanishing-rnn"])
def test_broken_zoo_setups_emit_no_warning(name):
    assert caught(lambda: run_example(EXAMPLES[name], 0)) == []


def test_inputs_times_a_million_emit_no_warning():
    X, y = spiral(60, 3, rng=0)
    model = Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 3, rng=1))
    optimizer = SGD(model.parameters(), lr=0.1)
    emitted = caught(lambda: doctor(model, CrossEntropyLoss(), X * 1e6, y, optimizer=optimizer,
                                    steps=40))
    assert emitted == []


def test_the_check_can_fail():
    # The helper sees a warning NumPy emits outside an errstate block.
    with np.errstate(all="warn"):
        assert caught(lambda: np.log(np.zeros(1)))
