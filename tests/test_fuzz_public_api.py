"""Fuzz every public constructor, forward, backward and function for raw exceptions.

Whatever a user passes, minnet answers with a MinnetError (whose subclasses
are also the built-in a Python user expects: ShapeError a ValueError,
DTypeError and ArgumentError a TypeError, CheckpointWriteError an OSError...)
or with a result, never with a raw NumPy/Python exception or a NumPy
RuntimeWarning. A backward with no forward pending raises, never adds a
gradient twice. The cases live in ``tests/fuzz_cases*.py`` (see
``tests/fuzz_cases.py`` for how to add one): layers (``CASES``), functions
(``FUNCTION_CASES``) and uses in several steps (``SCENARIOS``: losses,
optimizers, schedules, data, training).
"""

import importlib
import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.checkpoint import load, save
from minnet.errors import MinnetError
from minnet.grad_mode import no_grad
from minnet.kernels import BACKENDS, use_backend
from tests.fuzz_cases import (
    corrupted,
    float_arrays,
    junk,
    minnet_errors_only,
    signature_refuses,
)


def _gather(name):
    cases = []
    for path in sorted(pathlib.Path(__file__).parent.glob("fuzz_cases*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        cases += getattr(module, name, [])
    return cases


CASES = _gather("CASES")
FUNCTION_CASES = _gather("FUNCTION_CASES")
SCENARIOS = _gather("SCENARIOS")


def grads_for(out, finite=False):
    """dL/d(out) candidates: the right shape with messy values, a wrong shape, the right
    shape in a dtype no gradient has (ints and bools are converted), or junk."""
    shape = out.shape if isinstance(out, np.ndarray) else (2,)
    wrong = st.tuples(*[st.integers(0, 4)] * max(len(shape), 1))
    right = float_arrays(st.just(shape), finite)
    odd_dtype = st.sampled_from([np.int64, np.bool_, np.complex128, "<U2"]).flatmap(
        lambda dtype: hnp.arrays(dtype, shape))
    objects = hnp.arrays(object, shape, elements=st.sampled_from([None, 1.0]))
    return st.one_of(right, right, float_arrays(wrong, finite), odd_dtype, objects, junk())


def build(case, args, kwargs):
    return case.build(*args, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_constructors_raise_only_minnet_errors(case, data):
    args, kwargs = data.draw(corrupted(case.valid), label="arguments")
    if signature_refuses(case.build, args, kwargs):
        with pytest.raises(TypeError, match=rf"^{case.build.__name__}\(\)"):
            build(case, args, kwargs)
    else:
        minnet_errors_only(build, case, args, kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@given(data=st.data())
def test_valid_arguments_construct(case, data):
    args, kwargs = data.draw(case.valid, label="arguments")
    build(case, args, kwargs)  # the case's own strategy must be right


BACKEND_CASES = [pytest.param(case, backend, id=f"{case.name}-{backend}")
                 for case in CASES for backend in (case.backends or BACKENDS)]


@pytest.mark.parametrize(("case", "backend"), BACKEND_CASES)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_forward_and_backward_raise_only_minnet_errors(case, backend, data):
    args, kwargs = data.draw(case.valid, label="arguments")
    layer = build(case, args, kwargs).train(data.draw(st.booleans(), label="training"))
    grad_enabled = data.draw(st.integers(0, 5), label="grad mode") > 0
    with use_backend(backend):
        for _ in range(data.draw(st.integers(1, 2), label="calls")):
            x = data.draw(case.inputs(layer), label="input")
            if grad_enabled:
                out = minnet_errors_only(layer, x)
            else:
                with no_grad():
                    out = minnet_errors_only(layer, x)
            grad_out = data.draw(grads_for(x if out is None else out, case.finite),
                                 label="grad_out")
            minnet_errors_only(layer.backward, grad_out)
        if data.draw(st.booleans(), label="one backward too many"):
            if all(module.pending_forwards == 0 for module in layer.modules()):
                with pytest.raises(MinnetError):  # never a silent second gradient
                    layer.backward(grad_out)
            else:
                minnet_errors_only(layer.backward, grad_out)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@given(data=st.data())
def test_module_methods_raise_only_minnet_errors(case, data):
    args, kwargs = data.draw(case.valid, label="arguments")
    layer = build(case, args, kwargs)
    state = layer.state_dict()
    shapes = {key: value.shape for key, value in state.items()}
    for key in data.draw(st.lists(st.sampled_from(sorted(state) or ["x"]), max_size=2)):
        state[key] = data.draw(junk() | float_arrays(st.just(shapes.get(key, (2,)))))
    minnet_errors_only(layer.load_state_dict, state,
                       strict=data.draw(st.booleans() | junk(), label="strict"))
    for method in ("to", "train", "apply", "register_forward_hook"):
        value = data.draw(junk(), label=method)
        if method == "apply" and callable(value):
            continue  # apply calls it on every module: what it raises is its own business
        minnet_errors_only(getattr(layer, method), value)


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=lambda case: case.name)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_functions_raise_only_minnet_errors(case, data):
    args, kwargs = data.draw(case.arguments, label="arguments")
    if not signature_refuses(case.fn, args, kwargs):
        minnet_errors_only(case.fn, *args, **kwargs)


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda case: case.name)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scenarios_raise_only_minnet_errors(case, data):
    """Uses in several steps (a loss then its backward, an optimizer's step after a
    backward, a schedule stepped): every step raises only MinnetErrors."""
    case.run(data)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_save_and_load_raise_only_minnet_errors(tmp_path, monkeypatch, data):
    monkeypatch.chdir(tmp_path)  # a junk path such as "float32" is a file name too
    path = tmp_path / "checkpoint.npz"
    if path.exists():  # left by an earlier example (tmp_path lives for the whole test)
        path.unlink()
    target = data.draw(st.sampled_from([path, str(path), tmp_path, tmp_path / "no" / "x.npz"])
                       | junk(), label="path")
    keys = st.text(max_size=3) | st.none() | st.integers(-1, 2) | st.just("__minnet_checkpoint__")
    state = data.draw(st.dictionaries(keys, junk(), max_size=3) | junk(), label="state")
    minnet_errors_only(save, state, target)
    minnet_errors_only(load, target)
    if path.exists() and path.stat().st_size:  # a checkpoint was written: damage it, reread
        content = bytearray(path.read_bytes())
        index = data.draw(st.integers(0, len(content) - 1), label="byte")
        content[index] = (content[index] + data.draw(st.integers(1, 255))) % 256
        path.write_bytes(bytes(content[:data.draw(st.integers(0, len(content)))]))
        minnet_errors_only(load, path)
