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
