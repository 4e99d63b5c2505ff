"""ModuleList, ModuleDict and Identity: PyTorch's small building blocks for models.

ModuleList and ModuleDict hold submodules so that their parameters, modes
and state_dict entries are registered (``blocks.0.weight``, ``heads.cls.bias``,
the keys PyTorch gives the same structure). Like PyTorch's, they have no
forward: your own Module's forward iterates over them, and its backward
iterates in reverse::

    class Tower(mn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = mn.ModuleList([mn.Linear(8, 8), mn.ReLU(), mn.Linear(8, 2)])

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

        def backward(self, grad_out):
            for block in reversed(self.blocks):
                grad_out = block.backward(grad_out)
            return grad_out
"""

import operator
from collections.abc import Mapping

from minnet.core import Module
from minnet.errors import ConfigError, DTypeError, MinnetError
from minnet.validation import as_array, owner_name


class Identity(Module):
    """``forward(x)`` returns ``x``; ``backward(grad_out)`` returns ``grad_out``.

    A placeholder: replace a layer without changing the model's structure
    (``model.classifier = Identity()`` to get features). Any constructor
    arguments are accepted and ignored, as in PyTorch, so that
    ``layer_class(in_features, out_features)`` works when ``layer_class`` may
    be Identity.

    Shapes: any -> the same array (not a copy). No parameters.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()  # the arguments are ignored on purpose (PyTorch's Identity)

    def forward(self, x):
        x = as_array(self, x)  # a ragged list: a ShapeError, not NumPy's ValueError
        if x.dtype.kind not in "fiub":
            raise DTypeError(f"{owner_name(self)}: expected a numeric input, got an array of "
                             f"dtype {x.dtype}")
        self.push_cache(x.shape)
        return x

    def backward(self, grad_out):
        """Return ``grad_out`` itself: d(x)/dx is the identity."""
        self.pop_cache(grad_out, lambda shape: shape)
        return grad_out


class _Container(Module):
    """What ModuleList and ModuleDict share: no forward or backward of their own."""

    usage = ""  # how a Module's forward and backward use the container, for the message

    def _no_computation(self, method):
        return MinnetError(
            f"{type(self).__name__} is a container, not a layer: it has no {method}() (as in "
            f"PyTorch). Use it inside your own Module: {self.usage}; or use Sequential for a "
            f"plain chain.")

    def forward(self, *args, **kwargs):
        raise self._no_computation("forward")

    def backward(self, grad_out):
        raise self._no_computation("backward")


def _checked(owner, module, where):
    if not isinstance(module, Module):
        hint = (" (a class: did you mean an instance, e.g. Linear(...)?)"
                if isinstance(module, type) else "")
        raise ConfigError(f"{owner}: expected a Module {where}, got "
                          f"{type(module).__name__}{hint}")
    return module


class ModuleList(_Container):
    """A list of modules, registered under "0", "1", ... as in PyTorch.

    Parameters
    ----------
    modules : iterable of Module, or None

    Supports ``append``, ``extend``, ``insert``, ``pop``, indexing (negative
    too), slicing (a new ModuleList of the same modules), assignment and
    deletion by index (later modules are renumbered), ``len``, iteration and
    ``+``/``+=``. Calling it raises: iterate over it in your Module's forward.
    """

    usage = ("its forward runs `for layer in self.layers: x = layer(x)` and its backward runs "
             "them in reverse, `for layer in reversed(self.layers): grad_out = "
             "layer.backward(grad_out)`")

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _index(self, index):
        """``index`` as a position in [0, len), or IndexError naming the list."""
        position = operator.index(index)
        count = len(self._modules)
        if not -count <= position < count:
            raise IndexError(f"ModuleList: index {position} is out of range for a list of "
                             f"{count} module(s)")
        return position % count

    def _renumber(self, modules):
        self._modules.clear()
        for position, module in enumerate(modules):
            self._modules[str(position)] = module

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[self._index(index)]

    def __setitem__(self, index, module):
        self._modules[str(self._index(index))] = _checked("ModuleList", module,
                                                          f"at index {index}")

    def __delitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules.values()))

    def __reversed__(self):
        return reversed(list(self._modules.values()))

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList([*self, *other])

    def append(self, module):
        """Add ``module`` at the end; return self."""
        self._modules[str(len(self._modules))] = _checked(
            "ModuleList.append", module, f"at index {len(self._modules)}")
        return self

    def extend(self, modules):
        """Append every module of an iterable; return self."""
        if isinstance(modules, (Module, str, Mapping)) or not hasattr(modules, "__iter__"):
            raise ConfigError(f"ModuleList.extend: expected an iterable of Modules (a list), "
                              f"got {type(modules).__name__}")
        modules = list(modules)
        start = len(self._modules)
        for offset, module in enumerate(modules):
            _checked("ModuleList", module, f"at index {start + offset}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index`` (list semantics); later ones move up."""
        modules = list(self._modules.values())
        modules.insert(operator.index(index), _checked("ModuleList.insert", module,
                                                        f"at index {index}"))
        self._renumber(modules)

    def pop(self, index=-1):
        """Remove and return the module at ``index`` (the last by default)."""
        module = self[index]
        del self[index]
        return module


class ModuleDict(_Container):
    """An ordered dict of modules, registered under their keys, as in PyTorch.

    Parameters
    ----------
    modules : a mapping (dict, ModuleDict) or an iterable of (key, module) pairs, or None

    Keys are non-empty strings without "." (state_dict keys are dotted paths)
    that are not already attribute names of the ModuleDict (``"train"``,
    ``"forward"``). Supports ``d[key]``, assignment, ``del``, ``in``, ``len``,
    iteration over the keys, ``keys``, ``values``, ``items``, ``update``,
    ``pop`` and ``clear``. Calling it raises: use it in your Module's forward.
    """

    usage = ("its forward calls the entries it needs, `x = self.heads[name](x)`, and its "
             "backward calls their backward in reverse order, `grad_out = "
             "self.heads[name].backward(grad_out)`")

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _check_key(self, key):
        if not isinstance(key, str) or not key or "." in key:
            raise ConfigError(f"ModuleDict: expected a key that is a non-empty string without "
                              f"'.', got {key!r}")
        if key not in self._modules and hasattr(self, key):
            raise ConfigError(f"ModuleDict: the key {key!r} is already an attribute of "
                              f"ModuleDict (a method or a flag); choose another key")
        return key

    def __getitem__(self, key):
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no key {key!r}; its keys are {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key, module):
        key = self._check_key(key)
        self._modules[key] = _checked("ModuleDict", module, f"for key {key!r}")

    def __delitem__(self, key):
        self[key]  # noqa: B018  (the KeyError naming the keys)
        del self._modules[key]

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules))

    def keys(self):
        return list(self._modules.keys())

    def values(self):
        return list(self._modules.values())

    def items(self):
        return list(self._modules.items())

    def update(self, modules):
        """Add or replace entries from a mapping or an iterable of (key, module) pairs."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, (Module, str)) or not hasattr(modules, "__iter__"):
            raise ConfigError(f"ModuleDict.update: expected a mapping or an iterable of "
                              f"(key, module) pairs, got {type(modules).__name__}")
        else:
            pairs = list(modules)
            for position, pair in enumerate(pairs):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise ConfigError(f"ModuleDict.update: expected (key, module) pairs, got "
                                      f"{pair!r} at position {position}")
        for key, module in pairs:  # all checked before any is added
            self._check_key(key)
            _checked("ModuleDict", module, f"for key {key!r}")
        for key, module in pairs:
            self[key] = module

    def pop(self, key):
        """Remove ``key`` and return its module."""
        module = self[key]
        del self[key]
        return module

    def clear(self):
        """Remove every entry."""
        self._modules.clear()
