"""Reading a model in execution order, for lint: layer kinds, chains, output-side layers.

Order is known only where the library defines it: a ``Sequential`` runs its
children in turn (nested ones are inlined) and a ``Residual`` computes
``x + block(x)``. Any other container is a custom ``forward`` whose order we
cannot know, so it is treated as an opaque layer: rules that need order say
nothing across it (a silent rule is better than a false alarm). Modules are
recognized by class name (anywhere in their MRO), so layers written by
teammates or subclassed by users need no import here.

Linearity through a Residual: ``x + A x`` is still linear, so a Residual whose
block holds only affine and linear parameterless layers counts as one affine
layer; a block with any nonlinearity makes the Residual nonlinear. Entering a
block starts afresh: ``Linear`` then ``Residual(Linear, ReLU, Linear)`` is the
usual residual stream (the skip keeps the first layer's output), not a stack.
"""

from minnet.core import Sequential
from minnet.diagnostics._shared import class_names
from minnet.layers.residual import Residual

AFFINE = {"Linear", "Conv1d", "Conv2d"}
# Parameterless or affine-at-evaluation layers that keep a composition linear.
TRANSPARENT = {"Dropout", "Dropout2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
               "Flatten", "Reshape", "Identity", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
               "AdaptiveAvgPool2d"}
SHAPE_ONLY = {"Flatten", "Reshape", "Identity"}
POOLS = {"MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
         "AdaptiveAvgPool2d"}
BATCH_NORMS = {"BatchNorm1d", "BatchNorm2d"}
NORMS = BATCH_NORMS | {"LayerNorm", "GroupNorm"}
RECURRENT = {"RNN", "LSTM", "GRU"}
RELU_FAMILY = {"ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus"}  # He init fits them


def is_sequential(module):
    return isinstance(module, Sequential) and type(module).forward is Sequential.forward


def is_residual(module):
    return isinstance(module, Residual) and type(module).forward is Residual.forward


def join(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def flatten(name, module):
    """Yield ``(name, module)`` in execution order, inlining nested Sequentials."""
    if is_sequential(module):
        for child_name, child in module.named_children():
            yield from flatten(join(name, child_name), child)
    else:
        yield name, module


def chains(name, module):
    """Yield every chain (a list of ``(name, module)``) whose execution order is known."""
    if is_sequential(module):
        chain = list(flatten(name, module))
        yield chain
        for child_name, child in chain:
            yield from _inner_chains(child_name, child)
    else:
        yield from _inner_chains(name, module)


def _inner_chains(name, module):
    if is_residual(module):
        block_name = join(name, "block")
        if not is_sequential(module.block):  # Residual(Linear(...)): a chain of one
            yield [(block_name, module.block)]
        yield from chains(block_name, module.block)
    else:  # a leaf yields nothing; a custom container may hold Sequentials
        for child_name, child in module.named_children():
            yield from chains(join(name, child_name), child)


def kind(module):
    """One of "affine", "transparent", "activation", "other" (see the module docstring)."""
    names = set(class_names(module))
    if is_residual(module):
        kinds = {kind(child) for _, child in flatten("", module.block)}
        if kinds <= {"affine", "transparent"}:
            return "affine" if "affine" in kinds else "transparent"
        return "other"
    if names & AFFINE:
        return "affine"
    if names & TRANSPARENT:
        return "transparent"
    if "Activation" in names:
        return "activation"
    return "other"


def last_layer(name, module):
    """The ``(name, module)`` that produces the output (trailing reshapes skipped)."""
    if is_sequential(module):
        for child_name, child in reversed(list(module.named_children())):
            if SHAPE_ONLY.isdisjoint(class_names(child)):
                return last_layer(join(name, child_name), child)
    return name, module  # a Residual ends with an addition, a custom module is opaque


def output_side_layers(model, all_chains, weight_layers):
    """Names of the layers whose rows get distinct gradients whatever their init.

    The affine layer that ends a chain (the model's output layer: each row is
    one output, pulled apart by the loss; the last layer of a residual block)
    with only activations or transparent layers after it. Zero-initializing
    these is a known, healthy technique (Fixup, zero-init residual branches).
    ``weight_layers``: the names of the layers with weights, in registration
    order; for an opaque model the last one is taken as the output layer.
    """
    exempt = set()
    for chain in all_chains:
        for name, module in reversed(chain):
            layer_kind = kind(module)
            if layer_kind == "affine":
                exempt.add(name)
            if layer_kind not in ("activation", "transparent"):
                break
    if not is_sequential(model):
        exempt.update(weight_layers[-1:])
    return exempt


def next_activations(all_chains):
    """Map each affine layer's name to the activation class name that follows it (or None)."""
    following = {}
    for chain in all_chains:
        for index, (name, module) in enumerate(chain):
            if kind(module) != "affine":
                continue
            for _, after in chain[index + 1:]:
                after_kind = kind(after)
                if after_kind != "transparent":
                    following[name] = type(after).__name__ if after_kind == "activation" else None
                    break
    return following
