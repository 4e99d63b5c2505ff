"""Common-check cases for Reshape (Flatten's are in test_common_layer_checks.py)."""

from minnet.layers.reshape import Reshape

CASES = [
    (lambda seed: Reshape(1, 6), (4, 6)),
    (lambda seed: Reshape(3, -1), (4, 2, 3)),
]
