"""Wrong ReLUs: identity backward, a mask letting x = 0 through, a backward writing into dout."""

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0), x


def identity_backward(grad_out, cache):
    return grad_out.copy()


def mask_includes_zero(grad_out, cache):
    return grad_out * (cache >= 0)


def mutates_dout(grad_out, cache):
    grad_out[cache <= 0] = 0
    return grad_out


MUTANTS = {
    "identity-backward": {"relu_forward": relu_forward, "relu_backward": identity_backward},
    "mask-includes-zero": {"relu_forward": relu_forward, "relu_backward": mask_includes_zero},
    "mutates-dout": {"relu_forward": relu_forward, "relu_backward": mutates_dout},
}
