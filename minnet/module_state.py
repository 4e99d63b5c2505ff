"""state_dict and load_state_dict: a Module's parameters and buffers as a flat dict of arrays.

Mixed into Module (``minnet.core``). Keys and order are PyTorch's (per
module: parameters in registration order, then buffers, then the children:
``0.weight``, ``0.bias``, ``1.running_mean``, ...), so weights move between
minnet and PyTorch both ways.

``load_state_dict`` checks everything before it changes anything: missing
and unexpected keys (PyTorch's wording), every value's shape, and every
value's kind. A value must be a real array (no None, objects, strings or
complex numbers), an integer buffer (``num_batches_tracked``) takes whole
numbers only, and a module may refuse values its maths cannot use
(``check_loaded_state``: batch norm refuses a negative running variance).
Every problem is reported at once, each naming its key.
"""

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from minnet.errors import StateDictError
from minnet.validation import check_bool

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictMixin:
    """``state_dict``, ``load_state_dict`` and the per-module ``check_loaded_state`` hook."""

    def _state_entries(self):
        """Yield ``(key, module, name, current_array)`` in PyTorch's state_dict order.

        Per module: parameters in registration order, then buffers, then the
        children, recursively (``0.weight``, ``0.bias``, ``1.weight``, ...).
        """
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                yield prefix + name, module, name, np.asarray(param.data)
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield prefix + name, module, name, np.asarray(buffer)

    def state_dict(self):
        """Copies of every parameter and buffer, keyed as PyTorch keys them."""
        return OrderedDict((key, array.copy()) for key, _, _, array in self._state_entries())

    def check_loaded_state(self, name, value):
        """Return why ``value`` cannot become this module's ``name`` (None when it can).

        Called by ``load_state_dict`` with a real array of the right shape,
        before anything is copied. Override in a layer whose state has rules
        beyond shape and dtype (batch norm: a variance is never negative).
        """
        return None

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from ``state_dict`` into this module's parameters and buffers.

        Reports every missing, unexpected, mis-shaped and invalid value at
        once, with PyTorch's wording; nothing changes unless every check
        passes. Shape and value problems are errors even when
        ``strict=False``. Returns ``IncompatibleKeys(missing, unexpected)``.
        """
        if not isinstance(state_dict, Mapping):
            hint = (" (pass other.state_dict(), not the module itself)"
                    if callable(getattr(state_dict, "state_dict", None)) else "")
            raise StateDictError(
                f"{type(self).__name__}.load_state_dict: expected a dict of str -> array "
                f"(from state_dict() or minnet.load), got {type(state_dict).__name__}{hint}")
        strict = check_bool(f"{type(self).__name__}.load_state_dict", "strict", strict)
        entries = list(self._state_entries())
        own_keys = {key for key, *_ in entries}
        missing = [key for key, *_ in entries if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own_keys]
        problems = []
        if strict and missing:
            problems.append("Missing key(s) in state_dict: "
                            + ", ".join(f'"{key}"' for key in missing) + ".")
        if strict and unexpected:
            problems.append("Unexpected key(s) in state_dict: "
                            + ", ".join(f'"{key}"' for key in unexpected) + ".")
        values = {}
        for key, module, name, current in entries:
            if key not in state_dict:
                continue
            value, problem = _checked_value(key, state_dict[key], current)
            if problem is None:
                reason = module.check_loaded_state(name, value)
                if reason is not None:
                    problem = f"wrong value for {key}: {reason}."
            if problem is not None:
                problems.append(problem)
            values[key] = value
        if problems:
            raise StateDictError(f"Error(s) in loading state_dict for {type(self).__name__}:"
                                 + "".join(f"\n\t{problem}" for problem in problems))
        for key, module, name, current in entries:
            if key not in values:
                continue
            if name in module._parameters:  # in place: optimizers hold the Parameter
                np.copyto(module._parameters[name].data, values[key], casting="unsafe")
            else:
                module._buffers[name] = np.array(values[key], dtype=current.dtype)
        return IncompatibleKeys(missing, unexpected)


def _checked_value(key, value, current):
    """``(array, None)`` when ``value`` can replace ``current``, else ``(None, problem)``."""
    kind = "an integer" if current.dtype.kind in "iu" else "a float"
    expected = f"expected {kind} array of shape {current.shape}"
    if value is None:
        return None, f"wrong value for {key}: {expected}, got None."
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        return None, f"wrong value for {key}: {expected}, got {type(value).__name__} ({error})."
    if array.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "O": "Python objects", "U": "strings",
                "S": "bytes"}.get(array.dtype.kind, f"dtype {array.dtype}")
        return None, f"wrong value for {key}: {expected}, got an array of {what}."
    if array.shape != current.shape:  # PyTorch's wording for this one
        return None, (f"size mismatch for {key}: copying a param with shape {array.shape} from "
                      f"checkpoint, the shape in current model is {current.shape}.")
    if current.dtype.kind in "iu" and array.dtype.kind == "f":
        whole = np.isfinite(array) & (array == np.round(array))
        if not whole.all():
            return None, (f"wrong value for {key}: {expected} (a count), got "
                          f"{array[~whole].flat[0]!r}, which is not a whole number.")
    return array, None
