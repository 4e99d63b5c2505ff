"""Every layer of the library against every common check, and every check shown to fire.

One parametrized test runs each check of ``LAYER_CHECKS`` on each layer (ids:
the layer's repr and the check name), with a short, reasoned exemption table.
Then, for each check, deliberately broken toy layers prove that it fails.
"""

import importlib
import pathlib

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError
from minnet.functional.linear import linear_backward
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from minnet.layers.linear import Linear
from minnet.layers.reshape import Flatten
from minnet.layers.residual import Residual
from minnet.testing import LAYER_CHECKS, LayerCheckError, check_layer, check_train_eval
from minnet.validation import as_float_array, check_ndim, owner_name

# (factory seed -> layer, input_shape). Factories let check_determinism rebuild from a seed.
LAYERS = [
    (lambda seed: Linear(3, 4, rng=seed), (5, 3)),
    (lambda seed: Linear(3, 4, bias=False, rng=seed), (5, 3)),
    (lambda seed: Linear(3, 4, init="xavier", rng=seed), (5, 3)),
    (lambda seed: Linear(3, 4, init="orthogonal", rng=seed), (5, 3)),
    (lambda seed: Linear(3, 4, init="pytorch", rng=seed), (5, 3)),
    (lambda seed: Sequential(Linear(3, 5, rng=seed), ReLU(), Linear(5, 2, rng=seed + 1)), (4, 3)),
    (lambda seed: ReLU(), (4, 5)),
    (lambda seed: LeakyReLU(0.1), (4, 5)),
    (lambda seed: Sigmoid(), (4, 5)),
    (lambda seed: Tanh(), (2, 3, 4)),
    (lambda seed: ELU(alpha=0.5), (4, 5)),
    (lambda seed: GELU(), (4, 5)),
    (lambda seed: Softmax(), (4, 5)),
    (lambda seed: Softmax(axis=1), (2, 3, 4)),
    (lambda seed: Flatten(), (4, 3, 2)),
    (lambda seed: Residual(Linear(3, 3, rng=seed)), (4, 3)),
    (lambda seed: Residual(Sequential(Linear(3, 3, rng=seed), Tanh())), (4, 3)),
]

# check name -> (exempt layers by repr, reason). Kept short: each entry is a design decision.
EXEMPT = {
    "check_bad_ndim": (
        {"ReLU()", "LeakyReLU(negative_slope=0.1)", "Sigmoid()", "Tanh()", "ELU(alpha=0.5)",
         "GELU()", "Softmax(axis=-1)"},
        "elementwise layers (and softmax on the last axis) accept input of any rank by design",
    ),
}


def _gather_cases():
    """This file's LAYERS plus the CASES of every ``tests/layer_cases_*.py`` file.

    A case is ``(factory, input_shape)`` or ``(factory, input_shape, options)``
    where options may hold ``input_fn`` (integer inputs, say) for the checks.
    Each layer family keeps its cases (and its EXEMPT entries) in its own file.
    """
    cases = [case if len(case) == 3 else (*case, {}) for case in LAYERS]
    exempt = {}  # check name -> {layer repr: the reason of the file that exempts it}
    tables = [EXEMPT]
    for path in sorted(pathlib.Path(__file__).parent.glob("layer_cases_*.py")):
        module = importlib.import_module(path.stem)
        cases += [case if len(case) == 3 else (*case, {}) for case in module.CASES]
        tables.append(getattr(module, "EXEMPT", {}))
    for table in tables:
        for name, (layers, reason) in table.items():
            exempt.setdefault(name, {}).update(dict.fromkeys(layers, reason))
    return cases, exempt


def _cases():
    cases, exempt_table = _gather_cases()
    for backend in BACKENDS:
        for factory, shape, options in cases:
            layer = factory(0)
            for name in LAYER_CHECKS:
                reason = exempt_table.get(name, {}).get(owner_name(layer))
                marks = ()
                if reason is not None:
                    # strict: the day the layer passes, the exemption must go
                    marks = pytest.mark.xfail(reason=reason, raises=LayerCheckError, strict=True)
                yield pytest.param(backend, factory, shape, options, name,
                                   id=f"{backend}-{owner_name(layer)}-{name}", marks=marks)


@pytest.mark.parametrize("backend, factory, input_shape, options, check_name", list(_cases()))
def test_layer_passes_common_check(backend, factory, input_shape, options, check_name):
    with use_backend(backend):
        LAYER_CHECKS[check_name](factory, input_shape, **options)


# --- broken toy layers, one family per check ----------------------------------


class NamelessRepr(Linear):
    def __repr__(self):
        return "a layer"


class RaisingRepr(Linear):
    def extra_repr(self):
        raise RuntimeError("forgot an attribute")


class TransposedInputGrad(Linear):
    def backward(self, grad_out):
        return super().backward(grad_out).T


class ValueDependentShape(Module):
    """Keeps only the positive entries: the output shape depends on the values."""

    def forward(self, x):
        self._x = x
        return x[x > 0]

    def backward(self, grad_out):
        grad = np.zeros_like(self._x)
        grad[self._x > 0] = grad_out
        return grad


class ScalesInputInPlace(Module):
    def forward(self, x):
        x *= 2.0
        self._cache = True
        return x

    def backward(self, grad_out):
        return 2.0 * grad_out


class ScalesGradOutInPlace(Linear):
    def backward(self, grad_out):
        grad_out *= 1.0 + 1e-3
        return super().backward(grad_out / (1.0 + 1e-3))


class ScaledWeightGrad(Linear):
    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.weight.grad *= 1.01
        return grad_in


class AssignsGrad(Linear):
    """``=`` instead of ``+=``: the classic bug behind 'my gradients do not accumulate'."""

    def backward(self, grad_out):
        cache = self.pop_cache(grad_out, (len(grad_out), self.out_features))
        grad_x, grad_w, grad_b = linear_backward(grad_out, cache)
        self.weight.grad = grad_w
        self.bias.grad = grad_b
        return grad_x


class KeepsLastInput(Module):
    """minnet's layers before the cache stack: one attribute, overwritten by every forward."""

    def __init__(self, rng=None):
        super().__init__()
        self.weight = Parameter(np.random.default_rng(rng).standard_normal((3, 4)))
        self._x = None

    def forward(self, x):
        self._x = as_float_array(self, x)
        return self._x @ self.weight.data

    def backward(self, grad_out):
        if self._x is None:
            raise MinnetError(f"{self!r}: backward() before forward()")
        self.weight.grad += self._x.T @ grad_out
        return grad_out @ self.weight.data.T


class CachesUnderNoGrad(Linear):
    """Pushes its cache even under no_grad() (it bypasses push_cache)."""

    def push_cache(self, cache):
        self._caches().append(cache)


class ReplacingZeroGrad(Linear):
    def zero_grad(self):
        for param in self.parameters():
            param.grad = np.zeros_like(param.data)


class NoOpZeroGrad(Linear):
    def zero_grad(self):
        pass


class AlwaysFloat64(Linear):
    def forward(self, x):
        return super().forward(x).astype(np.float64)


class ParameterlessFloat64(Module):
    """Squares in float64 whatever comes in: breaks 'float32 in, float32 out'."""

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        return self._x ** 2

    def backward(self, grad_out):
        return 2 * self._x * grad_out


class StateDictMissesBias(Linear):
    def state_dict(self):
        state = super().state_dict()
        del state["bias"]
        return state


class IgnoresLoad(Linear):
    def load_state_dict(self, state_dict, strict=True):
        return None


class StateDictOfViews(Linear):
    def state_dict(self):
        return {"weight": self.weight.data, "bias": self.bias.data}


class HalvesInEval(Linear):
    def forward(self, x):
        out = super().forward(x)
        return out if self.training else out / 2


class DropsInEval(Module):
    """A dropout that forgets eval(): a fresh mask on every forward, in both modes."""

    def __init__(self, rng=None):
        super().__init__()
        self.rng = np.random.default_rng(rng)
        self._mask = None

    def forward(self, x):
        self._mask = (self.rng.random(np.shape(x)) >= 0.5) * 2.0
        return x * self._mask

    def backward(self, grad_out):
        return grad_out * self._mask


class GlobalNoise(Linear):
    """Draws from an unseeded generator: two identical copies disagree."""

    def forward(self, x):
        return super().forward(x) + np.random.default_rng().normal(0, 1e-3)


class Indexed(Module):
    """A well-behaved embedding-like toy for integer inputs (N, T) -> (N, T, 2)."""

    def __init__(self, rng=None):
        super().__init__()
        self.weight = Parameter(np.random.default_rng(rng).standard_normal((5, 2)))

    def forward(self, indices):
        indices = np.asarray(indices)
        if indices.dtype.kind not in "iu":
            raise DTypeError(f"{self!r}: expected integer indices, got dtype {indices.dtype}")
        check_ndim(self, indices, (2,), "(N, T)")
        self.push_cache(indices)
        return self.weight.data[indices]

    def backward(self, grad_out):
        indices = self.pop_cache(grad_out, lambda indices: indices.shape + (2,))
        np.add.at(self.weight.grad, indices, grad_out)
        return None


class AcceptsStrings(Module):
    def forward(self, x):
        self._shape = np.shape(x)
        return np.zeros(self._shape)

    def backward(self, grad_out):
        return np.zeros(self._shape)


class CastsWithoutChecking(Linear):
    def forward(self, x):
        return super().forward(np.asarray(x, dtype=np.float64))  # ValueError on strings


class VagueError(Linear):
    def forward(self, x):
        if np.asarray(x).dtype.kind not in "fiub":
            raise MinnetError("bad input")
        return super().forward(x)


class SumsLastAxis(Module):
    """Accepts any rank: a (4, 3) layer that also takes (4,) and (4, 3, 2) silently."""

    def forward(self, x):
        x = as_float_array(self, x)
        self._shape = x.shape
        return x.sum(axis=-1)

    def backward(self, grad_out):
        return np.broadcast_to(np.expand_dims(grad_out, -1), self._shape).copy()


class CrashesOnRank(Linear):
    def forward(self, x):
        x = as_float_array(self, x)
        return super().forward(x[:, :, 0] if x.ndim == 3 else x[:, : self.in_features])


class UnguardedBackward(KeepsLastInput):
    def backward(self, grad_out):
        self.weight.grad += self._x.T @ grad_out  # AttributeError on None
        return grad_out @ self.weight.data.T


class SilentBackward(Linear):
    def backward(self, grad_out):
        if self.pending_forwards == 0:
            return np.zeros((len(grad_out), self.in_features))
        return super().backward(grad_out)


def _linear(cls):
    return lambda seed: cls(3, 4, rng=seed)


# check name -> [(id, layer or factory, input shape, a fragment of the expected message)]
BROKEN = {
    "check_repr": [("no class name", _linear(NamelessRepr), (5, 3), "class name"),
                   ("repr raises", _linear(RaisingRepr), (5, 3), "repr raised RuntimeError")],
    "check_shapes": [
        ("transposed input grad", lambda seed: TransposedInputGrad(3, 3, rng=seed), (5, 3),
         "input's shape (5, 3), got (3, 5)"),
        ("value-dependent shape", lambda seed: ValueDependentShape(), (5, 3), "gave outputs"),
    ],
    "check_inputs_unchanged": [
        ("forward in place", lambda seed: ScalesInputInPlace(), (5, 3), "forward modified"),
        ("backward in place", _linear(ScalesGradOutInPlace), (5, 3), "backward modified"),
    ],
    "check_gradcheck": [("dW x 1.01", _linear(ScaledWeightGrad), (5, 3), "weight: 12 of 12")],
    "check_accumulation": [("= not +=", _linear(AssignsGrad), (5, 3), "1 times"),
                           ("second backward accepted", lambda seed: KeepsLastInput(rng=seed),
                            (5, 3), "did not raise")],
    "check_shared_use": [("last input only", lambda seed: KeepsLastInput(rng=seed), (5, 3),
                          "weight.grad differs")],
    "check_no_grad": [("cache kept", _linear(CachesUnderNoGrad), (5, 3), "kept a cache"),
                      ("attribute cache", lambda seed: KeepsLastInput(rng=seed), (5, 3),
                       "did not raise")],
    "check_zero_grad": [("new arrays", _linear(ReplacingZeroGrad), (5, 3), "in place"),
                        ("no-op", _linear(NoOpZeroGrad), (5, 3), "not all zeros")],
    "check_dtype": [("output always float64", _linear(AlwaysFloat64), (5, 3),
                     "float32 layer given float32 input: expected a float32 output"),
                    ("parameterless float64", lambda seed: ParameterlessFloat64(), (5, 3),
                     "float32 input: expected a float32 output")],
    "check_state_dict": [("misses a key", _linear(StateDictMissesBias), (5, 3), "bias"),
                         ("load is a no-op", _linear(IgnoresLoad), (5, 3), "output differs"),
                         ("views", _linear(StateDictOfViews), (5, 3), "views")],
    "check_train_eval": [("undeclared difference", _linear(HalvesInEval), (5, 3),
                          "train and eval outputs differ"),
                         ("random in eval", lambda seed: DropsInEval(rng=seed), (5, 3),
                          "two forwards in evaluation mode differ")],
    "check_determinism": [
        ("unseeded noise", _linear(GlobalNoise), (5, 3), "outputs differing"),
        ("constructor ignores rng", lambda seed: Linear(3, 4), (5, 3), "ignore rng"),
    ],
    "check_bad_dtype": [
        ("accepts strings", lambda seed: AcceptsStrings(), (5, 3), "accepted a string array"),
        ("numpy ValueError", _linear(CastsWithoutChecking), (5, 3), "raised ValueError"),
        ("vague message", _linear(VagueError), (5, 3), "must name the layer"),
    ],
    "check_bad_ndim": [
        ("any rank accepted", lambda seed: SumsLastAxis(), (4, 3), "accepted inputs of shapes"),
        ("crash", _linear(CrashesOnRank), (5, 3), "raised IndexError"),
    ],
    "check_backward_before_forward": [
        ("AttributeError on None", lambda seed: UnguardedBackward(rng=seed), (5, 3),
         "raised AttributeError"),
        ("silent", _linear(SilentBackward), (5, 3), "did not raise"),
    ],
}


def test_every_check_has_a_firing_test():
    assert list(BROKEN) == list(LAYER_CHECKS)


@pytest.mark.parametrize("check_name, layer, input_shape, fragment", [
    pytest.param(name, layer, shape, fragment, id=f"{name}-{case}")
    for name, cases in BROKEN.items() for case, layer, shape, fragment in cases
])
def test_check_fires_on_a_broken_layer(check_name, layer, input_shape, fragment):
    with pytest.raises(LayerCheckError) as info:
        LAYER_CHECKS[check_name](layer, input_shape)
    assert str(info.value).startswith(f"{check_name}: ")
    assert fragment in str(info.value)


@pytest.mark.parametrize("case", [case for cases in BROKEN.values() for case in cases],
                         ids=lambda case: case[0])
def test_check_layer_reports_the_broken_layer(case):
    _, layer, input_shape, _ = case
    with pytest.raises(LayerCheckError, match=r"^check_\w+: "):
        check_layer(layer, input_shape)


# --- check_layer itself ---------------------------------------------------------


def test_check_layer_passes_on_an_instance_and_leaves_it_untouched():
    layer = Linear(3, 4, rng=0).to(np.float32)
    weight = layer.weight.data.copy()
    check_layer(layer, (5, 3))
    assert np.array_equal(layer.weight.data, weight) and layer.weight.dtype == np.float32
    assert not layer.weight.grad.any() and layer.pending_forwards == 0


def test_check_layer_names_the_first_failed_check_and_the_layer():
    with pytest.raises(LayerCheckError) as info:
        check_layer(AssignsGrad(3, 4, rng=0), (5, 3))
    assert str(info.value).startswith(
        "check_accumulation: AssignsGrad(in_features=3, out_features=4, bias=True): ")


def test_check_layer_skip():
    check_layer(AssignsGrad(3, 4, rng=0), (5, 3), skip=("check_accumulation", "check_shared_use"))
    with pytest.raises(ConfigError, match="check_acumulation"):
        check_layer(Linear(3, 4), (5, 3), skip=("check_acumulation",))
    for skip in (None, "check_bad_ndim"):  # before: TypeError, or a set of its letters
        with pytest.raises(ConfigError, match="expected skip as a tuple of check names"):
            check_layer(Linear(3, 4), (5, 3), skip=skip)
    with pytest.raises(ConfigError, match=r"unknown check name\(s\) \[\['check_bad_ndim'\]\]"):
        check_layer(Linear(3, 4), (5, 3), skip=[["check_bad_ndim"]])  # before: unhashable


def test_check_layer_wraps_a_crash_inside_a_check():
    with pytest.raises(LayerCheckError, match="^check_shapes: .*raised ZeroDivisionError") as info:
        check_layer(Crashes(), (5, 3))
    assert isinstance(info.value.__cause__, ZeroDivisionError)


class Crashes(Module):
    def forward(self, x):
        return 1 // 0


def test_check_layer_refuses_a_non_layer_argument():
    with pytest.raises(ConfigError, match="expected a Module or a factory"):
        check_layer("Linear", (5, 3))
    with pytest.raises(ConfigError, match="factory to return a Module"):
        check_layer(lambda seed: 3, (5, 3))


def test_check_layer_with_integer_inputs():
    check_layer(lambda seed: Indexed(rng=seed), (4, 3),
                input_fn=lambda shape, rng: rng.integers(0, 5, size=shape))


def test_train_eval_difference_can_be_declared():
    check_layer(HalvesInEval(3, 4, rng=0), (5, 3), train_eval_differs=True)


def test_train_eval_exemptions_table_by_class_name():
    class Dropout(HalvesInEval):  # listed in TRAIN_EVAL_DIFFERS, found inside a Sequential
        pass

    check_train_eval(lambda seed: Sequential(Dropout(3, 4, rng=seed)), (5, 3))
    with pytest.raises(LayerCheckError):
        check_train_eval(lambda seed: Sequential(Dropout(3, 4, rng=seed)), (5, 3), differs=False)


class Dropout(Module):
    """A toy inverted dropout (named as in TRAIN_EVAL_DIFFERS) with its own generator."""

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = p
        self.rng = np.random.default_rng(rng)

    def extra_repr(self):
        return f"p={self.p}"

    def forward(self, x):
        x = as_float_array(self, x)
        keep = (self.rng.random(x.shape) >= self.p) if self.training else np.ones(x.shape)
        mask = (keep / (1 - self.p if self.training else 1.0)).astype(x.dtype)
        self.push_cache(mask)
        return x * mask

    def backward(self, grad_out):
        return grad_out * self.pop_cache(grad_out, np.shape)


class RunningScale(Module):
    """A toy with a buffer, like batch norm: tracks a running mean of |x| in training
    and divides by it in evaluation."""

    def __init__(self, features):
        super().__init__()
        self.weight = Parameter(np.ones(features))
        self.register_buffer("running_scale", np.ones(features))

    def forward(self, x):
        x = as_float_array(self, x, dtype=self.weight.dtype)
        check_ndim(self, x, (2,), "(N, C)")
        scale = np.ones(x.shape[1], dtype=x.dtype)
        if self.training:
            self.running_scale = 0.9 * self.running_scale + 0.1 * np.abs(x).mean(axis=0)
        else:
            scale = self.running_scale.astype(x.dtype)
        self.push_cache((x, scale))
        return x / scale * self.weight.data

    def backward(self, grad_out):
        x, scale = self.pop_cache(grad_out, lambda cache: cache[0].shape)
        self.weight.grad += np.sum(grad_out * x / scale, axis=0)
        return grad_out / scale * self.weight.data


def test_a_stochastic_layer_passes_every_check():
    """Generators are rewound in gradcheck; train/eval difference found in the table."""
    check_layer(lambda seed: Sequential(Linear(3, 4, rng=seed), Dropout(0.5, rng=seed)), (6, 3))


@pytest.mark.parametrize("train", [True, False])
def test_a_layer_with_buffers_passes_every_check(train):
    """The state_dict check perturbs and reloads the buffer; the modes must be declared."""
    check_layer(RunningScale(3).train(train), (5, 3), train_eval_differs=True)
    with pytest.raises(LayerCheckError, match="^check_train_eval"):
        check_layer(RunningScale(3).train(train), (5, 3))
