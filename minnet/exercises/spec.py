"""What the checker needs to know about one exercise, beyond its exercise.toml.

A ``PairSpec`` describes a forward/backward pair (or a backward alone): the
function names, the reference, which inputs get gradients, and how to build
the fixed, hypothesis-drawn, edge and probe cases. A ``FunctionSpec`` is the
same for one plain function with no backward (``numerical_gradient``).
The specs live in ``minnet.exercises.specs.<module>``, one file per exercise.
"""

import importlib
from dataclasses import dataclass

import numpy as np

from minnet.exercises.observe import observe_function, observe_pair


@dataclass
class PairSpec:
    name: str
    forward: str
    backward: str
    reference: dict          # function name -> the reference implementation
    wrt: tuple               # the inputs that get gradients, in the backward's return order
    fixed: object            # () -> [Case]: small cases, gradchecked
    strategy: object         # () -> hypothesis strategy of hashable parameters
    from_params: object      # (params, seed) -> Case
    edges: object            # () -> [Case]
    probes: object = list    # () -> [Case]: extra cases for the diagnosis only
    backward_only: bool = False  # the student writes the backward; minnet's forward runs
    outputs: int = 1             # how many arrays the forward returns before its cache

    has_backward = True

    def split(self, result):
        """The forward's result as (out, cache); out stacks several outputs (h and c)."""
        if not (isinstance(result, tuple) and len(result) == self.outputs + 1):
            raise ValueError(f"returned {type(result).__name__}"
                             f"{f' of {len(result)}' if isinstance(result, tuple) else ''}, "
                             f"expected a tuple of {self.outputs} output(s) and the cache")
        if self.outputs == 1:
            return result
        return np.stack([np.asarray(r, dtype=np.float64) for r in result[:-1]]), result[-1]

    def backward_args(self, dout, cache):
        """The backward's arguments: one upstream gradient per output, then the cache."""
        return [dout, cache] if self.outputs == 1 else [*dout, cache]

    @property
    def functions(self):
        """The functions the student's file defines."""
        return (self.backward,) if self.backward_only else (self.forward, self.backward)

    def complete(self, fns):
        """The student's functions plus what the exercise provides (the forward)."""
        return {self.forward: self.reference[self.forward], **fns} if self.backward_only else fns

    def observe(self, fns, case, with_backward=True):
        return observe_pair(self, fns, case, with_backward)


@dataclass
class FunctionSpec:
    name: str
    function: str
    reference: dict
    fixed: object
    strategy: object
    from_params: object
    edges: object
    probes: object = list
    outputs: tuple = ("result",)  # the names of the returned values, for the messages
    names: tuple = ()             # several functions: their names (``run`` calls them)
    run: object = None            # (fns, inputs, obs) -> (ok, results)

    has_backward = False
    wrt = ()

    @property
    def functions(self):
        return self.names or (self.function,)

    def complete(self, fns):
        return fns

    def observe(self, fns, case, with_backward=True):
        return observe_function(self, fns, case, with_backward)


def module_name(exercise_name):
    return exercise_name.replace("-", "_")


def load_spec(exercise_name):
    """The spec of an exercise (``minnet.exercises.specs.<name>.SPEC``)."""
    return importlib.import_module(f"minnet.exercises.specs.{module_name(exercise_name)}").SPEC


def load_mutants(exercise_name):
    """``{mistake id: {function name: callable}}`` from ``minnet.exercises.mutants.<name>``."""
    module = importlib.import_module(f"minnet.exercises.mutants.{module_name(exercise_name)}")
    return module.MUTANTS
