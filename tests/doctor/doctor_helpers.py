"""Helpers shared by the doctor's test files (imported as ``doctor_helpers``)."""

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear


def codes(findings, minimum=("error", "warning")):
    """The codes of the findings whose severity is in ``minimum``."""
    return [f.code for f in findings if f.severity in minimum]


def mlp(sizes, activation=ReLU, init="he", seed=0, scale=1.0):
    """Linear layers of ``sizes`` with ``activation`` between; weights and biases x ``scale``."""
    rng = np.random.default_rng(seed)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(fan_in, fan_out, init=init, rng=rng))
        if index < len(sizes) - 2:
            layers.append(activation())
    model = Sequential(*layers)
    for param in model.parameters():
        param.data *= scale
    return model


def report_records():
    """Records of a short run, one of each per-step kind, for the report's figures."""
    steps = list(range(20))
    counts, edges = np.histogram(np.random.default_rng(0).normal(size=200), bins=10)
    return {
        "loss": {"step": steps, "train": list(np.linspace(2.3, 0.5, 20)),
                 "val_step": [0, 19], "val": [2.3, 0.7]},
        "activations": {"1 (ReLU)": {"step": [0, 19], "dead_fraction": [0.1, 0.7],
                                     "saturated_fraction": [0.0, 0.0],
                                     "histogram": [(counts, edges), (counts, edges)]}},
        "grad_norm": {"0 (Linear)": {"step": steps, "value": [1.0] * 20}},
        "update_ratio": {"0.weight": {"step": steps, "value": [1e-3] * 20}},
        "weight_std": {"0.weight": {"depth": 0, "step": [0, 19], "value": [0.1, 0.2]}},
    }
