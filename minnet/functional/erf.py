"""The error function erf and its complement erfc, vectorized, for the exact GELU.

NumPy has no ``erf``, and SciPy is not a dependency, so these are Cephes'
rational approximations (ndtr.c, W. J. Cody's coefficients): accurate to a few
units in the last place against ``math.erf`` and fully vectorized.
"""

import numpy as np

_ERF_T = [9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4]
_ERF_U = [1.0, 3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4]
_ERFC_P = [2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2]
_ERFC_Q = [1.0, 1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2]
_ERFC_R = [5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0]
_ERFC_S = [1.0, 2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0]


def _horner(coefficients, z):
    """Evaluate a polynomial (highest power first) at z, in place on one new array."""
    result = np.full_like(z, coefficients[0])
    for coefficient in coefficients[1:]:
        result *= z
        result += coefficient
    return result


def _erf_inner(x):
    """erf(x) for |x| < 1, to full relative precision even for tiny x."""
    square = x * x
    return x * _horner(_ERF_T, square) / _horner(_ERF_U, square)


def _erfc_outer(x):
    """erfc(x) for |x| >= 1 (and NaN), clipped at |x| = 30, long after it underflows to 0."""
    a = np.minimum(np.abs(x), 30.0)
    ratio = _horner(_ERFC_P, a) / _horner(_ERFC_Q, a)
    far = a >= 8.0
    if far.any():
        ratio[far] = _horner(_ERFC_R, a[far]) / _horner(_ERFC_S, a[far])
    tail = np.exp(-a * a) * ratio
    return np.where(x >= 0, tail, 2.0 - tail)  # erfc(-a) = 2 - erfc(a); NaN stays NaN


def _piecewise(x, inner, outer):
    """Evaluate ``inner`` where |x| < 1 and ``outer`` elsewhere: each element only once."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    is_inner = np.abs(x) < 1.0
    out[is_inner] = inner(x[is_inner])
    out[~is_inner] = outer(x[~is_inner])
    return out


def erf(x):
    """The error function. x: array of any shape -> float64 array of the same shape."""
    return _piecewise(x, _erf_inner, lambda v: 1.0 - _erfc_outer(v))


def erfc(x):
    """The complementary error function 1 - erf(x), accurate also where it is tiny.

    x: array of any shape -> float64 array of the same shape.
    """
    return _piecewise(x, lambda v: 1.0 - _erf_inner(v), _erfc_outer)
