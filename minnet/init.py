"""Weight initializers: each fills an array of a given shape from an rng.

``fan_in`` and ``fan_out`` follow PyTorch: for a weight of shape
(out, in, *kernel), fan_in = in * prod(kernel), fan_out = out * prod(kernel).
Gains: ReLU sqrt(2) (He), tanh/linear 1 (Glorot, LeCun).

Every function takes ``(shape, rng=None, dtype=np.float64)`` and returns a
new array; ``Linear(init="he")`` looks one up by name in ``INITIALIZERS``.
"""

import numpy as np

from minnet.errors import ConfigError
from minnet.random import make_rng

SQRT_2 = float(np.sqrt(2.0))  # the ReLU gain


def fans(shape):
    """Return ``(fan_in, fan_out)`` of a weight shaped (out, in, *kernel) or (n,)."""
    if len(shape) == 0:
        raise ConfigError("init: cannot compute fans of a scalar shape ()")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def zeros(shape, rng=None, dtype=np.float64):
    """All zeros (right for biases; wrong for weights: every unit stays identical)."""
    return np.zeros(shape, dtype=dtype)


def normal(shape, rng=None, dtype=np.float64, std=0.01):
    """N(0, std^2): CS231n's ``0.01 * randn``, too small for deep nets."""
    return (make_rng(rng).standard_normal(shape) * std).astype(dtype)


def xavier_uniform(shape, rng=None, dtype=np.float64, gain=1.0):
    """Glorot & Bengio (2010): U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return make_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def xavier_normal(shape, rng=None, dtype=np.float64, gain=1.0):
    """Glorot & Bengio (2010): N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return (make_rng(rng).standard_normal(shape) * std).astype(dtype)


def kaiming_uniform(shape, rng=None, dtype=np.float64, gain=SQRT_2):
    """He et al. (2015) for ReLU: U(-a, a), a = gain * sqrt(3 / fan_in)."""
    fan_in, _ = fans(shape)
    bound = gain * np.sqrt(3.0 / fan_in)
    return make_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def kaiming_normal(shape, rng=None, dtype=np.float64, gain=SQRT_2):
    """He et al. (2015) for ReLU: N(0, std^2), std = gain / sqrt(fan_in) = sqrt(2 / fan_in)."""
    fan_in, _ = fans(shape)
    std = gain / np.sqrt(fan_in)
    return (make_rng(rng).standard_normal(shape) * std).astype(dtype)


def lecun_normal(shape, rng=None, dtype=np.float64):
    """LeCun et al. (1998) for sigmoid/SELU: N(0, 1 / fan_in)."""
    return kaiming_normal(shape, rng, dtype, gain=1.0)


def lecun_uniform(shape, rng=None, dtype=np.float64):
    """LeCun: U(-a, a), a = sqrt(3 / fan_in), variance 1 / fan_in."""
    return kaiming_uniform(shape, rng, dtype, gain=1.0)


def orthogonal(shape, rng=None, dtype=np.float64, gain=1.0):
    """Saxe et al. (2014): a (semi-)orthogonal matrix from the QR of a Gaussian.

    Recurrent weights start orthogonal so that repeated multiplication neither
    grows nor shrinks the state. Trailing dimensions are flattened.
    """
    if len(shape) < 2:
        raise ConfigError(f"init.orthogonal: expected a shape with >= 2 dims, got {shape}")
    rows, cols = shape[0], int(np.prod(shape[1:]))
    gaussian = make_rng(rng).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))  # make the decomposition unique (Mezzadri, 2007)
    if rows < cols:
        q = q.T
    return (gain * q[:rows, :cols]).reshape(shape).astype(dtype)


def pytorch_default(shape, rng=None, dtype=np.float64):
    """PyTorch's Linear/Conv default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return kaiming_uniform(shape, rng, dtype, gain=1.0 / np.sqrt(3.0))


INITIALIZERS = {
    "zeros": zeros,
    "normal": normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal,
    "he_uniform": kaiming_uniform,
    "he_normal": kaiming_normal,
    "he": kaiming_normal,
    "kaiming": kaiming_normal,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "lecun": lecun_normal,
    "orthogonal": orthogonal,
    "pytorch": pytorch_default,
}


def get_initializer(init, owner="init"):
    """Look up an initializer by name, or accept a callable ``(shape, rng, dtype)``."""
    if callable(init):
        return init
    if not isinstance(init, str) or init not in INITIALIZERS:  # a list is unhashable
        raise ConfigError(
            f"{owner}: unknown init {init!r}; expected one of {sorted(INITIALIZERS)} "
            f"or a callable (shape, rng, dtype) -> array"
        )
    return INITIALIZERS[init]
