"""Exercise 4, sigmoid: s = 1 / (1 + exp(-x)) without overflow, ds/dx = s (1 - s)."""

from minnet.exercises.specs.activation import activation_spec
from minnet.functional import sigmoid_backward, sigmoid_forward

SPEC = activation_spec("sigmoid", sigmoid_forward, sigmoid_backward)
