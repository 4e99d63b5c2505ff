"""The cache stack: one pending cache per forward, popped by its backward.

A forward pushes what its backward needs (``push_cache``); a backward pops
the most recent pending cache (``pop_cache``). So a layer used twice before
backward (a shared Linear, tied weights, a decoder loop calling one GRU per
step) backpropagates each use with its own input, and the gradients add up
as PyTorch's do, provided the backward calls come in reverse order of the
forwards (as ``Sequential`` and any hand-written reverse pass make them). A
backward with no pending forward (a second backward for one forward) raises
instead of silently adding the same gradient twice. Under
``minnet.no_grad()`` a forward pushes nothing.

A forward that is never backpropagated (an evaluation outside ``no_grad``)
leaves its cache behind. At most ``max_pending_forwards`` wait per layer:
beyond that the oldest is dropped, with one warning per layer, so such a loop
holds bounded memory; a backward that would have needed a dropped cache
finds the stack empty and says why.
"""

import warnings

import numpy as np

from minnet.errors import DTypeError, MinnetError, ShapeError
from minnet.grad_mode import is_grad_enabled
from minnet.validation import as_array


class PendingForwardWarning(UserWarning):
    """A layer held more forwards without a backward than it keeps; the oldest were dropped."""


def _name(module):
    return " ".join(repr(module).split())


class CacheStack:
    """Mixin of ``Module``: ``push_cache`` in forward, ``pop_cache`` in backward."""

    max_pending_forwards = 64

    def _caches(self):
        caches = self.__dict__.get("_cache_stack")
        if caches is None:
            caches = []
            object.__setattr__(self, "_cache_stack", caches)
        return caches

    @property
    def pending_forwards(self):
        """How many forwards of this module wait for their backward."""
        return len(self.__dict__.get("_cache_stack") or ())

    def push_cache(self, cache):
        """Keep ``cache`` for the backward of this forward (nothing under ``no_grad``)."""
        if not is_grad_enabled():
            return
        caches = self._caches()
        caches.append(cache)
        if len(caches) > self.max_pending_forwards:
            del caches[0]
            if not self.__dict__.get("_dropped_caches"):
                warnings.warn(
                    f"{_name(self)}: more than {self.max_pending_forwards} forward passes are "
                    f"waiting for a backward; the oldest caches are dropped. Run forwards that "
                    f"need no backward (evaluation, prediction) under `with mn.no_grad():`",
                    PendingForwardWarning, stacklevel=3)
            object.__setattr__(self, "_dropped_caches", True)

    def pop_cache(self, grad_out, output_shape):
        """Check ``grad_out`` and return the cache of the most recent pending forward.

        Parameters
        ----------
        grad_out : ndarray, dL/d(output) of that forward
        output_shape : tuple, or a callable ``cache -> tuple``: the forward
            output's shape, which ``grad_out`` must have

        Raises MinnetError when no forward is pending, ShapeError when
        ``grad_out`` has the wrong shape (or is ragged), DTypeError when it is
        not an array of real numbers (the cache then stays pending).
        """
        if grad_out is None:
            raise MinnetError(
                f"{_name(self)}: backward() received None as grad_out: the layer after it was "
                f"built with input_grad=False. Only a model's first layer may skip its input "
                f"gradient.")
        caches = self.__dict__.get("_cache_stack")
        if not caches:
            raise MinnetError(self._nothing_pending_message())
        expected = output_shape(caches[-1]) if callable(output_shape) else output_shape
        kind = (grad_out if isinstance(grad_out, np.ndarray)
                else as_array(self, grad_out, what="grad_out")).dtype.kind
        if kind not in "fiub":  # objects, strings, complex: never a gradient
            raise DTypeError(f"{_name(self)}: expected a float grad_out, got an array of "
                             f"{kind!r}-kind dtype ({np.asarray(grad_out).dtype})")
        if np.shape(grad_out) != tuple(expected):
            raise ShapeError(
                f"{_name(self)}: expected grad_out of shape {tuple(expected)} (the shape of "
                f"the forward output), got {np.shape(grad_out)}")
        return caches.pop()

    def _nothing_pending_message(self):
        message = (f"{_name(self)}: backward() called before forward(): no forward is waiting "
                   f"for this backward. Each backward uses the cache of its own forward, so run "
                   f"a forward before each backward (a second backward for one forward would "
                   f"add the same gradients twice; a forward under mn.no_grad() keeps no cache)")
        if self.__dict__.get("_dropped_caches"):
            message += (f"; this layer dropped old caches after more than "
                        f"{self.max_pending_forwards} forwards without a backward")
        return message

    def clear_caches(self):
        """Forget every pending forward of this module and its submodules."""
        for module in self.modules():
            caches = module.__dict__.get("_cache_stack")
            if caches:
                caches.clear()
