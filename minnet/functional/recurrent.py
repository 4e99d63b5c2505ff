"""What the textbook recurrent cells share: a sigmoid that does not overflow.

The cells are ``minnet.functional.rnn``, ``.lstm`` and ``.gru``: in each, a
step pair with the cell's equations and a time loop over it, then the public
pair that checks its arguments and runs the fast whole-sequence plan
(``minnet.kernels.recurrent_plan``). ``minnet.functional.recurrent_stack``
stacks layers and directions; ``.recurrent_checks`` holds the argument checks.
"""

import numpy as np


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)), without overflow for large |x|.

    exp(-logaddexp(0, -x)) is the same value, and logaddexp never overflows;
    the result keeps x's float dtype.
    """
    out = np.exp(-np.logaddexp(0, -x))
    return out.astype(x.dtype, copy=False)
