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

from minnet.errors import ShapeError
from minnet.random import make_rng
from minnet.validation import QUIET, as_float_array, check_bool, check_float

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
    mask : ndarray of ``shape`` and ``dtype``, ``kept_entries(...) * scale``
    """
    dtype = np.dtype(dtype)
    if p == 0:
        return np.ones(shape, dtype)
    return kept_entries(shape, p, rng) * keep_scale(p, dtype)


def keep_scale(p, dtype):
    """``1 / (1 - p)`` in ``dtype``: what a kept entry is multiplied by (inverted dropout)."""
    return np.dtype(dtype).type(1.0 / (1.0 - float(p)))


def kept_entries(shape, p, rng=None):
    """Which entries dropout keeps: a bool array of ``shape``, True with probability ``1 - p``.

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
    size = math.prod(shape)
    keep = 1.0 - float(p)
    bits = _bits_per_entry(keep)
    words = generator.bit_generator.random_raw((size * bits + 63) // 64).view(np.uint8)
    if bits == 1:  # keep = 1/2: keep an entry where its bit is set
        kept = np.unpackbits(words, count=size).view(bool)
    else:
        lanes = words.view(_LANES[bits])[:size]
        threshold = min(round(keep * 2**bits), 2**bits - 1)
        kept = np.less(lanes, _LANES[bits](threshold))
    return kept.reshape(shape)


def _dropout(owner, x, p, training, rng, mask_shape):
    """Check the arguments, draw a mask of ``mask_shape(x.shape)`` and apply it."""
    x = as_float_array(owner, x)
    p = check_float(owner, "p", p, low=0.0, high=1.0, high_open=True)
    training = check_bool(owner, "training", training)
    shape = mask_shape(x.shape)
    if not isinstance(rng, (type(None), np.random.Generator)):
        rng = make_rng(rng)  # an int seed; anything else is refused, in evaluation too
    if not training or p == 0:
        return x, (None, x.shape)
    # The cache keeps the bool mask and the scale, 1 byte an entry instead of a float mask's
    # 4 or 8 (PyTorch keeps a bool mask too); kept * scale is dropout_mask's value, exactly.
    kept, scale = kept_entries(shape, p, rng), keep_scale(p, x.dtype)
    # a dropped inf is inf * 0 = NaN and a kept huge value overflows to inf, as in PyTorch
    with np.errstate(**QUIET):
        return x * (kept * scale), ((kept, scale), x.shape)


def dropout_forward(x, p=0.5, training=True, rng=None):
    """Inverted dropout forward pass.

    Parameters
    ----------
    x : ndarray of any shape (ints and bools become float64)
    p : float in [0, 1), the probability of dropping each entry
    training : bool; False (evaluation) returns ``x`` itself
    rng : None, int or numpy.random.Generator, draws the mask

    Returns
    -------
    out : ndarray of x's shape and dtype
    cache : (mask, x's shape); mask is (kept, scale): the bool mask of the entries kept
        (x's shape) and 1 / (1 - p) in x's dtype; None for the identity (evaluation, or p = 0)
    """
    return _dropout("dropout_forward", x, p, training, rng, lambda shape: shape)


def dropout2d_hint(ndim):
    """The fix to suggest when Dropout2d gets a ``ndim``-d input instead of (N, C, H, W)."""
    if ndim == 3:
        return ("a 3-d input is ambiguous (PyTorch reads it as (N, C, L) with a warning, and "
                "will read it as one image (C, H, W)): for (N, C, L) pass x[..., None], for "
                "one image (C, H, W) pass x[None]")
    return "for (N, features) use Dropout (dropout_forward)" if ndim == 2 else None


def _channel_mask_shape(shape):
    if len(shape) != 4:
        hint = dropout2d_hint(len(shape))
        raise ShapeError(f"dropout2d_forward: expected x of shape (N, C, H, W), got "
                         f"{tuple(shape)}" + (f"; {hint}" if hint else ""))
    return shape[:2] + (1, 1)


def dropout2d_forward(x, p=0.5, training=True, rng=None):
    """Channel dropout (PyTorch's ``dropout2d``): zero whole feature maps, scale the rest.

    Each channel of each sample is dropped with probability ``p`` (all its
    H x W entries at once) and kept channels are scaled by ``1 / (1 - p)``.
    Neighbouring pixels of a feature map are strongly correlated, so dropping
    single entries barely regularizes a convolutional layer; dropping whole
    channels does (Tompson et al., 2015).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    p, training, rng : as in ``dropout_forward``

    Returns
    -------
    out : ndarray (N, C, H, W), x's dtype
    cache : (mask, x's shape); mask is (kept, scale) with kept (N, C, 1, 1), or None for
        the identity
    """
    return _dropout("dropout2d_forward", x, p, training, rng, _channel_mask_shape)


def dropout_backward(grad_out, cache):
    """Inverted dropout backward pass, for ``dropout_forward`` and ``dropout2d_forward``.

    out = x * mask with a constant mask, so dx = grad_out * mask: the dropped
    entries get no gradient and the kept ones the same 1 / (1 - p) scale. A
    channel mask (N, C, 1, 1) broadcasts over H x W.

    Parameters
    ----------
    grad_out : ndarray of the output's shape
    cache : from ``dropout_forward`` or ``dropout2d_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape
    """
    mask, shape = cache
    grad_out = as_float_array("dropout_backward", grad_out, what="grad_out")
    if grad_out.shape != shape:
        raise ShapeError(f"dropout_backward: expected grad_out of shape {shape} (the forward "
                         f"output's), got {grad_out.shape}")
    if mask is None:
        return grad_out
    kept, scale = mask
    with np.errstate(**QUIET):  # as in the forward: inf * 0 is NaN, a huge value overflows
        return grad_out * (kept * scale)


dropout2d_backward = dropout_backward  # the same mask product, named for the pair
