"""Small synthetic datasets: spiral, xor and the adding problem.

Each generator is deterministic given ``rng`` (an int seed or a
``numpy.random.Generator``; None draws from minnet's default generator, see
``minnet.seed``) and returns float64 inputs with int64 class labels (or
float64 regression targets for the adding problem).
"""

import numpy as np

from minnet.random import make_rng
from minnet.validation import check_float, check_int


def spiral(n_per_class=100, n_classes=3, noise=0.2, rng=None):
    """The interleaved spirals of CS231n: not linearly separable, easy for a 2-layer net.

    Class k's points lie on the arm ``r * (sin t, cos t)`` with radius r going
    linearly from 0 to 1 and angle t from 4k to 4(k+1) radians, plus Gaussian
    noise of standard deviation ``noise`` on t.

    Parameters
    ----------
    n_per_class : int >= 1
    n_classes : int >= 1
    noise : float >= 0
        Standard deviation of the noise on the angle (CS231n uses 0.2).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : float64 (N, 2) with N = n_per_class * n_classes, inside the unit disc
    y : int64 (N,) in [0, n_classes)
        **Sorted by class** (as in CS231n): shuffle before mini-batch training
        (``DataLoader(shuffle=True)``).
    """
    n_per_class = check_int("spiral", "n_per_class", n_per_class, minimum=1)
    n_classes = check_int("spiral", "n_classes", n_classes, minimum=1)
    noise = check_float("spiral", "noise", noise, low=0.0)
    generator = make_rng(rng)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    start = np.linspace(0.0, 4.0, n_per_class)  # each arm sweeps 4 radians
    angle = (np.tile(start, n_classes) + 4.0 * y
             + noise * generator.standard_normal(n_per_class * n_classes))
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, y


def xor(n=200, noise=0.1, rng=None):
    """Four Gaussian blobs at the corners (+-1, +-1); the label is the XOR of the signs.

    The classic problem a linear model cannot solve: label 1 for the corners
    (-1, +1) and (+1, -1), label 0 for (-1, -1) and (+1, +1). The corners are
    used in turn (exactly balanced when n is a multiple of 4) and the samples
    come in random order.

    Parameters
    ----------
    n : int >= 1
    noise : float >= 0
        Standard deviation of the Gaussian noise around each corner.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : float64 (n, 2)
    y : int64 (n,) in {0, 1}
    """
    n = check_int("xor", "n", n, minimum=1)
    noise = check_float("xor", "noise", noise, low=0.0)
    generator = make_rng(rng)
    corner = generator.permutation(np.arange(n) % 4)
    bits = np.column_stack([corner // 2, corner % 2])  # (n, 2) of 0/1
    X = (2.0 * bits - 1.0) + noise * generator.standard_normal((n, 2))
    y = (bits[:, 0] ^ bits[:, 1]).astype(np.int64)
    return X, y


def adding_problem(n=1000, seq_len=50, rng=None):
    """The adding problem (Hochreiter & Schmidhuber, 1997): a test of long-range memory.

    Each sequence has two channels: channel 0 holds values drawn uniformly from
    [0, 1]; channel 1 is 0 except for exactly two 1's, one at a random position
    in the first half (t < seq_len // 2) and one in the second half. The target
    is the sum of the two marked values. A network must remember the first
    marked value across up to ``seq_len`` steps. Always predicting 1 gives a
    mean squared error of 1/6 (the variance of a sum of two uniforms): a model
    that does not beat ~0.167 has learned nothing.

    Parameters
    ----------
    n : int >= 1
        Number of sequences.
    seq_len : int >= 2
        Sequence length T.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : float64 (n, seq_len, 2), batch first as minnet's RNNs expect
    y : float64 (n,), in [0, 2]
    """
    n = check_int("adding_problem", "n", n, minimum=1)
    seq_len = check_int("adding_problem", "seq_len", seq_len, minimum=2)
    generator = make_rng(rng)
    values = generator.uniform(0.0, 1.0, size=(n, seq_len))
    half = seq_len // 2
    first = generator.integers(0, half, size=n)
    second = generator.integers(half, seq_len, size=n)
    markers = np.zeros((n, seq_len))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = values[rows, first] + values[rows, second]
    return X, y
