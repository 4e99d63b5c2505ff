"""What the doctor's rooms share, written once: copies, the loss inside, layer names.

- ``private_copies``: every check that trains or probes works on copies, so
  that the user's model, optimizer and loss are left exactly as they were,
  and so that a ``watch()`` attached to them does not see the doctor's runs;
- ``data_loss_of`` and ``task_of``: the loss that sees the model's output,
  and the kind of task it trains (classification or regression);
- ``layer_where`` and ``submodule_where``: how a finding names a layer;
  ``class_names``: how a layer kind is recognized (by class name, anywhere in
  its class hierarchy, so the doctor needs no import of any layer family);
- ``forward_with_hooks``: one forward pass with temporary hooks.
"""

import copy
from collections import OrderedDict

from minnet.core import Module
from minnet.grad_mode import no_grad
from minnet.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
    SmoothL1Loss,
)

# The Module attributes that hold hooks (minnet.core.Module.__init__).
HOOK_REGISTRIES = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                   "_backward_pre_hooks")

# The losses by task. MULTICLASS: class scores on axis 1; BINARY: one probability per output.
MULTICLASS = (CrossEntropyLoss, NLLLoss)
BINARY = (BCEWithLogitsLoss, BCELoss)
REGRESSION = (MSELoss, L1Loss, SmoothL1Loss, HuberLoss)


# --- copies -------------------------------------------------------------------------

def private_copies(*objects):
    """Deep-copy ``objects`` together, without module hooks or monitor wrappers.

    Copying together keeps shared identities: an optimizer copied with its
    model updates the copied Parameters, and a RegularizedLoss copied with
    its model penalizes the copied weights. Left out of the copies: every
    module's hooks and pending forwards (the user's, or a watcher's), and
    the monitor's wrappers of ``loss_fn.forward``/``backward`` and
    ``optimizer.step`` (instance attributes marked ``_minnet_monitor``),
    which would call the originals. Returns a tuple, one copy per object.
    """
    memo = {}
    for obj in objects:
        model = obj.model if isinstance(obj, RegularizedLoss) else obj
        if isinstance(model, Module):
            for module in model.modules():
                for registry in HOOK_REGISTRIES:
                    hooks = module.__dict__.get(registry)
                    if hooks is not None:
                        memo[id(hooks)] = OrderedDict()
                pending = module.__dict__.get("_cache_stack")
                if pending is not None:  # the user's pending forwards stay theirs
                    memo[id(pending)] = []
    copies = copy.deepcopy(tuple(objects), memo)
    for obj in copies:
        _unwrap(obj)
        if isinstance(obj, RegularizedLoss):
            _unwrap(obj.loss_fn)
    return copies


def _unwrap(obj):
    """Remove the monitor's wrappers (instance attributes marked ``_minnet_monitor``)."""
    state = getattr(obj, "__dict__", {})
    for name in [name for name, value in state.items()
                 if getattr(value, "_minnet_monitor", False)]:
        del state[name]


# --- the loss -----------------------------------------------------------------------

def data_loss_of(loss_fn):
    """The data loss inside any RegularizedLoss wrappers (the loss that sees the output);
    any other loss, or None, as it is."""
    while isinstance(loss_fn, RegularizedLoss):
        loss_fn = loss_fn.loss_fn
    return loss_fn


def task_of(loss_fn):
    """``"multiclass"``, ``"binary"``, ``"regression"`` or None (an unknown loss)."""
    inner = data_loss_of(loss_fn)
    if isinstance(inner, MULTICLASS):
        return "multiclass"
    if isinstance(inner, BINARY):
        return "binary"
    if isinstance(inner, REGRESSION):
        return "regression"
    return None


# --- layers -------------------------------------------------------------------------

def class_names(module):
    """The names of the module's class and of every base class, in method resolution order."""
    return tuple(cls.__name__ for cls in type(module).__mro__)


def layer_where(name, module, root="model"):
    """How a finding names a layer: ``"<dotted name> (<ClassName>)"``, e.g. ``"2 (ReLU)"``.

    The model itself (``name == ""``) is called ``root``; with ``root=None``,
    by its class name alone (``"Softmax"``).
    """
    label = name or root
    return f"{label} ({type(module).__name__})" if label else type(module).__name__


def submodule_where(model, target):
    """``layer_where`` of ``target``, found by identity among ``model``'s modules; the model
    itself is called by its class name. ``"(<ClassName>)"`` when ``target`` is not there."""
    for name, module in model.named_modules():
        if module is target:
            return layer_where(name, module, root=type(model).__name__)
    return f"({type(target).__name__})"


def forward_with_hooks(model, x, modules, hook, pre=False):
    """Run ``model(x)`` under ``no_grad`` with ``hook`` on each of ``modules``, removed after.

    ``hook(module, inputs, output)`` is a forward hook; with ``pre=True``,
    ``hook(module, inputs)`` a forward pre-hook. Returns the model's output.
    """
    register = "register_forward_pre_hook" if pre else "register_forward_hook"
    handles = [getattr(module, register)(hook) for module in modules]
    try:
        with no_grad():
            return model(x)
    finally:
        for handle in handles:
            handle.remove()
