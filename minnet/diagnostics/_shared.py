"""What the doctor's rooms share: private copies of the user's objects.

Every check that trains or probes works on copies, so that the user's
model, optimizer and loss are left exactly as they were, and so that a
``watch()`` attached to them does not see the doctor's own runs.
"""

import copy
from collections import OrderedDict

from minnet.core import Module
from minnet.losses import RegularizedLoss

# The Module attributes that hold hooks (minnet.core.Module.__init__).
HOOK_REGISTRIES = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                   "_backward_pre_hooks")


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
