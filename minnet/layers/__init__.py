"""Layers: thin modules that own Parameters and call the functional pairs."""

from minnet.layers.linear import Linear  # noqa: F401
