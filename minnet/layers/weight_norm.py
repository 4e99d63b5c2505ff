"""Weight normalization applied to any layer: ``weight_norm(module, name="weight", dim=0)``.

As ``torch.nn.utils.weight_norm``: the layer's parameter ``weight`` is
replaced by two Parameters, ``weight_g`` (magnitudes) and ``weight_v``
(directions), and ``w = g * v / ||v||`` is recomputed before every forward.
Nothing in the wrapped layer changes: a forward pre-hook writes ``w`` where
the layer reads its weight, and a backward hook turns the layer's weight
gradient into gradients for ``g`` and ``v`` (``weight_norm_backward``). So it
works on any layer that reads ``self.<name>.data`` in forward and adds into
``self.<name>.grad`` in backward, by name (Linear, Conv1d, Conv2d, and RNN, LSTM and GRU with
``name="weight_hh_l0"`` or another of their weights).

The computed weight stays reachable as ``module.weight`` (a plain attribute,
no longer a trainable parameter: optimizers and state_dict see only
``weight_g`` and ``weight_v``). Call the layer (``module(x)``), not
``module.forward(x)``, so that the hook runs.
"""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError
from minnet.functional.weightnorm import norm_except_dim, weight_norm_backward, weight_norm_forward
from minnet.validation import owner_name


class WeightNorm:
    """The hooks ``weight_norm`` installs on a layer for one parameter ``name``.

    Holds no reference to the layer (it is handed the layer on every call),
    so a deep copy of the layer carries working hooks of its own.
    """

    def __init__(self, name, dim):
        self.name = name
        self.dim = dim

    @property
    def cache_attribute(self):
        return f"_{self.name}_norm_cache"

    def compute_weight(self, module):
        """Set the layer's ``<name>`` to ``g * v / ||v||``; keep what the backward needs."""
        g = module._parameters[f"{self.name}_g"].data
        v = module._parameters[f"{self.name}_v"].data
        weight, cache = weight_norm_forward(g, v, self.dim)
        hidden = module.__dict__[self.name]
        hidden.data = weight
        if hidden.grad.shape != weight.shape or hidden.grad.dtype != weight.dtype:
            hidden.grad = np.zeros_like(weight)
        object.__setattr__(module, self.cache_attribute, cache)

    def __call__(self, module, x):
        """Forward pre-hook: recompute the weight from the current g and v."""
        self.compute_weight(module)

    def before_backward(self, module, grad_out):
        """Backward pre-hook: the layer's weight gradient starts from zero for this call."""
        module.__dict__[self.name].grad.fill(0)

    def after_backward(self, module, grad_in, grad_out):
        """Backward hook: the layer added dL/dw into its weight's grad; pass it on to g and v."""
        grad_g, grad_v = weight_norm_backward(module.__dict__[self.name].grad,
                                              module.__dict__[self.cache_attribute])
        module._parameters[f"{self.name}_g"].add_grad(grad_g)
        module._parameters[f"{self.name}_v"].add_grad(grad_v)


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (Salimans & Kingma, 2016).

    Parameters
    ----------
    module : Module holding a Parameter called ``name``
    name : str, the parameter to reparametrize (default ``"weight"``)
    dim : int or None
        The axis that keeps one magnitude per index: 0 (default) gives one
        ``g`` per output unit (``weight_g`` of shape (out, 1) for Linear,
        (out, 1, 1, 1) for Conv2d). None, or -1 as in PyTorch, normalizes the
        whole tensor (``weight_g`` of shape ()).

    Returns
    -------
    The same module, modified in place: Parameters ``<name>_g`` and
    ``<name>_v`` replace ``<name>`` (state_dict keys as PyTorch's, e.g.
    ``bias``, ``weight_g``, ``weight_v`` for Linear). At first ``v`` is the
    old weight and ``g`` its norm, so the layer computes what it computed before.
    """
    if not isinstance(module, Module):
        raise ConfigError(f"weight_norm: expected a Module, got {type(module).__name__}")
    if _find_hook(module, name) is not None:
        raise ConfigError(f"weight_norm: {owner_name(module)} already has weight "
                          f"normalization on '{name}'")
    param = module._parameters.get(name) if isinstance(name, str) else None
    if param is None:
        raise ConfigError(
            f"weight_norm: expected the name of a parameter of {owner_name(module)}, one of "
            f"{list(module._parameters)}; got {name!r}")
    dim = _check_dim(module, name, dim, param.data.ndim)
    hook = WeightNorm(name, dim)
    weight = param.data
    del module._parameters[name]
    object.__setattr__(module, name, Parameter(weight, name=name))  # hidden: not registered
    setattr(module, f"{name}_g", Parameter(norm_except_dim(weight, dim)))
    setattr(module, f"{name}_v", Parameter(weight))
    hook.compute_weight(module)
    module.register_forward_pre_hook(hook)
    module.register_backward_pre_hook(hook.before_backward)
    module.register_backward_hook(hook.after_backward)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo ``weight_norm``: ``<name>`` becomes an ordinary Parameter holding g * v / ||v||.

    Returns the module, modified in place.
    """
    hook = _find_hook(module, name) if isinstance(module, Module) else None
    if hook is None:
        given = owner_name(module) if isinstance(module, Module) else type(module).__name__
        raise ConfigError(f"remove_weight_norm: expected a module with weight normalization "
                          f"on '{name}', got {given}")
    hook.compute_weight(module)
    weight = module.__dict__.pop(name).data
    for hooks in (module._forward_pre_hooks, module._backward_pre_hooks,
                  module._backward_hooks):
        for key, fn in list(hooks.items()):
            if getattr(fn, "__self__", fn) is hook:
                del hooks[key]
    object.__delattr__(module, hook.cache_attribute)
    del module._parameters[f"{name}_g"]
    del module._parameters[f"{name}_v"]
    setattr(module, name, Parameter(weight))
    return module


def _find_hook(module, name):
    """The WeightNorm hook of ``module`` for ``name``, or None."""
    for fn in module._forward_pre_hooks.values():
        if isinstance(fn, WeightNorm) and fn.name == name:
            return fn
    return None


def _check_dim(module, name, dim, ndim):
    if dim is None or (not isinstance(dim, bool) and isinstance(dim, (int, np.integer))
                       and dim == -1):
        return None
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 0 <= dim < ndim:
        raise ConfigError(
            f"weight_norm: the 'dim' parameter must be None (or -1: the whole tensor) or an "
            f"int in [0, {ndim}) for {owner_name(module)}.{name} of {ndim} dimension(s), "
            f"got {dim!r}")
    return int(dim)
