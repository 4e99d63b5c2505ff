"""Run a solution (a student's, the reference or a mutant) on one case and record what it did.

An ``Observation`` holds the forward output, the backward's gradients for a
fixed random ``dout``, the error raised (if any) and which arguments the
solution modified. The stages compare observations with the reference's; the
diagnosis compares them with each mutant's.
"""

from dataclasses import dataclass

import numpy as np

from minnet.exercises.cases import STRICT, rng_for


class NotStarted(Exception):
    """The solution raised NotImplementedError: that function is still the stub."""

    def __init__(self, function):
        super().__init__(function)
        self.function = function


@dataclass
class Observation:
    out: object = None            # float64 ndarray, or None when the call failed
    grads: tuple = ()             # float64 ndarrays, in the spec's gradient order
    error: tuple = None           # (function, exception type name, message)
    mutated: tuple = ()           # names of the arguments the solution changed
    cache: object = None          # the forward's cache (not compared)
    dout: object = None           # the upstream gradient the backward received


def as_array(value):
    """A result as a float64 array; what cannot become one stays as it is (compared by type)."""
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value


def errstate_for(case):
    # Outside the strict cases NumPy stays silent: an inf or NaN is then compared as a value,
    # the same whatever warning filters the caller (pytest, a terminal) has installed.
    return np.errstate(**STRICT) if case.strict else np.errstate(all="ignore")


def call(function_name, fns, args, options, obs):
    """``fns[function_name](*args, **options)``; an exception goes into ``obs.error``."""
    try:
        return True, fns[function_name](*args, **options)
    except NotImplementedError as error:
        raise NotStarted(function_name) from error
    except Exception as error:  # the solution's own bug: recorded, compared, reported
        obs.error = (function_name, type(error).__name__, str(error).splitlines()[0][:200]
                     if str(error) else "")
        return False, None


def changed(before, after):
    return [name for name, value in before.items() if isinstance(value, np.ndarray)
            and not (value.shape == np.shape(after[name])
                     and np.array_equal(value, after[name], equal_nan=True))]


def observe_pair(spec, fns, case, with_backward=True):
    """Forward, then backward with a random ``dout`` of the output's shape (seeded per case)."""
    obs = Observation()
    inputs = case.copy_inputs()
    with errstate_for(case):
        ok, result = call(spec.forward, fns, list(inputs.values()), case.options, obs)
        obs.mutated = tuple(changed(case.inputs, inputs))
        if not ok:
            return obs
        try:
            out, obs.cache = spec.split(result)
        except ValueError as error:  # not (out, cache), or outputs of different shapes
            obs.error = (spec.forward, "contract", str(error))
            return obs
        obs.out = as_array(out)
        if not with_backward or not isinstance(obs.out, np.ndarray):
            return obs
        dout = rng_for(case.seed, 1).standard_normal(obs.out.shape)
        obs.dout = float(dout) if dout.ndim == 0 else dout
        given = obs.dout if dout.ndim == 0 else dout.copy()
        ok, grads = call(spec.backward, fns, spec.backward_args(given, obs.cache), {}, obs)
        if dout.ndim and not np.array_equal(given, dout):
            obs.mutated += ("dout",)
    if ok:
        grads = grads if isinstance(grads, tuple) else (grads,)
        obs.grads = tuple(as_array(g) for g in grads)
    return obs


def observe_function(spec, fns, case, with_backward=True):
    """One call of a plain function (no backward), e.g. ``numerical_gradient``."""
    obs = Observation()
    inputs = case.copy_inputs()
    with errstate_for(case):
        if spec.run is None:
            ok, result = call(spec.function, fns, list(inputs.values()), case.options, obs)
        else:  # several functions, called in turn by the spec
            ok, result = spec.run(fns, inputs, obs)
    obs.mutated = tuple(changed(case.inputs, inputs))
    if not ok:
        return obs
    results = result if isinstance(result, tuple) else (result,)
    if len(results) != len(spec.outputs):
        obs.error = (spec.functions[-1], "contract", f"gave {len(results)} value(s), expected "
                     f"{len(spec.outputs)} ({', '.join(spec.outputs)})")
        return obs
    obs.out = as_array(results[0])
    obs.grads = tuple(as_array(r) for r in results[1:])  # the further outputs
    return obs
