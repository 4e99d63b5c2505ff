"""Numerical gradients and ``gradcheck``: prove a backward pass against central differences.

``rel_error`` is the number CS231n students learn to read; ``numerical_gradient``
perturbs one entry at a time; ``gradcheck`` runs both on a float64 copy of a
module, for the input and for every parameter, and says where they disagree.
The common layer checks built on top of it live in ``minnet.testing.checks``.
"""

import copy

import numpy as np

from minnet.core import Module
from minnet.errors import ConfigError, DTypeError, GradcheckError, ShapeError
from minnet.grad_mode import no_grad
from minnet.random import make_rng
from minnet.validation import FLOAT_DTYPES, QUIET, as_float_array, check_float, owner_name

# The upstream gradient is random but the same on every run. Not seed 0: an input
# drawn with default_rng(0) would then equal grad_out, and grad_out.T @ x would be
# symmetric, hiding a transposed weight gradient.
DEFAULT_SEED = 20_240_607


def rel_error(a, b):
    """CS231n's relative error: max |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def numerical_gradient(f, x, grad_out=None, eps=1e-6):
    """Central-difference gradient of ``sum(f(x) * grad_out)`` with respect to ``x``.

    ``f`` is called with ``x`` itself, which is perturbed in place one entry at
    a time and restored, so ``f`` may close over arrays that alias ``x`` (a
    layer's own parameter). Any memory layout works (entries are addressed by
    their multi-index, not through a flat view). ``f``'s result is copied at
    once, so an ``f`` that returns a view of ``x`` (Flatten) is measured right.
    With ``grad_out=None`` ``f`` must return a scalar.

    Parameters
    ----------
    f : callable, x -> ndarray (any shape) or float
    x : writeable float64 (or float32, with a larger eps) ndarray, any shape
    grad_out : ndarray of f(x)'s shape, or None for a scalar f
    eps : float

    Returns
    -------
    float64 ndarray of x's shape
    """
    if not isinstance(x, np.ndarray) or x.dtype not in FLOAT_DTYPES:
        raise DTypeError(
            f"numerical_gradient: expected x to be a float64 or float32 ndarray (it is "
            f"perturbed in place), got {type(x).__name__} of dtype {getattr(x, 'dtype', None)}"
        )
    if not x.flags.writeable:
        raise ConfigError("numerical_gradient: expected a writeable x (it is perturbed in "
                          "place), got a read-only array; pass x.copy()")
    if not callable(f):
        raise ConfigError(f"numerical_gradient: expected a function f(x), got {f!r}")
    eps = check_float("numerical_gradient", "eps", eps, low=0.0, low_open=True)
    if grad_out is not None:
        grad_out = as_float_array("numerical_gradient", grad_out, np.float64, what="grad_out")
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        with np.errstate(**QUIET):  # float32's largest value + eps rounds to inf
            x[index] = original + eps
        upper = float(x[index])
        plus = _value_of(f, x)
        with np.errstate(**QUIET):
            x[index] = original - eps
        lower = float(x[index])
        minus = _value_of(f, x)
        x[index] = original
        # Divide by the step actually stored: in float32, x + eps is rounded.
        if upper == lower:
            raise ConfigError(f"numerical_gradient: eps={eps!r} is lost in the rounding of "
                              f"x{list(index)} = {original!r}; use a larger eps")
        if grad_out is None:
            if plus.size != 1:
                raise ShapeError(f"numerical_gradient: expected f to return a scalar when "
                                 f"grad_out is None, got shape {plus.shape}")
            change = float(plus.reshape(-1)[0] - minus.reshape(-1)[0])
        else:
            if plus.shape != grad_out.shape:
                raise ShapeError(f"numerical_gradient: expected grad_out of f(x)'s shape "
                                 f"{plus.shape}, got {grad_out.shape}")
            change = float(np.sum((plus - minus) * grad_out))
        grad[index] = change / (upper - lower)
    return grad


def _value_of(f, x):
    """``f(x)`` as a new float64 array (a copy: f may return a view of x)."""
    return np.array(as_float_array("numerical_gradient", f(x), np.float64, what="f(x)"))


def generator_states(module):
    """Snapshot every numpy Generator held as an attribute of ``module`` or a submodule.

    Returns ``[(generator, state)]``; ``restore_generator_states`` rewinds them,
    so that a stochastic layer (dropout) draws the same mask on every forward.
    """
    snapshot, seen = [], set()
    for submodule in module.modules():
        for value in vars(submodule).values():
            if isinstance(value, np.random.Generator) and id(value) not in seen:
                seen.add(id(value))
                snapshot.append((value, value.bit_generator.state))
    return snapshot


def restore_generator_states(snapshot):
    """Rewind the generators of a ``generator_states`` snapshot."""
    for generator, state in snapshot:
        generator.bit_generator.state = state


def gradcheck(module, x, eps=1e-6, atol=1e-5, rtol=1e-4, raise_exception=True,
              rng=None, grad_out=None):
    """Compare ``module.backward`` with central differences, for the input and every parameter.

    Works on a float64 deep copy: the user's module (parameters, dtype,
    ``.grad``, generators, mode) is left untouched. A frozen parameter
    (``requires_grad=False``) is not compared: it must receive no gradient. The copy keeps the
    module's train/eval mode and its hooks (part of its forward: they fire on
    every forward of the check). The loss is ``sum(module(x) * grad_out)``
    with a RANDOM ``grad_out`` (seed ``DEFAULT_SEED`` unless ``rng`` or
    ``grad_out`` is given): an upstream gradient of ones would let a
    normalization layer pass vacuously. Every forward of the check sees the
    same randomness (the generators of every submodule are rewound before
    each forward). An integer ``x`` (embedding indices) has no gradient: only
    the parameters are checked. Cost: two forwards per input and parameter entry.

    An entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``
    (NumPy's ``allclose`` criterion: ``atol`` for gradients near zero, ``rtol``
    for large ones). A failure names, for each failing tensor (``"input"`` or
    the dotted parameter name), the worst index, both values, the relative
    error, and a hint when the pattern is typical (sign, scale, transpose, zeros).

    Parameters
    ----------
    module : Module
    x : ndarray, the input (float, or integer indices)
    eps : float, central-difference step
    atol, rtol : float, tolerances of the criterion above
    raise_exception : bool
        True raises ``GradcheckError`` on failure; False returns False instead.
    rng : None, int or Generator, draws ``grad_out``
    grad_out : ndarray of the output's shape, or None for a random one

    Returns
    -------
    True when every gradient matches (False on failure with ``raise_exception=False``).
    """
    if not isinstance(module, Module):
        raise ConfigError(f"gradcheck: expected a Module, got {type(module).__name__}")
    eps = check_float("gradcheck", "eps", eps, low=0.0, low_open=True)
    atol = check_float("gradcheck", "atol", atol, low=0.0)
    rtol = check_float("gradcheck", "rtol", rtol, low=0.0)
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"gradcheck: expected a float or integer input x, got dtype {x.dtype}")
    has_input_grad = x.dtype.kind == "f"
    x = np.array(x, dtype=np.float64, order="C") if has_input_grad else x.copy()

    model = copy.deepcopy(module).to(np.float64)
    snapshot = generator_states(model)

    def forward(inputs):
        restore_generator_states(snapshot)
        return model(inputs)

    def forward_only(inputs):  # the numerical passes: no backward follows
        with no_grad():
            return forward(inputs)

    out = np.asarray(forward(x))
    if grad_out is None:
        grad_out = make_rng(DEFAULT_SEED if rng is None else rng).standard_normal(out.shape)
    grad_out = np.array(grad_out, dtype=np.float64)
    if grad_out.shape != out.shape:
        raise ShapeError(f"gradcheck: expected grad_out of the output's shape {out.shape}, "
                         f"got {grad_out.shape}")
    model.zero_grad()  # .grad accumulates: start the analytic pass from zero
    grad_in = model.backward(grad_out.copy())

    tensors = []  # (name, analytic, expected shape, numeric function)
    if has_input_grad:
        grad_in = None if grad_in is None else np.array(grad_in, dtype=np.float64)
        tensors.append(("input", grad_in, x.shape,
                        lambda: numerical_gradient(forward_only, x, grad_out, eps)))
    failures = []
    for name, param in model.named_parameters():
        if not param.requires_grad:  # frozen: it must have received nothing
            if np.any(param.grad):
                failures.append(f"  {name}: requires_grad is False, yet backward added a "
                                f"gradient into it (use param.add_grad, which skips frozen "
                                f"parameters)")
            continue
        tensors.append((name, param.grad.copy(), param.shape,
                        lambda param=param: numerical_gradient(
                            lambda _: forward_only(x), param.data, grad_out, eps)))
    for name, analytic, shape, numeric in tensors:
        if analytic is None or np.shape(analytic) != shape:
            given = None if analytic is None else np.shape(analytic)
            failures.append(f"  {name}: the analytic gradient has shape {given}, expected "
                            f"{shape}{' (transposed?)' if given == shape[::-1] else ''}")
            continue
        line = _compare(name, np.asarray(analytic, dtype=np.float64), numeric(), atol, rtol)
        if line:
            failures.append(line)
    if not failures:
        return True
    if not raise_exception:
        return False
    raise GradcheckError(
        f"gradcheck failed for {owner_name(module)} (float64 copy, eps={eps:g}; an entry "
        f"passes when |analytic - numeric| <= atol + rtol * |numeric|, atol={atol:g}, "
        f"rtol={rtol:g}):\n" + "\n".join(failures)
    )


def _close(a, b, atol, rtol):
    return np.abs(a - b) <= atol + rtol * np.abs(b)


def _compare(name, analytic, numeric, atol, rtol):
    """One line describing the worst entry of a failing tensor, or None when it passes."""
    passed = _close(analytic, numeric, atol, rtol)  # False where NaN
    if np.all(passed):
        return None
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(passed, -np.inf, np.nan_to_num(excess, nan=np.inf))
    index = tuple(int(i) for i in np.unravel_index(np.argmax(excess), analytic.shape))
    line = (f"  {name}: {int(np.sum(~passed))} of {analytic.size} entries differ; worst at "
            f"index {index}: analytic={analytic[index]:.6e}, numeric={numeric[index]:.6e}, "
            f"rel_error={rel_error(analytic[index], numeric[index]):.2e} (over the tensor: "
            f"{rel_error(analytic, numeric):.2e})")
    hint = _hint(analytic, numeric, atol, rtol)
    return line + (f"; {hint}" if hint else "")


def _hint(analytic, numeric, atol, rtol):
    """Name the usual culprit when the analytic gradient is a simple distortion of the numeric."""
    if not np.all(np.isfinite(analytic)):
        return "the analytic gradient holds NaN or Inf"
    if not np.any(analytic) and np.any(numeric):
        return "the analytic gradient is all zeros: was it never added into .grad or returned?"
    if np.all(_close(-analytic, numeric, atol, rtol)):
        return "analytic = -numeric: a sign error"
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and np.all(
            _close(analytic.T, numeric, atol, rtol)):
        return "analytic = numeric transposed: a transpose is missing or extra"
    usable = np.abs(numeric) > 10 * atol
    if np.any(usable):
        ratios = analytic[usable] / numeric[usable]
        ratio = float(np.median(ratios))
        if np.all(_close(ratio * numeric, analytic, atol, rtol)):
            return (f"analytic = {ratio:.4g} * numeric everywhere: a constant factor is off "
                    f"(a missing 1/N, a doubled term?)")
    return None
