"""Random number generators: ``rng=`` everywhere, ``mn.seed(n)`` for the default.

Every stochastic constructor takes ``rng``: ``None`` (draw from the default
generator), an ``int`` seed, or a ``numpy.random.Generator`` (used as is,
shared, not copied). ``seed(n)`` replaces the default generator, so that
``mn.seed(0)`` followed by the same program gives bit-identical results.
"""

import numpy as np

from minnet.errors import ConfigError

_default_generator = np.random.default_rng()


def seed(n):
    """Seed the default generator used wherever ``rng=None``.

    Parameters
    ----------
    n : int
        A non-negative integer seed.
    """
    global _default_generator
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ConfigError(f"seed(n): expected a non-negative int, got {n!r}")
    _default_generator = np.random.default_rng(int(n))


def default_generator():
    """Return the current default ``numpy.random.Generator``."""
    return _default_generator


def make_rng(rng=None):
    """Turn an ``rng=`` argument into a ``numpy.random.Generator``.

    ``None`` gives a new generator seeded from the default one, so that layers
    built after ``mn.seed(n)`` are reproducible but independent of each other;
    an int gives ``default_rng(int)``; a Generator is returned unchanged.
    """
    if rng is None:
        return np.random.default_rng(_default_generator.integers(2**63))
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ConfigError(
        f"rng: expected None, a non-negative int seed or a numpy.random.Generator, "
        f"got {rng!r}"
    )
