"""Inverted dropout (Srivastava et al., 2014) as a pure forward/backward pair.

In training each entry is kept with probability ``1 - p`` and the kept
entries are scaled by ``1 / (1 - p)``, so the expected output equals the
input and evaluation needs no rescaling: there the layer is the identity.

Notes
-----
``p`` is the probability of DROPPING an entry, as in PyTorch (some CS231n
years pass the probability of keeping it instead).
"""

import math

import numpy as np

from minnet.random import make_rng

_LANES = {8: np.uint8, 16: np.uint16, 32: np.uint32}


def _bits_per_entry(keep):
    """The fewest random bits per entry that give ``0 < keep < 1`` exactly (1, 8, 16 or 32).

    With ``keep = 0.5`` one bit decides; ``keep = 0.75`` needs 8 bits (192 of
    256 byte values); otherwise 32-bit words, exact to 2**-33.
    """
    for bits in (1, 8, 16):
        if (keep * 2**bits).is_integer():
            return bits
    return 32


def dropout_mask(shape, p, dtype=np.float64, rng=None):
    """The scaled keep-mask: ``1 / (1 - p)`` with probability ``1 - p``, else 0.

    Parameters
    ----------
    shape : tuple of int
    p : float in [0, 1), the drop probability
    dtype : float32 or float64, the mask's dtype
    rng : None, int or numpy.random.Generator

    Returns
    -------
    mask : ndarray of ``shape`` and ``dtype``

    Notes
    -----
    Drawing random numbers is most of dropout's cost, and one float per entry
    (``rng.random(shape) < 1 - p``) wastes most of the bits drawn. The mask is
    built from the generator's raw 64-bit words instead, split into as few
    bits per entry as the probability needs (``_bits_per_entry``): one bit
    for p = 0.5 (64 entries per draw), else 8, 16 or 32 bits compared with
    ``(1 - p) * 2**bits``. The same generator state gives the same mask.
    """
    generator = make_rng(rng)
    dtype = np.dtype(dtype)
    if p == 0:
        return np.ones(shape, dtype)
    size = math.prod(shape)
    keep = 1.0 - float(p)
    bits = _bits_per_entry(keep)
    words = generator.bit_generator.random_raw((size * bits + 63) // 64).view(np.uint8)
    if bits == 1:  # keep = 1/2: keep an entry where its bit is set
        mask = np.unpackbits(words, count=size).astype(dtype)
    else:
        lanes = words.view(_LANES[bits])[:size]
        threshold = min(round(keep * 2**bits), 2**bits - 1)
        mask = np.less(lanes, _LANES[bits](threshold)).view(np.uint8).astype(dtype)
    mask *= dtype.type(1.0 / keep)
    return mask.reshape(shape)


def dropout_forward(x, p=0.5, training=True, rng=None):
    """Inverted dropout forward pass.

    Parameters
    ----------
    x : ndarray of any shape, float32 or float64
    p : float in [0, 1), the probability of dropping each entry
    training : bool; False (evaluation) returns ``x`` itself
    rng : None, int or numpy.random.Generator, draws the mask

    Returns
    -------
    out : ndarray of x's shape and dtype
    cache : the scaled mask (x's shape and dtype), or None for the identity
    """
    if not training or p == 0:
        return x, None
    mask = dropout_mask(x.shape, p, x.dtype, rng)
    return x * mask, mask


def dropout_backward(grad_out, cache):
    """Inverted dropout backward pass.

    out = x * mask with a constant mask, so dx = grad_out * mask: the dropped
    entries get no gradient and the kept ones the same 1 / (1 - p) scale.

    Parameters
    ----------
    grad_out : ndarray of the output's shape
    cache : from ``dropout_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape
    """
    mask = cache
    if mask is None:
        return grad_out
    return grad_out * mask
