"""What every common layer check shares: building the layer, its input, and the failure.

A check receives ``layer``, either a Module instance (deep-copied, never
modified; pass a fresh one that has never run forward) or a factory
``seed -> Module`` (``lambda seed: Linear(3, 4, rng=seed)``), which also lets
``check_determinism`` rebuild the layer from the same seed.

Inputs come from ``make_input``: standard normal values pushed to |x| >= 0.1,
away from the kinks of ReLU-like layers; ``input_fn(shape, rng) -> array``
replaces it (integer indices for Embedding).
"""

import copy

import numpy as np

from minnet.core import Module
from minnet.errors import ConfigError, LayerCheckError, MinnetError  # noqa: F401 (re-exported)
from minnet.validation import owner_name

DEFAULT_SEED = 0


def make_input(input_shape, rng, dtype=np.float64, input_fn=None):
    """A test input of ``input_shape``; float inputs are cast to ``dtype``."""
    if input_fn is not None:
        x = np.asarray(input_fn(tuple(input_shape), rng))
    else:
        x = np.asarray(rng.standard_normal(tuple(input_shape)))
        x = x + np.where(x >= 0, 0.1, -0.1)  # |x| >= 0.1: no entry sits on a kink at 0
    return x.astype(dtype) if x.dtype.kind == "f" else x


def start_check(layer, rng):
    """(fresh module, generator, seed) for one check; ``rng=None`` is a fixed seed."""
    generator = np.random.default_rng(DEFAULT_SEED if rng is None else rng)
    seed = int(generator.integers(2**31))
    return build_layer(layer, seed), generator, seed


def build_layer(layer, seed):
    """A deep copy of an instance, or ``factory(seed)``."""
    if isinstance(layer, Module):
        return copy.deepcopy(layer)
    if callable(layer):
        module = layer(seed)
        if isinstance(module, Module):
            return module
        raise ConfigError(f"layer checks: expected the factory to return a Module, got "
                          f"{type(module).__name__}")
    raise ConfigError(f"layer checks: expected a Module or a factory seed -> Module, got "
                      f"{type(layer).__name__}")


def describe(module):
    """The one-line repr for messages, or the class name when repr itself is broken."""
    try:
        return owner_name(module)
    except Exception:
        return f"{type(module).__name__} (whose repr raises)"


def fail(check, module, problem):
    """Raise LayerCheckError: the check, the layer (one-line repr), the problem."""
    raise LayerCheckError(f"{check}: {describe(module)}: {problem}")


def upstream_gradient(out, generator):
    """A random upstream gradient of the output's shape and dtype (never ones)."""
    return generator.standard_normal(np.shape(out)).astype(np.asarray(out).dtype)


def max_change(a, b):
    """max |a - b|, for messages."""
    return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float)), initial=0.0))


def names_the_layer(message, module):
    """True when the message names the module or one of its submodules (the one that raised)."""
    return any(type(sub).__name__ in message for sub in module.modules())
