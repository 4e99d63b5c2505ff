"""Exercise 6, softmax along an axis (the last by default)."""

from minnet.exercises.specs.activation import activation_spec, case
from minnet.functional import softmax_backward, softmax_forward

OTHER_AXIS = case((2, 3, 4), 13, "axis=1 of a 3-d input", axis=1)

SPEC = activation_spec("softmax", softmax_forward, softmax_backward, extra_edges=[OTHER_AXIS])
