"""Common layer checks of the module contract: repr, state_dict, modes, seeds, bad input."""

import numpy as np

from minnet.errors import MinnetError, StateDictError
from minnet.testing.harness import (
    LayerCheckError,
    build_layer,
    describe,
    fail,
    make_input,
    max_change,
    names_the_layer,
    start_check,
    upstream_gradient,
)

# Layers whose output legitimately differs between train() and eval(), by class
# name (a layer holds no test code). Any submodule in this table exempts the model.
TRAIN_EVAL_DIFFERS = {
    "Dropout": "drops units in training, is the identity in evaluation",
    "Dropout2d": "drops whole channels in training, is the identity in evaluation",
    "BatchNorm1d": "normalizes with batch statistics in training, running ones in evaluation",
    "BatchNorm2d": "normalizes with batch statistics in training, running ones in evaluation",
}


def check_repr(layer, input_shape, rng=None, input_fn=None):
    """repr(layer) does not raise and contains the class name."""
    module, _, _ = start_check(layer, rng)
    try:
        text = repr(module)
    except Exception as err:
        raise LayerCheckError(f"check_repr: {describe(module)}: repr raised "
                              f"{type(err).__name__}: {err}") from err
    if type(module).__name__ not in text:
        fail("check_repr", module, f"expected the repr to contain the class name "
             f"{type(module).__name__!r}, got {text!r}")


def check_state_dict(layer, input_shape, rng=None, input_fn=None):
    """state_dict round trip: a perturbed copy loads it and reproduces the output exactly."""
    module, generator, seed = start_check(layer, rng)
    module.eval()  # running statistics take part in the output
    x = make_input(input_shape, generator, input_fn=input_fn)
    state = module.state_dict()
    reference = module(x)
    fresh = build_layer(layer, seed + 1).eval()
    for param in fresh.parameters():
        shift = generator.uniform(0.5, 1.0, param.shape)
        param.data = np.asarray(param.data + shift, dtype=param.dtype)  # 0-d stays an array
    owners = dict(fresh.named_modules())
    for key, buffer in list(fresh.named_buffers()):
        owner, _, name = key.rpartition(".")
        if np.asarray(buffer).dtype.kind == "f":  # x 1.5 + 0.25 keeps a variance positive
            setattr(owners[owner], name, np.asarray(buffer) * 1.5 + 0.25)
    try:
        fresh.load_state_dict(state)
    except MinnetError as err:
        fail("check_state_dict", module, f"a copy could not load the layer's own "
             f"state_dict: {err}")
    if not np.array_equal(fresh(x), reference):
        fail("check_state_dict", module, f"after load_state_dict the copy's output differs "
             f"by {max_change(fresh(x), reference):.3g}; expected exactly the same output")
    loaded = fresh.state_dict()
    layout = [(key, np.shape(value)) for key, value in state.items()]
    if [(key, np.shape(value)) for key, value in loaded.items()] != layout:
        fail("check_state_dict", module, f"keys and shapes after loading are "
             f"{[(key, np.shape(value)) for key, value in loaded.items()]}, expected {layout}")
    for key, value in state.items():
        if not np.array_equal(loaded[key], value):
            fail("check_state_dict", module, f"{key} differs after a load/save round trip")
    for value in state.values():
        value[...] = 0  # the state dict holds copies: writing into it changes nothing
    if not np.array_equal(module(x), reference):
        fail("check_state_dict", module, "state_dict() returned views of the layer's arrays; "
             "expected copies")
    if loaded:
        partial = dict(loaded)
        missing = next(iter(partial))
        del partial[missing]
        try:
            fresh.load_state_dict(partial)
        except StateDictError as err:
            if missing not in str(err):
                fail("check_state_dict", module, f"the StateDictError for a missing key "
                     f"does not name {missing!r}: {err}")
        else:
            fail("check_state_dict", module, f"load_state_dict without {missing!r} did not "
                 f"raise StateDictError")


def check_train_eval(layer, input_shape, rng=None, input_fn=None, differs=None):
    """train()/eval() return self and set every submodule's flag; outputs agree unless declared.

    A training forward runs first, so that running statistics have moved
    when the evaluation output is compared with it. ``differs=None`` looks the
    layer and its submodules up in TRAIN_EVAL_DIFFERS. Evaluation must be
    repeatable whatever the layer's randomness.
    """
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    if module.train() is not module:
        fail("check_train_eval", module, "train() must return the module itself")
    if not all(sub.training for sub in module.modules()):
        fail("check_train_eval", module, "train() left a submodule in evaluation mode")
    out_train = module(x)
    if module.eval() is not module:
        fail("check_train_eval", module, "eval() must return the module itself")
    if any(sub.training for sub in module.modules()):
        fail("check_train_eval", module, "eval() left a submodule in training mode")
    out_eval = module(x)
    if not np.array_equal(module(x), out_eval):
        fail("check_train_eval", module, "two forwards in evaluation mode differ")
    if differs is None:
        differs = any(type(sub).__name__ in TRAIN_EVAL_DIFFERS for sub in module.modules())
    if not differs and not np.array_equal(out_train, out_eval):
        fail("check_train_eval", module, f"train and eval outputs differ by "
             f"{max_change(out_train, out_eval):.3g}; declare a layer with train-specific "
             f"behaviour (check_layer(..., train_eval_differs=True) or TRAIN_EVAL_DIFFERS)")


def check_determinism(layer, input_shape, rng=None, input_fn=None):
    """Two layers built from the same seed (or copies of one) give identical results."""
    first, generator, seed = start_check(layer, rng)
    second = build_layer(layer, seed)
    if [(k, v.tobytes()) for k, v in first.state_dict().items()] != [
            (k, v.tobytes()) for k, v in second.state_dict().items()]:
        fail("check_determinism", first, f"two layers built from seed {seed} have different "
             f"parameters; does the constructor ignore rng?")
    x = make_input(input_shape, generator, input_fn=input_fn)
    out_first, out_second = first(x), second(x)
    if not np.array_equal(out_first, out_second):
        fail("check_determinism", first, f"the same input gave outputs differing by "
             f"{max_change(out_first, out_second):.3g}; draw randomness only from the "
             f"layer's own rng")
    grad_out = upstream_gradient(out_first, generator)
    grads = [module.backward(grad_out) for module in (first, second)]
    if x.dtype.kind == "f" and not np.array_equal(grads[0], grads[1]):
        fail("check_determinism", first, "the same input and grad_out gave different input "
             "gradients")
    for (name, a), (_, b) in zip(first.named_parameters(), second.named_parameters(),
                                    strict=True):
        if not np.array_equal(a.grad, b.grad):
            fail("check_determinism", first, f"{name}.grad differs between identical runs")


def _check_refused(check, module, x, what):
    """Forward on a bad input: True when refused properly, False when accepted, else fail."""
    try:
        module(x)
    except MinnetError as err:
        if not names_the_layer(str(err), module) or "expected" not in str(err):
            fail(check, module, f"the error for {what} must name the layer and say what "
                 f"was expected, got: {err}")
        return True
    except Exception as err:
        fail(check, module, f"{what} raised {type(err).__name__} ({err}) instead of a clear "
             f"MinnetError naming the layer")
    return False


def check_bad_dtype(layer, input_shape, rng=None, input_fn=None):
    """A string array is refused with a MinnetError naming the layer and what was expected."""
    module, _, _ = start_check(layer, rng)
    if not _check_refused("check_bad_dtype", module, np.full(input_shape, "a"),
                          "a string array"):
        fail("check_bad_dtype", module, "accepted a string array without an error")


def check_bad_ndim(layer, input_shape, rng=None, input_fn=None):
    """Inputs of another rank are refused (a MinnetError naming the layer), never crash.

    Tries one axis more, one axis fewer and the batch axis alone; at least one
    must be refused. Layers that accept any rank (elementwise) are exempt.
    """
    module, generator, _ = start_check(layer, rng)
    shape = tuple(input_shape)
    candidates = [shape + (2,), shape[:-1], shape[:1]]
    candidates = [c for i, c in enumerate(candidates) if c != shape and c not in candidates[:i]]
    refused = [_check_refused("check_bad_ndim", module,
                              make_input(c, generator, input_fn=input_fn), f"an input of shape {c}")
               for c in candidates]
    if not any(refused):
        fail("check_bad_ndim", module, f"accepted inputs of shapes {candidates} as well as "
             f"{shape} without an error; check the rank (minnet.validation.check_ndim)")
