"""Exercise 3, relu: the kink at 0 gets gradient 0, as in PyTorch."""

from minnet.exercises.specs.activation import activation_spec, values_case
from minnet.functional import relu_backward, relu_forward

KINK = values_case([[0.0, -1.0, 0.0, 2.0], [3.0, 0.0, -0.0, -2.0], [0.0, 0.0, 1.0, -1.0]], 12,
                   "the kink: x exactly 0")

SPEC = activation_spec("relu", relu_forward, relu_backward, extra_edges=[KINK])
