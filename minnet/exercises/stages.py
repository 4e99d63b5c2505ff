"""The checker's stages, each a function returning a failure or None.

Every stage compares the solution's observations with the reference's on
its cases; the first failing stage stops the check. A failure is a
``Failure(stage, message, case_index)``; the message shows the call, what
was expected and what came back.
"""

from dataclasses import dataclass

import numpy as np

from minnet.exercises.compare import describe_difference
from minnet.exercises.observe import observe_pair
from minnet.gradcheck import _hint, numerical_gradient, rel_error
from minnet.testing.tolerances import gradcheck_tolerances

# The cases each stage runs on (the gradcheck of stage 3(a) takes the fixed ones among them);
# ``minnet.testing.exercises`` makes one pytest test per stage and case from this table.
CASE_KINDS = {"contract": ("fixed",), "forward": ("fixed", "drawn"),
              "backward": ("fixed", "drawn"), "edge cases": ("edge",)}


@dataclass
class Failure:
    stage: str
    message: str
    case: int = None
    tensor: tuple = None  # (actual, expected) of the worst tensor, for the generic hints


class Context:
    """The cases of one check, numbered, and the reference's observations (computed once)."""

    def __init__(self, spec, fns, cases, only=None):
        self.spec, self.fns, self.cases = spec, fns, cases
        self.only = only
        self._reference = {}

    def select(self, *kinds):
        return [(i, c) for i, c in enumerate(self.cases)
                if c.kind in kinds and (self.only is None or i == self.only)]

    def reference(self, index):
        if index not in self._reference:
            self._reference[index] = self.spec.observe(self.spec.reference, self.cases[index])
        return self._reference[index]


def _where(ctx, index):
    case = ctx.cases[index]
    return f"for {case.describe()} ({case.label}; replay with --case {index})"


def _call_failure(stage, ctx, index, obs):
    function, kind, message = obs.error
    if kind == "contract":
        return Failure(stage, f"{function} {message} {_where(ctx, index)}", index)
    if kind == "FloatingPointError":
        return Failure(stage, f"{function} hit a floating-point error ({message}) "
                              f"{_where(ctx, index)}: compute it in a "
                              f"form that cannot overflow (underflow to 0 is fine)", index)
    return Failure(stage, f"{function} raised {kind}: {message} {_where(ctx, index)}", index)


def _pairs(ctx, index, obs, ref, outputs=True, grads=True):
    """[(what, expected, actual)] to compare, or a Failure when the gradient count is wrong."""
    spec = ctx.spec
    first = spec.outputs[0] if not spec.has_backward else "the output"
    pairs = [(f"{first} of {spec.functions[0]}", ref.out, obs.out)] if outputs else []
    if grads and not spec.has_backward:  # a plain function's further results
        pairs += [(f"{name} from {spec.functions[-1]}", r, o)
                  for name, r, o in zip(spec.outputs[1:], ref.grads, obs.grads)]
    elif grads:
        names = [f"d{name}" for name in spec.wrt]
        if len(obs.grads) != len(ref.grads):
            return Failure("contract", f"{spec.backward} returned {len(obs.grads)} gradient(s), "
                           f"expected {len(ref.grads)} ({', '.join(names)}) "
                           f"{_where(ctx, index)}", index)
        pairs += [(f"{name} from {spec.backward}", r, o)
                  for name, r, o in zip(names, ref.grads, obs.grads)]
    return pairs


def _differences(ctx, index, obs, ref, stage, outputs=True, grads=True):
    pairs = _pairs(ctx, index, obs, ref, outputs, grads)
    if isinstance(pairs, Failure):
        return pairs
    explain = getattr(ctx.spec, "explain", None)  # behaviour specs compare named features
    for what, expected, actual in pairs:
        line = (explain(what.split()[0], expected, actual) if explain
                else describe_difference(what, expected, actual))
        if line:
            return Failure(stage, f"{line} {_where(ctx, index)}", index, (actual, expected))
    return None


def contract(ctx):
    """Arity, shapes, no NaN the reference lacks, arguments and dout left unchanged."""
    for index, case in ctx.select(*CASE_KINDS["contract"]):
        obs, ref = ctx.spec.observe(ctx.fns, case), ctx.reference(index)
        if obs.error:
            return _call_failure("contract", ctx, index, obs)
        if obs.mutated:
            return Failure("contract", f"the solution modified {', '.join(obs.mutated)} "
                                       f"{_where(ctx, index)}: leave every argument as it was "
                                       f"(work on a copy, or restore what you change)", index)
        pairs = _pairs(ctx, index, obs, ref)
        if isinstance(pairs, Failure):
            return pairs
        for what, expected, actual in pairs:
            if not isinstance(actual, np.ndarray) or actual.shape != expected.shape:
                return Failure("contract", f"{describe_difference(what, expected, actual)} "
                                           f"{_where(ctx, index)}", index)
            if np.isnan(actual).any() and not np.isnan(expected).any():
                return Failure("contract", f"{what} holds NaN {_where(ctx, index)}", index)
    return None


def forward(ctx):
    """The output against the reference on the fixed and the hypothesis-drawn cases."""
    for index, case in ctx.select(*CASE_KINDS["forward"]):
        obs = ctx.spec.observe(ctx.fns, case, with_backward=False)
        if obs.error:
            return _call_failure("forward", ctx, index, obs)
        failure = _differences(ctx, index, obs, ctx.reference(index), "forward",
                               grads=not ctx.spec.has_backward)
        if failure:
            return failure
    return None


def backward(ctx):
    """(a) gradcheck of the solution's own forward, (b) gradients against the reference."""
    if not ctx.spec.has_backward:
        return None
    for index, case in ctx.select("fixed"):
        if case.gradcheck:
            failure = _gradcheck(ctx, index, case)
            if failure:
                return failure
    for index, case in ctx.select(*CASE_KINDS["backward"]):
        obs = ctx.spec.observe(ctx.fns, case)
        if obs.error:
            return _call_failure("backward", ctx, index, obs)
        failure = _differences(ctx, index, obs, ctx.reference(index), "backward", outputs=False)
        if failure:
            return failure
    return None


def _gradcheck(ctx, index, case):
    # Central differences of the student's OWN forward, with the same random dout: a
    # backward bug shows here whatever cache layout the forward chose.
    spec, fns = ctx.spec, ctx.fns
    obs = observe_pair(spec, fns, case)  # the raw results, also for a behaviour spec
    if obs.error:
        return _call_failure("backward", ctx, index, obs)
    tolerances = gradcheck_tolerances()
    for position, name in enumerate(spec.wrt):
        inputs = case.copy_inputs()

        def f(value, inputs=inputs, name=name):
            result = fns[spec.forward](*{**inputs, name: value}.values(), **case.options)
            return spec.split(result)[0]

        numeric = numerical_gradient(f, inputs[name].copy(), obs.dout, tolerances["eps"])
        analytic = obs.grads[position] if position < len(obs.grads) else None
        if not isinstance(analytic, np.ndarray) or analytic.shape != numeric.shape:
            continue  # the reference comparison names the shape mistake
        close = np.abs(analytic - numeric) <= tolerances["atol"] + tolerances["rtol"] * np.abs(
            numeric)
        if not np.all(close):
            hint = _hint(analytic, numeric, tolerances["atol"], tolerances["rtol"])
            return Failure(
                "backward", f"d{name} from {spec.backward} disagrees with central differences "
                f"of your own {spec.forward} (random dout, float64; rel_error "
                f"{rel_error(analytic, numeric):.1e}) {_where(ctx, index)}"
                + (f"; {hint}" if hint else ""), index, (analytic, numeric))
    return None


def edge_cases(ctx):
    """Batch of 1, |x| = 1000 without overflow, ties and kinks: each against the reference."""
    for index, case in ctx.select(*CASE_KINDS["edge cases"]):
        obs, ref = ctx.spec.observe(ctx.fns, case), ctx.reference(index)
        if obs.error:
            return _call_failure("edge cases", ctx, index, obs)
        if obs.mutated:
            return Failure("edge cases", f"the solution modified {', '.join(obs.mutated)} "
                                         f"{_where(ctx, index)}", index)
        failure = _differences(ctx, index, obs, ref, "edge cases")
        if failure:
            return failure
    return None


STAGES = (("contract", contract), ("forward", forward), ("backward", backward),
          ("edge cases", edge_cases))
