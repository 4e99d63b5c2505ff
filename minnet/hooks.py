"""Hook plumbing for Module: removable handles and the backward-hook wrapper.

Forward hooks fire in ``Module.__call__``. Backward passes are plain method
calls (``model.backward(grad)``), so ``Module.__init_subclass__`` wraps every
subclass's ``backward`` with ``with_backward_hooks``; that is how the doctor
watches gradients from outside without any layer containing diagnostic code.
"""

import functools


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
