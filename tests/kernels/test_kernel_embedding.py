"""The scatter-add kernel's skip index (Embedding's padding_idx): numba equals the reference."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from minnet.kernels.embedding import scatter_add_rows


@given(vocabulary=st.integers(1, 8), rows=st.integers(0, 30), width=st.integers(1, 5),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16),
       skip=st.integers(-1, 7))
def test_skipped_index_gets_nothing_and_both_backends_agree(vocabulary, rows, width, dtype,
                                                             seed, skip):
    skip = min(skip, vocabulary - 1)
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, vocabulary, size=rows)
    values = rng.standard_normal((rows, width)).astype(dtype)
    start = rng.standard_normal((vocabulary, width)).astype(dtype)
    reference, compiled = start.copy(), start.copy()
    scatter_add_rows.reference(reference, indices, values, skip)
    scatter_add_rows.compiled(compiled, indices, values, skip)
    np.testing.assert_allclose(compiled, reference, rtol=1e-6 if dtype == np.float32 else 1e-13)
    expected = start.copy()
    for index, row in zip(indices, values):
        if index != skip:
            expected[index] += row
    np.testing.assert_allclose(reference, expected, rtol=1e-6 if dtype == np.float32 else 1e-13)
    if skip >= 0:
        np.testing.assert_array_equal(compiled[skip], start[skip])


def test_the_default_skips_nothing():
    for kernel in (scatter_add_rows.reference, scatter_add_rows.compiled):
        target = np.zeros((2, 1))
        kernel(target, np.array([0, 1, 1]), np.ones((3, 1)))
        np.testing.assert_array_equal(target, [[1.0], [2.0]])
