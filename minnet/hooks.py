"""Hook plumbing for Module: removable handles and the backward-hook wrapper.

Forward hooks fire in ``Module.__call__``. Backward passes are plain method
calls (``model.backward(grad)``), so ``Module.__init_subclass__`` wraps every
subclass's ``backward`` with ``with_backward_hooks``; that is how the doctor
watches gradients from outside without any layer containing diagnostic code.
"""

import functools
import numbers

import numpy as np

from minnet.errors import DTypeError, MinnetError


class RemovableHandle:
    """Returned by ``register_*_hook``; ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def with_backward_hooks(backward):
    """Wrap a subclass's ``backward`` so that backward hooks fire around it.

    The guard makes a ``super().backward(...)`` call inside a subclass fire
    the hooks once, not once per level of the class hierarchy.
    """

    @functools.wraps(backward)
    def wrapper(self, grad_out, *args, **kwargs):
        if self.__dict__.get("_in_backward", False):
            return backward(self, grad_out, *args, **kwargs)
        check_grad_out(self, grad_out)
        for hook in list(self._backward_pre_hooks.values()):
            hook(self, grad_out)
        object.__setattr__(self, "_in_backward", True)
        try:
            grad_in = backward(self, grad_out, *args, **kwargs)
        finally:
            object.__setattr__(self, "_in_backward", False)
        for hook in list(self._backward_hooks.values()):
            result = hook(self, grad_in, grad_out)
            if result is not None:
                grad_in = result
        return grad_in

    wrapper._minnet_hooked = True
    return wrapper


def check_grad_out(module, grad_out):
    """Refuse what is never an upstream gradient: a loss value, an object array."""
    if isinstance(grad_out, numbers.Number) or (isinstance(grad_out, np.ndarray)
                                                and grad_out.ndim == 0):
        raise MinnetError(
            f"{type(module).__name__}.backward: expected the gradient of the loss with respect "
            f"to the model's output (an array of the output's shape), got the number "
            f"{grad_out!r}; pass model.backward(loss_fn.backward()), not the loss itself")
    if isinstance(grad_out, np.ndarray) and grad_out.dtype.kind not in "fiub":
        raise DTypeError(f"{type(module).__name__}.backward: expected a float grad_out, got an "
                         f"array of dtype {grad_out.dtype}")
