"""Exercise 5, tanh: d tanh(x)/dx = 1 - tanh(x)^2, from the output."""

from minnet.exercises.specs.activation import activation_spec
from minnet.functional import tanh_backward, tanh_forward

SPEC = activation_spec("tanh", tanh_forward, tanh_backward)
