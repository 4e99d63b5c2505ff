"""Numba twins of ``minnet.kernels.embedding`` (same names, same signatures)."""

import numba


@numba.njit(cache=True, error_model="numpy", nogil=True)
def scatter_add_rows(target, indices, rows):
    for i in range(indices.shape[0]):
        row = indices[i]
        for j in range(rows.shape[1]):
            target[row, j] += rows[i, j]
