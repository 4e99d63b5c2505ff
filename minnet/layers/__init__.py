"""Layers: thin modules that own Parameters, call a functional pair and keep its cache."""

from minnet.layers.activations import (  # noqa: F401
    ELU,
    GELU,
    Activation,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from minnet.layers.linear import Linear  # noqa: F401
from minnet.layers.reshape import Flatten, Reshape  # noqa: F401
from minnet.layers.residual import Residual  # noqa: F401
