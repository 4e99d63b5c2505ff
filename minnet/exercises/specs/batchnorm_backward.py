"""Exercise 13, batchnorm-backward: the graph backward, fed the cache of minnet's own forward."""

from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import edges, fixed, from_params, on_numpy, probes
from minnet.exercises.specs.batchnorm_cases import strategy as shapes
from minnet.functional import batchnorm_backward, batchnorm_forward

SPEC = PairSpec("batchnorm-backward", "batchnorm_forward", "batchnorm_backward",
                {"batchnorm_forward": on_numpy(batchnorm_forward),
                 "batchnorm_backward": on_numpy(batchnorm_backward)},
                ("x", "gamma", "beta"), fixed, shapes, from_params, edges, probes,
                backward_only=True)
