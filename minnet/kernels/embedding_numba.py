"""Numba twins of ``minnet.kernels.embedding`` (same names, same signatures)."""

import numba


@numba.njit(cache=True, error_model="numpy", nogil=True)
def scatter_add_rows(target, indices, rows, skip=-1):
    for i in range(indices.shape[0]):
        row = indices[i]
        if row == skip:  # padding_idx: its table row gets no gradient
            continue
        for j in range(rows.shape[1]):
            target[row, j] += rows[i, j]
