"""Exercise 14, batchnorm-backward-alt: the closed-form backward, fed minnet's own forward cache."""

from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import edges, fixed, from_params, on_numpy, probes
from minnet.exercises.specs.batchnorm_cases import strategy as shapes
from minnet.functional import batchnorm_backward_alt, batchnorm_forward

SPEC = PairSpec("batchnorm-backward-alt", "batchnorm_forward", "batchnorm_backward_alt",
                {"batchnorm_forward": on_numpy(batchnorm_forward),
                 "batchnorm_backward_alt": on_numpy(batchnorm_backward_alt)},
                ("x", "gamma", "beta"), fixed, shapes, from_params, edges, probes,
                backward_only=True)
