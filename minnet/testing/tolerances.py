"""Tolerances shared by the tests, chosen once and explained here, looked up by dtype.

Gradient checks: central differences have a truncation error ~ eps^2 * |f'''|
and a round-off error ~ machine_eps * |f| / eps. In float64 (machine eps 2e-16)
eps = 1e-6 balances them near 1e-10, so atol 1e-5 / rtol 1e-4 (``gradcheck``'s
defaults) only fail on a real mistake. In float32 (machine eps 1e-7) the best
eps is ~1e-3 and only ~1e-2 agreement is meaningful, which is why gradcheck
itself always works in float64.

Parity (two implementations of the same maths: numba kernel vs NumPy
reference, minnet vs PyTorch): float64 agrees to round-off (summation order),
float32 to a few units of its 1e-7 precision times the reduction length.
Use as ``np.testing.assert_allclose(actual, expected, **parity_tolerances(dtype))``.
"""

import numpy as np

from minnet.errors import ConfigError

_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)

GRADCHECK_EPS = {_FLOAT64: 1e-6, _FLOAT32: 1e-3}
GRADCHECK_ATOL = {_FLOAT64: 1e-5, _FLOAT32: 1e-2}
GRADCHECK_RTOL = {_FLOAT64: 1e-4, _FLOAT32: 1e-2}

PARITY_ATOL = {_FLOAT64: 1e-10, _FLOAT32: 1e-5}
PARITY_RTOL = {_FLOAT64: 1e-9, _FLOAT32: 1e-4}


def _key(dtype):
    try:
        key = None if dtype is None else np.dtype(dtype)  # np.dtype(None) is float64
    except TypeError:
        key = None
    if key is None or key not in (_FLOAT32, _FLOAT64):
        raise ConfigError(f"tolerances: expected dtype float32 or float64, got {dtype!r}")
    return key


def gradcheck_tolerances(dtype=np.float64):
    """``{"eps", "atol", "rtol"}`` for a numerical gradient check in ``dtype``."""
    key = _key(dtype)
    return {"eps": GRADCHECK_EPS[key], "atol": GRADCHECK_ATOL[key], "rtol": GRADCHECK_RTOL[key]}


def parity_tolerances(dtype=np.float64):
    """``{"rtol", "atol"}`` for ``np.testing.assert_allclose`` between two implementations."""
    key = _key(dtype)
    return {"rtol": PARITY_RTOL[key], "atol": PARITY_ATOL[key]}
