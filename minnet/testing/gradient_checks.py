"""Common layer checks of the backward pass: shapes, in-place safety, gradients, dtype."""

import copy

import numpy as np

from minnet.errors import GradcheckError, MinnetError
from minnet.gradcheck import gradcheck
from minnet.testing.harness import (
    build_layer,
    fail,
    make_input,
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
    """Two backward calls after one forward give twice the gradient (``+=``, not ``=``).

    Every minnet layer may run backward twice on one cache. "Twice" is checked
    to 1e-12 relative: exact in practice, with room for a BLAS that is not
    bitwise reproducible from call to call.
    """
    module, generator, _ = start_check(layer, rng)
    x = make_input(input_shape, generator, input_fn=input_fn)
    grad_out = upstream_gradient(module(x), generator)
    module.zero_grad()
    first_in = copy.deepcopy(module.backward(grad_out))
    first = {name: param.grad.copy() for name, param in module.named_parameters()}
    second_in = module.backward(grad_out)
    for name, param in module.named_parameters():
        if not np.allclose(param.grad, 2 * first[name], rtol=1e-12, atol=0.0):
            scale = float(np.sum(param.grad * first[name]) / max(np.sum(first[name] ** 2), 1e-300))
            fail("check_accumulation", module, f"after two backward calls {name}.grad is "
                 f"{scale:.4g} times the one-call gradient, expected 2 (add into .grad with "
                 f"+=, never assign it)")
    if x.dtype.kind == "f" and not np.allclose(second_in, first_in, rtol=1e-12, atol=0.0):
        fail("check_accumulation", module, "a second backward on the same forward returned a "
             "different input gradient (does backward modify its cache?)")


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
