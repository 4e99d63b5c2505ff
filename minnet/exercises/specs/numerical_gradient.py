"""Exercise 1, numerical-gradient: central differences with eps = 1e-3 on cubic functions.

The functions are cubic so that a one-sided difference is off by ~eps * f''
(1e-3 relative) while a central one is off by only eps^2 * f''' / 6; they
couple the entries, so a perturbation left in x spoils every later entry.
"""

import numpy as np

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import FunctionSpec
from minnet.gradcheck import numerical_gradient

EPS = 1e-3


def cubic(x):
    """x^3 plus a coupling term: out has x's shape and depends on every entry."""
    return x ** 3 + 0.5 * x * np.sum(x * x)


def cubic_total(x):
    """A scalar cubic (for grad_out=None)."""
    return float(np.sum(x ** 3) + np.sum(x) ** 2)


def transposed(x):
    """Returns a VIEW of x: perturbing x in place changes what f returned earlier."""
    return x.T


def case(shape, seed, label, f=cubic, scalar=False):
    rng = rng_for(seed)
    x = rng.uniform(-1.0, 1.0, shape)
    grad_out = None if scalar else rng.standard_normal(np.shape(f(x)))
    return Case(f"{label}; f = {f.__name__}", {"f": f, "x": x, "grad_out": grad_out,
                                              "eps": EPS}, seed=seed)


def fixed():
    return [case((3, 4), 1, "a (3, 4) input"), case((5,), 2, "a vector")]


def strategy():
    from hypothesis import strategies as st

    return st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def from_params(params, seed):
    return case(params, seed, "drawn by hypothesis")


def edges():
    return [case((2, 3), 10, "scalar f, grad_out=None", f=cubic_total, scalar=True),
            case((1,), 11, "a single entry"),
            case((2, 3, 2), 12, "f returns a view of x", f=transposed)]


SPEC = FunctionSpec("numerical-gradient", "numerical_gradient",
                    {"numerical_gradient": numerical_gradient}, fixed, strategy, from_params,
                    edges, outputs=("the gradient",))
