"""Embedding backward: scatter-add of gradient rows into the table's gradient.

``np.add.at`` is the obvious NumPy way, and slow (unbuffered fancy indexing;
measured: benchmarks/README.md). The reference keeps it because the
reference is the specification; the numba twin is one pass over the rows.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def scatter_add_rows(target, indices, rows, skip=-1):
    """``target[indices[i]] += rows[i]`` for every i with ``indices[i] != skip``.

    Repeated indices add up; the rows of index ``skip`` (an Embedding's
    ``padding_idx``) are left out, so that table row receives no gradient.

    Parameters
    ----------
    target : ndarray (V, D), float32 or float64, modified in place
    indices : ndarray (M,), int64, every value in [0, V) (checked by the caller)
    rows : ndarray (M, D), target's dtype
    skip : int, an index in [0, V) whose rows are not added, or -1 (none)
    """
    if skip >= 0:
        keep = indices != skip
        indices, rows = indices[keep], rows[keep]
    np.add.at(target, indices, rows)


scatter_add_rows = Kernel(scatter_add_rows, "embedding_numba")
