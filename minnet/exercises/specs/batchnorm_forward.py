"""Exercise 12, batchnorm-forward: the forward pass and the running-statistics update.

Each case calls ``batchnorm_forward`` and then ``batchnorm_running_stats``
with the batch's mean and biased variance (computed here, so that a mistake
in one function is not blamed on the other). The cache is the student's own
and is not compared.
"""

import math

import numpy as np

from minnet.exercises.observe import call
from minnet.exercises.spec import FunctionSpec
from minnet.exercises.specs import batchnorm_cases
from minnet.exercises.specs.batchnorm_cases import on_numpy
from minnet.functional import batchnorm_forward, batchnorm_running_stats

FORWARD_ARGS = ("x", "gamma", "beta", "eps", "mean", "var")


def run(fns, inputs, obs):
    args = [inputs.get(name) for name in FORWARD_ARGS[:4]]
    if "mean" in inputs:
        args += [inputs["mean"], inputs["var"]]
    ok, result = call("batchnorm_forward", fns, args, {}, obs)
    if not ok:
        return False, None
    if not (isinstance(result, tuple) and len(result) == 2):
        obs.error = ("batchnorm_forward", "contract", "must return a pair (out, cache)")
        return False, None
    x = inputs["x"]
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.shape[0] * math.prod(x.shape[2:])
    ok, stats = call("batchnorm_running_stats", fns,
                     [inputs["running_mean"], inputs["running_var"], x.mean(axis=axes),
                      x.var(axis=axes), count, inputs["momentum"]], {}, obs)
    if not ok:
        return False, None
    return True, (result[0], *(stats if isinstance(stats, tuple) else (stats,)))


def with_running(case):
    rng = np.random.default_rng(case.seed + 1000)
    channels = case.inputs["x"].shape[1]
    case.inputs.update(running_mean=rng.standard_normal(channels),
                       running_var=0.5 + rng.random(channels), momentum=0.1)
    return case


SPEC = FunctionSpec(
    "batchnorm-forward", "batchnorm_forward",
    {"batchnorm_forward": on_numpy(batchnorm_forward),
     "batchnorm_running_stats": batchnorm_running_stats},
    lambda: [with_running(c) for c in batchnorm_cases.fixed()], batchnorm_cases.strategy,
    lambda params, seed: with_running(batchnorm_cases.from_params(params, seed)),
    lambda: [with_running(c) for c in batchnorm_cases.edges()],
    lambda: [with_running(c) for c in batchnorm_cases.probes()],
    outputs=("out", "new_running_mean", "new_running_var"),
    names=("batchnorm_forward", "batchnorm_running_stats"), run=run)
