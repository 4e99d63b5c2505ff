"""Cases shared by the batch-norm exercises: (N, C), (N, C, L) and (N, C, H, W) inputs.

Statistics are per channel (axis 1) over M = N * L (or N * H * W) values, so
every multi-dimensional case has N != M: a count of N instead of M shows.
The reference runs minnet's functions on the NumPy backend (the numba
kernels would spend most of a check's budget loading).
"""

from minnet.exercises.cases import Case, rng_for
from minnet.kernels.backend import use_backend


def on_numpy(function):
    """``function`` run on minnet's NumPy backend, under the same name."""
    def wrapped(*args, **kwargs):
        with use_backend("numpy"):
            return function(*args, **kwargs)

    wrapped.__name__ = wrapped.__qualname__ = function.__name__
    return wrapped


def case(shape, seed, label, scale=1.0, offset=0.0, evaluation=False, gradcheck=False,
         strict=False):
    rng = rng_for(seed)
    channels = shape[1]
    inputs = {"x": offset + scale * rng.standard_normal(shape),
              "gamma": 1.0 + 0.5 * rng.standard_normal(channels),
              "beta": 0.5 * rng.standard_normal(channels), "eps": 1e-5}
    if evaluation:
        inputs["mean"] = rng.standard_normal(channels)
        inputs["var"] = 0.5 + rng.random(channels)
    return Case(label, inputs, seed=seed, gradcheck=gradcheck, strict=strict)


def fixed():
    return [case((5, 3), 1, "(N, C) = (5, 3)", gradcheck=True),
            case((3, 2, 4), 2, "(N, C, L) = (3, 2, 4)", gradcheck=True),
            case((2, 3, 2, 3), 3, "(N, C, H, W) = (2, 3, 2, 3)")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(2, 6), st.integers(1, 5), st.sampled_from([(), (3,), (2, 2)]))


def from_params(params, seed):
    n, c, rest = params
    return case((n, c, *rest), seed, "drawn by hypothesis", scale=2.0, offset=1.0)


def edges():
    return [case((4, 3), 10, "evaluation: the running statistics given", evaluation=True),
            case((1, 2, 5), 11, "batch of 1 with L = 5"),
            case((6, 2), 12, "large inputs, x = 1000 randn + 500", scale=1000.0, offset=500.0,
                 strict=True)]


def probes():
    return [case((3, 4, 2), 20, "probe: x = 5 randn + 12", scale=5.0, offset=12.0)]
