"""``no_grad()``: forwards that keep nothing for a backward pass.

Every forward of a layer pushes what its backward needs onto the layer's
cache stack (``Module.push_cache``). Inference needs no backward, so an
evaluation loop under ``with mn.no_grad():`` keeps no cache and its memory
does not grow. As in PyTorch, ``no_grad`` works as a context manager or a
decorator, nests, and is per thread; ``enable_grad`` switches caching back on
inside it.
"""

import functools
import threading

_state = threading.local()


def is_grad_enabled():
    """True unless running under ``no_grad()`` (in this thread)."""
    return getattr(_state, "enabled", True)


class _GradMode:
    """Set the grad mode on entry, restore the previous one on exit."""

    enabled = True

    def __enter__(self):
        self._previous = is_grad_enabled()
        _state.enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.enabled = self._previous
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Forwards inside keep no cache: no backward is possible, no memory is held.

    Use it for evaluation and prediction (``evaluate`` and ``predict`` do)::

        with mn.no_grad():
            logits = model(X_test)
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Forwards inside keep their caches again, even within ``no_grad()``."""

    enabled = True
