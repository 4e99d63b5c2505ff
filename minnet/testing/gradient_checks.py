"""Common layer checks of the backward pass: shapes, in-place safety, gradients, dtype."""

import copy

import numpy as np

from minnet.errors import GradcheckError, MinnetError
from minnet.grad_mode import no_grad
from minnet.gradcheck import generator_states, gradcheck, restore_generator_states
from minnet.testing.harness import (
    build_layer,
    fail,
    make_input,
    max_change,
    start_check,
    upstream_gradient,
)


def check_shapes(layer, input_shape, rng=None, input_fn=None):
    """Output shape depends on the input shape only; grads have their tensor's shape."""
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    out = module(x)
    if not isinstance(out, np.ndarray):
        fail("check_shapes", module, f"expected forward to return an ndarray, got "
             f"{type(out).__name__}")
    module.zero_grad()
    grad_in = module.backward(upstream_gradient(out, generator))
    if x.dtype.kind == "f" and np.shape(grad_in) != x.shape:
        fail("check_shapes", module, f"expected backward to return the input's shape "
             f"{x.shape}, got {np.shape(grad_in)}")
    for name, param in module.named_parameters():
        if np.shape(param.grad) != param.shape:
            fail("check_shapes", module, f"expected {name}.grad of shape {param.shape}, "
                 f"got {np.shape(param.grad)}")
    other = module(make_input(input_shape, generator, input_fn=input_fn))
    if np.shape(other) != out.shape:
        fail("check_shapes", module, f"two inputs of shape {tuple(input_shape)} gave outputs "
             f"of shapes {out.shape} and {np.shape(other)}")


def check_inputs_unchanged(layer, input_shape, rng=None, input_fn=None):
    """forward does not modify x and backward does not modify grad_out."""
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    x_before = x.copy()
    out = module(x)
    if not np.array_equal(x, x_before):
        fail("check_inputs_unchanged", module, "forward modified its input in place")
    grad_out = upstream_gradient(out, generator)
    grad_before = grad_out.copy()
    module.backward(grad_out)
    if not np.array_equal(grad_out, grad_before):
        fail("check_inputs_unchanged", module, "backward modified grad_out in place")


def check_gradcheck(layer, input_shape, rng=None, input_fn=None):
    """Analytic gradients match central differences in float64 (``gradcheck``)."""
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    try:
        gradcheck(module, x, rng=generator)
    except GradcheckError as err:
        fail("check_gradcheck", module, str(err))


def check_accumulation(layer, input_shape, rng=None, input_fn=None):
    """Two forward/backward pairs give twice the gradient (``+=``, not ``=``); a backward
    with no pending forward raises.

    "Twice" is checked to 1e-12 relative: exact in practice, with room for a
    BLAS that is not bitwise reproducible from call to call. Randomness is
    rewound between the pairs so that dropout draws the same mask.
    """
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    snapshot = generator_states(module)
    grad_out = upstream_gradient(module(x), generator)
    module.zero_grad()
    first_in = copy.deepcopy(module.backward(grad_out))
    first = {name: param.grad.copy() for name, param in module.named_parameters()}
    try:
        module.backward(grad_out)
    except MinnetError:
        pass
    else:
        fail("check_accumulation", module, "a second backward for one forward did not raise; "
             "pop the cache in backward (Module.pop_cache), so that the same gradient is "
             "never added twice")
    restore_generator_states(snapshot)
    module(x)
    second_in = module.backward(grad_out)
    for name, param in module.named_parameters():
        if not np.allclose(param.grad, 2 * first[name], rtol=1e-12, atol=0.0):
            scale = float(np.sum(param.grad * first[name]) / max(np.sum(first[name] ** 2), 1e-300))
            fail("check_accumulation", module, f"after two forward/backward pairs {name}.grad "
                 f"is {scale:.4g} times the one-pair gradient, expected 2 (add into .grad with "
                 f"+=, never assign it)")
    if x.dtype.kind == "f" and not np.allclose(second_in, first_in, rtol=1e-12, atol=0.0):
        fail("check_accumulation", module, "the same forward and backward, run twice, "
             "returned different input gradients (does backward modify its cache?)")


def check_shared_use(layer, input_shape, rng=None, input_fn=None):
    """A layer used twice before backward gets the sum of both uses' gradients.

    ``f(x1), f(x2), backward(g2), backward(g1)`` (weights shared, as in a decoder
    loop) must give each use's input gradient and the summed parameter gradients
    of ``f(x1), backward(g1), f(x2), backward(g2)`` on a copy.
    """
    module, generator, seed = start_check(layer, rng)
    twin = build_layer(layer, seed)
    inputs = [make_input(input_shape, generator, input_fn=input_fn) for _ in range(2)]
    outputs = [module(x) for x in inputs]
    grads_out = [upstream_gradient(out, generator) for out in outputs]
    module.zero_grad()
    shared_in = [module.backward(grads_out[1]), module.backward(grads_out[0])][::-1]
    twin.zero_grad()
    separate_in = []
    for x, grad_out in zip(inputs, grads_out):
        twin(x)
        separate_in.append(twin.backward(grad_out))
    if inputs[0].dtype.kind == "f":
        for use, (shared, separate) in enumerate(zip(shared_in, separate_in)):
            if not np.allclose(shared, separate, rtol=1e-10, atol=1e-12):
                fail("check_shared_use", module, f"used twice before backward, the input "
                     f"gradient of use {use + 1} differs from a lone forward/backward by "
                     f"{max_change(shared, separate):.3g}; backward must use the cache of its "
                     f"own forward (a stack: push in forward, pop in backward)")
    for (name, param), (_, alone) in zip(module.named_parameters(), twin.named_parameters(),
                                         strict=True):
        if not np.allclose(param.grad, alone.grad, rtol=1e-10, atol=1e-12):
            fail("check_shared_use", module, f"used twice before backward, {name}.grad "
                 f"differs from the sum of two lone forward/backward pairs by "
                 f"{max_change(param.grad, alone.grad):.3g}")


def check_no_grad(layer, input_shape, rng=None, input_fn=None):
    """Under ``no_grad()`` a forward gives the same output and keeps no cache."""
    module, generator, seed = start_check(layer, rng)
    twin = build_layer(layer, seed)
    x = make_input(input_shape, generator, input_fn=input_fn)
    reference = module(x)
    with no_grad():
        out = twin(x)
    if not np.array_equal(out, reference):
        fail("check_no_grad", module, f"the output under no_grad() differs by "
             f"{max_change(out, reference):.3g} from a plain forward")
    if any(sub.pending_forwards for sub in twin.modules()):
        fail("check_no_grad", module, "a forward under no_grad() kept a cache (push_cache "
             "keeps nothing there; do not store caches in attributes)")
    try:
        twin.backward(upstream_gradient(out, generator))
    except MinnetError:
        return
    fail("check_no_grad", module, "backward after a forward under no_grad() did not raise")


def check_zero_grad(layer, input_shape, rng=None, input_fn=None):
    """zero_grad fills every .grad with zeros in place (the same array object)."""
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    module.backward(upstream_gradient(module(x), generator))
    params = list(module.named_parameters())
    if params and not any(np.any(param.grad) for _, param in params):
        for _, param in params:  # a zero_grad that does nothing must not pass vacuously
            param.grad[...] = 1
    arrays = {name: param.grad for name, param in params}
    module.zero_grad()
    for name, param in params:
        if param.grad is not arrays[name]:
            fail("check_zero_grad", module, f"zero_grad replaced {name}.grad by a new array; "
                 f"expected it filled with zeros in place")
        if np.any(param.grad):
            fail("check_zero_grad", module, f"{name}.grad is not all zeros after zero_grad")


def check_dtype(layer, input_shape, rng=None, input_fn=None):
    """A layer computes in its parameters' dtype; a parameterless one keeps the input's."""
    module, generator, seed = start_check(layer, rng)
    has_params = bool(module.parameters())
    for layer_dtype in (np.float32, np.float64):
        for input_dtype in (np.float32, np.float64):
            module = build_layer(layer, seed).to(layer_dtype)
            x = make_input(input_shape, generator, input_dtype, input_fn)
            if x.dtype.kind != "f" and input_dtype != layer_dtype:
                continue  # integer input: the input dtype cannot vary
            expected = np.dtype(layer_dtype if has_params or x.dtype.kind != "f" else x.dtype)
            out = np.asarray(module(x))
            given = f"{np.dtype(layer_dtype)} layer given {x.dtype} input"
            if out.dtype != expected:
                fail("check_dtype", module, f"{given}: expected a {expected} output, "
                     f"got {out.dtype}")
            module.zero_grad()
            grad_in = module.backward(upstream_gradient(out, generator))
            if x.dtype == expected and np.asarray(grad_in).dtype != expected:
                fail("check_dtype", module, f"{given}: expected a {expected} input "
                     f"gradient, got {np.asarray(grad_in).dtype}")
            for name, param in module.named_parameters():
                if param.data.dtype != layer_dtype or param.grad.dtype != layer_dtype:
                    fail("check_dtype", module, f"{given}: expected {name} and its grad in "
                         f"{np.dtype(layer_dtype)}, got {param.data.dtype} and "
                         f"{param.grad.dtype}")


def check_backward_before_forward(layer, input_shape, rng=None, input_fn=None):
    """backward() on a fresh layer raises a MinnetError (not a TypeError on a None cache)."""
    probe, generator, seed = start_check(layer, rng)
    out = probe(make_input(input_shape, generator, input_fn=input_fn))
    grad_out = upstream_gradient(out, generator)
    module = build_layer(layer, seed)
    try:
        module.backward(grad_out)
    except MinnetError:
        return
    except Exception as err:
        fail("check_backward_before_forward", module, f"raised {type(err).__name__} ({err}) "
             f"instead of a MinnetError saying that forward must run first")
    fail("check_backward_before_forward", module, "backward() before any forward() did not "
         "raise")
