"""AdamW's decoupled weight decay is measured against its Adam step (monitor/records.py).

The update around step() is ``-lr * wd * w`` (the decay) plus the Adam step; the
monitor records the two norms in ``records["regularization"]`` and
``regularization-dominates`` fires when the decay outweighs the step.
"""

import numpy as np
import pytest

from minnet.data import spiral
from minnet.diagnostics import watch
from minnet.losses import CrossEntropyLoss
from minnet.optim import AdamW
from minnet.zoo.base import mlp, train_loop


def watched_adamw(weight_decay, epochs=30):
    X, y = spiral(60, 3, rng=0)
    model = mlp((2, 32, 32, 3), 0)
    optimizer, loss_fn = AdamW(model.parameters(), lr=1e-2, weight_decay=weight_decay), \
        CrossEntropyLoss()
    with watch(model, optimizer, loss_fn, every=5) as watcher:
        train_loop(model, loss_fn, optimizer, X, y, epochs=epochs, batch_size=32, rng=0)
    return watcher.report(), watcher.records


def test_the_decay_and_the_adam_step_are_recorded_on_sampled_steps():
    _, records = watched_adamw(0.01)
    regular = records["regularization"]
    assert regular["step"][:3] == [0, 1, 2]
    ratio = np.array(regular["reg_grad_norm"]) / np.array(regular["data_grad_norm"])
    assert np.all(ratio < 0.1)  # wd = 0.01: the decay is a few thousandths of the step


@pytest.mark.parametrize("weight_decay, fires", [(10.0, True), (0.01, False)])
def test_regularization_dominates_fires_on_a_decay_that_outweighs_the_step(weight_decay, fires):
    report, _ = watched_adamw(weight_decay)
    found = report.by_code("regularization-dominates")
    assert bool(found) == fires, [(f.code, f.evidence) for f in report.findings]
    if fires:
        assert found[0].evidence["decay_over_adam_step"] > 1.0
