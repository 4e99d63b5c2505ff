"""Parameter, Module and Sequential: the explicit-backward core of minnet.

A Module owns Parameters and child Modules, registered by attribute
assignment as in PyTorch. ``forward`` computes and caches what ``backward``
needs; ``backward(grad_out)`` ADDS each parameter's gradient into
``param.grad`` and returns the gradient with respect to the input. There is
no autograd: the caller runs ``model.backward(loss_fn.backward())``.

The error hierarchy lives in ``minnet.errors`` and is re-exported here.

Parameter lives in ``minnet.parameter``, the hook plumbing in ``minnet.hooks``,
the cache stack (one pending cache per forward, popped by its backward) in
``minnet.cache_stack``, state_dict/load_state_dict in ``minnet.module_state``
and the constructor-argument check in ``minnet.arguments``; they are
re-exported here.

A registered Parameter keeps its shape: replacing it with one of another
shape is refused at assignment, and a ``.data`` of another shape (or not a
float array) is refused at the next call, naming the layer and both shapes
(``del layer.weight`` first to change a layer's shape on purpose).
"""

from collections import OrderedDict

import numpy as np

from minnet.arguments import CheckedArguments, checked_init
from minnet.cache_stack import CacheStack, PendingForwardWarning  # noqa: F401
from minnet.errors import (  # noqa: F401  (re-exported: the contract names core.py)
    ArgumentError,
    CheckpointError,
    CheckpointNotFoundError,
    CheckpointWriteError,
    ConfigError,
    DataError,
    DTypeError,
    GradcheckError,
    LayerCheckError,
    MinnetError,
    ShapeError,
    StateDictError,
)
from minnet.hooks import RemovableHandle, with_backward_hooks
from minnet.module_state import IncompatibleKeys, StateDictMixin  # noqa: F401
from minnet.parameter import Parameter
from minnet.validation import FLOAT_DTYPES, as_float_dtype, check_bool, owner_name


class Module(StateDictMixin, CacheStack, CheckedArguments):
    """Base class of every layer and model.

    Subclasses call ``super().__init__()`` first, assign Parameters and child
    Modules as attributes, register non-trainable state (batch-norm running
    statistics) with ``register_buffer``, and implement ``forward(x)`` and
    ``backward(grad_out)``. A layer's forward pushes what its backward needs
    with ``self.push_cache(cache)``; its backward takes it back with
    ``self.pop_cache(grad_out, output_shape)`` and adds each parameter's
    gradient with ``param.add_grad(grad)`` (see ``minnet.cache_stack``).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None and not getattr(backward, "_minnet_hooked", False):
            cls.backward = with_backward_hooks(backward)

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_parameter_shapes", {})  # name -> shape at registration
        object.__setattr__(self, "training", True)

    # --- registration ------------------------------------------------------

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if name in self._parameters and value is not None and not isinstance(value, Parameter):
            raise ConfigError(  # PyTorch refuses it too; a plain array would lose its .grad
                f"{owner_name(self)}: cannot assign {type(value).__name__} as parameter "
                f"'{name}' (a Parameter or None expected); to change its values, write "
                f"layer.{name}.data[...] = values")
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry and not isinstance(value, (Parameter, Module)):
                if registry is self._buffers:
                    self._buffers[name] = value
                    return
                del registry[name]
        if isinstance(value, Parameter):
            shapes = self.__dict__.setdefault("_parameter_shapes", {})
            if name in self._parameters and value.shape != shapes.get(name, value.shape):
                raise ShapeError(
                    f"{owner_name(self)}: cannot replace parameter '{name}' of shape "
                    f"{shapes[name]} with one of shape {value.shape}; the layer computes with "
                    f"{shapes[name]} (build a new layer, or `del` the parameter first to "
                    f"change its shape on purpose)")
            self._modules.pop(name, None)
            self.__dict__.pop(name, None)
            if value.name is None:
                value.name = name
            self._parameters[name] = value
            shapes[name] = value.shape
        elif isinstance(value, Module):
            self._parameters.pop(name, None)
            self.__dict__.pop(name, None)
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name, array):
        """Register non-trainable state saved in ``state_dict`` (running statistics)."""
        self.__dict__.pop(name, None)
        self._buffers[name] = None if array is None else np.asarray(array)

    def add_module(self, name, module):
        """Register a child module under ``name`` (used by containers)."""
        if not isinstance(module, Module):
            raise ConfigError(
                f"{type(self).__name__}.add_module: expected a Module for '{name}', "
                f"got {type(module).__name__}"
            )
        setattr(self, name, module)

    # --- traversal ---------------------------------------------------------

    def named_children(self):
        return iter(self._modules.items())

    def children(self):
        return iter(self._modules.values())

    def named_modules(self, prefix=""):
        """Yield ``(dotted_name, module)`` for this module and every descendant."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return (module for _, module in self.named_modules())

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule, children first, then on self; return self.

        PyTorch's order (post-order), e.g. to initialize weights:
        ``model.apply(lambda m: mn.init.xavier_(m.weight) if isinstance(m, mn.Linear)
        else None)``.
        """
        if not callable(fn):
            raise ConfigError(f"{type(self).__name__}.apply: expected a callable fn(module), "
                              f"got {fn!r}")
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def named_parameters(self, prefix="", recurse=True):
        """Yield ``(dotted_name, Parameter)``, own parameters first, each once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse=True):
        """Return the list of Parameters (a list, so it can be iterated twice)."""
        return [param for _, param in self.named_parameters(recurse=recurse)]

    def named_buffers(self, prefix=""):
        for module_name, module in self.named_modules(prefix):
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def num_parameters(self):
        """Total number of trainable scalars."""
        return int(sum(param.size for param in self.parameters()))

    # --- modes and gradients -----------------------------------------------

    def train(self, mode=True):
        """Set training mode on this module and every descendant; return self."""
        mode = check_bool(f"{type(self).__name__}.train", "mode", mode)
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Evaluation mode (dropout off, batch norm on running statistics); return self."""
        return self.train(False)

    def zero_grad(self):
        """Fill every parameter's ``.grad`` with zeros in place."""
        for param in self.parameters():
            param.zero_grad()

    # --- computation -------------------------------------------------------

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_out):
        raise NotImplementedError(
            f"{type(self).__name__} must implement backward(grad_out)"
        )

    def __call__(self, x, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, x)
            if result is not None:
                x = result
        self._check_parameters()
        out = self.forward(x, *args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, x, out)
            if result is not None:
                out = result
        return out

    def _check_parameters(self):
        """Refuse a parameter whose ``.data`` lost the shape or float dtype it was registered with.

        ``layer.weight.data = np.zeros((3, 3))`` cannot be caught at assignment
        (a Parameter's data is a plain attribute); here it becomes a clear error
        before the layer's maths meets it.
        """
        shapes = self.__dict__.get("_parameter_shapes", {})
        for name, param in self._parameters.items():
            data = param.data
            expected = shapes.get(name)
            if (isinstance(data, np.ndarray) and data.dtype in FLOAT_DTYPES
                    and (expected is None or data.shape == expected)):
                continue
            fix = (f"assign values of that shape and dtype (layer.{name}.data[...] = values), "
                   f"or build a new layer")
            if isinstance(data, np.ndarray) and expected is not None and data.shape != expected:
                raise ShapeError(f"{owner_name(self)}: expected {name} of shape {expected} (the "
                                 f"shape it was registered with), got {data.shape}; {fix}")
            given = (f"an array of dtype {data.dtype}" if isinstance(data, np.ndarray)
                     else f"a {type(data).__name__}")
            raise DTypeError(f"{owner_name(self)}: expected {name} to hold a float32 or float64 "
                             f"array, got {given}; {fix}")

    # --- hooks -------------------------------------------------------------

    def _add_hook(self, hooks, fn):
        if not callable(fn):
            raise ConfigError(f"{type(self).__name__}: a hook must be callable, got {fn!r}")
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def register_forward_pre_hook(self, fn):
        """``fn(module, x)`` before forward; a non-None return replaces ``x``."""
        return self._add_hook(self._forward_pre_hooks, fn)

    def register_forward_hook(self, fn):
        """``fn(module, x, out)`` after forward; a non-None return replaces ``out``."""
        return self._add_hook(self._forward_hooks, fn)

    def register_backward_pre_hook(self, fn):
        """``fn(module, grad_out)`` before backward (gradients not yet added)."""
        return self._add_hook(self._backward_pre_hooks, fn)

    def register_backward_hook(self, fn):
        """``fn(module, grad_in, grad_out)`` after backward; non-None replaces ``grad_in``."""
        return self._add_hook(self._backward_hooks, fn)

    # --- dtype ---------------------------------------------------------------

    def to(self, dtype):
        """Cast parameters, their gradients and float buffers to float32 or float64."""
        dtype = as_float_dtype(f"{type(self).__name__}.to", dtype)
        for module in self.modules():
            for param in module._parameters.values():
                param.data = param.data.astype(dtype)
                param.grad = param.grad.astype(dtype)  # has_grad and requires_grad unchanged
            for name, buffer in module._buffers.items():
                if buffer is not None and np.asarray(buffer).dtype.kind == "f":
                    module._buffers[name] = np.asarray(buffer).astype(dtype)
        return self

    @property
    def dtype(self):
        """The dtype of the first parameter (None for a module without parameters)."""
        for param in self.parameters():
            return param.dtype
        return None

    # --- display -----------------------------------------------------------

    def extra_repr(self):
        """The constructor arguments shown inside the parentheses of the repr."""
        return ""

    def __repr__(self):
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in self._modules.items():
            child_lines = repr(child).split("\n")
            count = child.num_parameters()
            suffix = f"  # {count:,} params" if count else ""
            child_lines[0] = f"({name}): {child_lines[0]}"
            child_lines[-1] += suffix  # on the last line: after the closing parenthesis
            lines.extend("  " + line for line in child_lines)
        lines.append(")")
        return "\n".join(lines)

    def summary(self):
        """The repr plus the total parameter count."""
        return f"{self!r}\nTotal parameters: {self.num_parameters():,}"


Module.__init__ = checked_init(Module.__init__)  # Flatten(3): "Flatten: too many ..."


class Sequential(Module):
    """Chain modules: ``forward`` runs them in order, ``backward`` in reverse.

    ``Sequential(Linear(784, 100), ReLU(), Linear(100, 10))`` registers the
    children as ``"0"``, ``"1"``, ``"2"``, so its state_dict keys are
    ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``, as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise ConfigError(
                    f"Sequential: argument {index} must be a Module, got "
                    f"{type(module).__name__}; did you pass a class instead of an "
                    f"instance (Linear instead of Linear(...))?"
                )
            self.add_module(str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def backward(self, grad_out):
        """Backward through the children in reverse; returns dL/dx (None when the first
        child was built with ``input_grad=False``)."""
        for module in reversed(self._modules.values()):
            grad_out = module.backward(grad_out)
        return grad_out

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


__all__ = [
    "Parameter", "Module", "Sequential", "RemovableHandle", "IncompatibleKeys",
    "PendingForwardWarning",
    "MinnetError", "ShapeError", "ConfigError", "ArgumentError", "DTypeError", "DataError",
    "StateDictError", "CheckpointError", "GradcheckError",
]
