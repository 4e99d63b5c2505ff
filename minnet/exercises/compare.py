"""Comparing results: messages that show expected and actual, and distances between solutions."""

import numpy as np

# Two float64 implementations of the same maths (loops, einsum, another order of
# summation) agree to ~1e-12; a listed mistake is off by far more than 1e-3.
RTOL, ATOL = 1e-6, 1e-9
SAME = 1e-6        # the diagnosis: a student's results within this of a mutant's match it
SEPARATED = 1e-3   # CI: mutants differ from each other and from the reference by more


def describe_difference(what, expected, actual, rtol=RTOL, atol=ATOL):
    """None when ``actual`` matches ``expected``; else one line naming the worst entry."""
    if not isinstance(actual, np.ndarray):
        return f"{what} is {type(actual).__name__}, expected an array of shape {expected.shape}"
    if actual.shape != expected.shape:
        transposed = " (transposed?)" if actual.shape == expected.shape[::-1] else ""
        return f"{what} has shape {actual.shape}, expected {expected.shape}{transposed}"
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return None
    if actual.ndim == 0:
        return f"{what}: expected {float(expected):.8g}, got {float(actual):.8g}"
    excess = np.nan_to_num(np.abs(actual - expected) - rtol * np.abs(expected), nan=np.inf)
    index = tuple(int(i) for i in np.unravel_index(np.argmax(np.where(close, -np.inf, excess)),
                                                   actual.shape))
    return (f"{what} differs at index {index}: expected {expected[index]:.8g}, got "
            f"{actual[index]:.8g} ({int(np.sum(~close))} of {actual.size} entries differ)")


def array_distance(a, b):
    """Largest elementwise relative difference (inf for a shape or NaN-pattern mismatch)."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
        return 0.0 if type(a) is type(b) and not isinstance(a, np.ndarray) else np.inf
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return np.inf
    a, b = a[~nan_a], b[~nan_b]
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):  # inf - inf
        diff = np.where(a == b, 0.0, np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    return float(np.max(np.nan_to_num(diff, nan=np.inf)))


def observation_distance(a, b):
    """How far apart two solutions' observations of one case are (inf: they behave differently)."""
    if (a.error is None) != (b.error is None) or (a.error and a.error[:2] != b.error[:2]):
        return np.inf
    if set(a.mutated) != set(b.mutated) or len(a.grads) != len(b.grads):
        return np.inf
    pairs = [(a.out, b.out)] + list(zip(a.grads, b.grads))
    return max((array_distance(x, y) for x, y in pairs), default=0.0)


def distortion(actual, expected, rtol=RTOL, atol=ATOL):
    """gradcheck's hints for a wrong tensor no mutant explains: sign, factor, transpose, zeros.

    None when ``actual`` is no simple distortion of ``expected`` (or either is no array).
    """
    if not (isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)):
        return None

    def close(a, b):
        return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol)))

    if actual.shape == expected.shape and not np.all(np.isfinite(actual)) and np.all(
            np.isfinite(expected)):
        return "yours holds NaN or inf where the expected values are finite"
    if actual.shape == expected.shape and not np.any(actual) and np.any(expected):
        return "yours is all zeros: was it never computed, or never returned?"
    if close(-actual, expected):
        return "yours = -expected: a sign error"
    if actual.ndim == 2 and close(actual.T, expected):
        return "yours = expected transposed: a transpose is missing or extra"
    usable = np.abs(expected) > 10 * atol
    if actual.shape == expected.shape and np.any(usable) and np.all(np.isfinite(actual)):
        ratio = float(np.median(actual[usable] / expected[usable]))
        if close(ratio * expected, actual):
            return (f"yours = {ratio:.4g} * expected everywhere: a constant factor is off "
                    f"(a missing 1/N, a doubled term?)")
    return None
