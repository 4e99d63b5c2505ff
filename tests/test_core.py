"""Parameter, Module, Sequential, hooks, state_dict, dtype and the error hierarchy."""

import warnings

import numpy as np
import pytest

from minnet import errors
from minnet.core import Module, Parameter, Sequential
from minnet.layers.linear import Linear
from minnet.random import make_rng, seed


class Scale(Module):
    """y = w * x with a scalar-per-feature weight; small enough to reason about."""

    def __init__(self, features):
        super().__init__()
        self.weight = Parameter(np.ones(features))
        self.register_buffer("calls", np.zeros(()))

    def forward(self, x):
        self._x = x
        self.calls = self.calls + 1
        return x * self.weight.data

    def backward(self, grad_out):
        self.weight.grad += (grad_out * self._x).sum(axis=0)
        return grad_out * self.weight.data


def test_parameter_grad_is_a_zero_array_of_the_same_shape():
    param = Parameter(np.arange(6.0).reshape(2, 3))
    assert isinstance(param.grad, np.ndarray)
    assert param.grad.shape == (2, 3) and not param.grad.any()
    param.grad += 1.0
    grad_object = param.grad
    param.zero_grad()
    assert param.grad is grad_object and not param.grad.any()


def test_parameter_of_ints_becomes_float64():
    assert Parameter([1, 2, 3]).dtype == np.float64


def test_registration_order_and_dotted_names():
    model = Sequential(Linear(3, 4, rng=0), Scale(4), Sequential(Linear(4, 2, rng=1)))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "2.0.weight", "2.0.bias"]
    assert list(model.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.calls", "2.0.weight", "2.0.bias"]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "2", "2.0"]
    assert len(list(model.children())) == 3


def test_shared_parameter_is_listed_once():
    first = Linear(3, 3, rng=0)
    second = Linear(3, 3, rng=1)
    second.weight = first.weight
    assert len(Sequential(first, second).parameters()) == 3


def test_parameters_returns_a_list_that_can_be_iterated_twice():
    params = Linear(2, 2, rng=0).parameters()
    assert len(list(params)) == len(list(params)) == 2


def test_gradients_accumulate_until_zero_grad():
    layer = Linear(3, 2, rng=0)
    x = np.ones((4, 3))
    grad_out = np.ones((4, 2))
    layer(x)
    layer.backward(grad_out)
    once = layer.weight.grad.copy()
    layer(x)
    layer.backward(grad_out)
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


def test_accumulating_opposite_infinities_gives_nan_without_warnings():
    """Two backwards (a shared layer) adding inf then -inf into .grad: NaN, as PyTorch's
    accumulation gives (before: 'invalid value encountered in add')."""
    param = Parameter(np.zeros(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        param.add_grad(np.array([np.inf, 1.0]))
        param.add_grad(np.array([-np.inf, 1e308]))
        param.add_grad(np.array([0.0, 1e308]))
    assert np.isnan(param.grad[0]) and param.grad[1] == np.inf


def test_train_and_eval_recurse():
    model = Sequential(Linear(2, 2), Sequential(Linear(2, 2)))
    assert model.eval() is model
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())


def test_forward_hook_sees_output_and_can_be_removed():
    layer = Linear(2, 3, rng=0)
    seen = []
    handle = layer.register_forward_hook(lambda module, x, out: seen.append(out.shape))
    layer(np.ones((5, 2)))
    handle.remove()
    layer(np.ones((5, 2)))
    assert seen == [(5, 3)]


def test_forward_hook_return_value_replaces_output():
    layer = Linear(2, 3, rng=0)
    layer.register_forward_hook(lambda module, x, out: out * 0)
    assert not layer(np.ones((1, 2))).any()


def test_backward_hooks_fire_once_per_call_in_order():
    layer = Linear(2, 3, rng=0)
    events = []
    layer.register_backward_pre_hook(
        lambda module, grad_out: events.append(("pre", module.weight.grad.any())))
    layer.register_backward_hook(
        lambda module, grad_in, grad_out: events.append(("post", grad_in.shape)))
    out = layer(np.ones((4, 2)))
    layer.backward(np.ones_like(out))
    assert events == [("pre", False), ("post", (4, 2))]


def test_backward_hook_fires_once_when_subclass_calls_super():
    class LoudLinear(Linear):
        def backward(self, grad_out):
            return super().backward(grad_out)

    layer = LoudLinear(2, 2, rng=0)
    calls = []
    layer.register_backward_hook(lambda *args: calls.append(1))
    layer(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    assert calls == [1]


def test_hooks_fire_inside_sequential():
    inner = Linear(2, 2, rng=0)
    model = Sequential(inner, Linear(2, 1, rng=1))
    seen = []
    inner.register_forward_hook(lambda *args: seen.append("forward"))
    inner.register_backward_hook(lambda *args: seen.append("backward"))
    model.backward(np.ones_like(model(np.ones((3, 2)))))
    assert seen == ["forward", "backward"]


def test_state_dict_round_trip_is_exact_and_a_copy():
    source = Sequential(Linear(3, 4, rng=0), Scale(4))
    target = Sequential(Linear(3, 4, rng=1), Scale(4))
    state = source.state_dict()
    state["0.weight"] += 0.0  # a copy: mutating it must not touch the model
    target.load_state_dict(state)
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    state["0.weight"][0, 0] = 99.0
    assert source[0].weight.data[0, 0] != 99.0


def test_load_state_dict_reports_every_problem_at_once():
    model = Sequential(Linear(3, 4, rng=0), Linear(4, 2, rng=0))
    state = model.state_dict()
    del state["1.bias"]
    state["0.weight"] = np.zeros((2, 2))
    state["extra"] = np.zeros(1)
    with pytest.raises(errors.StateDictError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "Missing key(s) in state_dict: \"1.bias\"" in message
    assert "Unexpected key(s) in state_dict: \"extra\"" in message
    assert "size mismatch for 0.weight" in message and "(2, 2)" in message and "(4, 3)" in message


def test_load_state_dict_non_strict_returns_the_incompatible_keys():
    model = Linear(3, 4, rng=0)
    state = model.state_dict()
    del state["bias"]
    state["extra"] = np.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    with pytest.raises(errors.StateDictError, match="size mismatch"):
        model.load_state_dict({"weight": np.zeros((1, 1))}, strict=False)


def test_to_float32_casts_parameters_grads_and_buffers():
    model = Sequential(Linear(3, 4, rng=0), Scale(4)).to(np.float32)
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert model[1].calls.dtype == np.float32
    assert model(np.ones((2, 3), dtype=np.float64)).dtype == np.float32
    with pytest.raises(errors.ConfigError, match="float32 or float64"):
        model.to(np.int32)


def test_repr_is_a_tree_with_parameter_counts():
    text = repr(Sequential(Linear(784, 10), Sequential(Linear(10, 10))))
    assert "(0): Linear(in_features=784, out_features=10, bias=True)  # 7,850 params" in text
    assert "(1): Sequential(" in text and "# 110 params" in text
    assert "Total parameters: 7,960" in Sequential(Linear(784, 10), Linear(10, 10)).summary()


def test_sequential_rejects_a_class_instead_of_an_instance():
    with pytest.raises(errors.ConfigError, match="instead of an instance"):
        Sequential(Linear)


def test_sequential_indexing_and_len():
    model = Sequential(Linear(2, 3), Linear(3, 4), Linear(4, 5))
    assert len(model) == 3 and model[-1].out_features == 5
    assert [layer.out_features for layer in model[1:]] == [4, 5]


def test_error_hierarchy_is_catchable_as_builtins():
    assert issubclass(errors.ShapeError, ValueError)
    assert issubclass(errors.ConfigError, ValueError)
    assert issubclass(errors.DTypeError, TypeError)
    assert issubclass(errors.GradcheckError, AssertionError)
    for cls in (errors.ShapeError, errors.ConfigError, errors.DTypeError, errors.DataError,
                errors.StateDictError, errors.CheckpointError, errors.GradcheckError):
        assert issubclass(cls, errors.MinnetError)


def test_linear_bad_input_message_names_layer_expected_and_given():
    layer = Linear(784, 10)
    with pytest.raises(errors.ShapeError) as info:
        layer(np.zeros((32, 28, 28)))
    assert str(info.value) == (
        "Linear(in_features=784, out_features=10, bias=True): expected input of shape "
        "(N, *, 784), got (32, 28, 28); did you forget Flatten()?")
    expected = r"expected input of shape \(N, \*, 784\), got \(2, 3\)"
    with pytest.raises(errors.ShapeError, match=expected):
        layer(np.zeros((2, 3)))
    with pytest.raises(errors.DTypeError, match="Linear.*expected a float input.*<U1"):
        layer(np.array([["a"] * 784]))


def test_linear_backward_checks_forward_and_grad_shape():
    layer = Linear(3, 2)
    with pytest.raises(errors.MinnetError, match="before forward"):
        layer.backward(np.ones((4, 2)))
    layer(np.ones((4, 3)))
    expected = r"expected grad_out of shape \(4, 2\).*got \(4, 3\)"
    with pytest.raises(errors.ShapeError, match=expected):
        layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize("kwargs, match", [
    ({"in_features": 0, "out_features": 3}, "'in_features' parameter must be an int >= 1, got 0"),
    ({"in_features": -2, "out_features": 3}, "'in_features' parameter must be an int >= 1"),
    ({"in_features": 2.5, "out_features": 3}, "'in_features' parameter must be an int"),
    ({"in_features": 2, "out_features": 3, "init": "nope"}, "unknown init 'nope'"),
])
def test_linear_invalid_arguments(kwargs, match):
    with pytest.raises(errors.ConfigError, match=match):
        Linear(**kwargs)


def test_seed_makes_layer_construction_reproducible():
    seed(7)
    first = Linear(5, 5).weight.data.copy()
    seed(7)
    np.testing.assert_array_equal(first, Linear(5, 5).weight.data)
    with pytest.raises(errors.ConfigError):
        seed(-1)


def test_make_rng_accepts_int_generator_and_none_only():
    generator = np.random.default_rng(0)
    assert make_rng(generator) is generator
    assert make_rng(3).integers(1000) == np.random.default_rng(3).integers(1000)
    with pytest.raises(errors.ConfigError, match="rng"):
        make_rng("seed")


def test_first_layer_can_skip_its_input_gradient():
    full = Sequential(Linear(4, 3, rng=0), Linear(3, 2, rng=1))
    lean = Sequential(Linear(4, 3, rng=0, input_grad=False), Linear(3, 2, rng=1))
    x = np.random.default_rng(0).standard_normal((5, 4))
    grad = np.random.default_rng(1).standard_normal((5, 2))
    full(x)
    full.backward(grad)
    lean(x)
    assert lean.backward(grad) is None
    for a, b in zip(full.parameters(), lean.parameters()):
        np.testing.assert_array_equal(a.grad, b.grad)
    assert "input_grad=False" in repr(lean[0])


def test_input_grad_false_on_a_middle_layer_is_a_clear_error():
    model = Sequential(Linear(4, 3, rng=0), Linear(3, 2, rng=1, input_grad=False))
    out = model(np.ones((2, 4)))
    with pytest.raises(errors.MinnetError, match="received None as grad_out.*input_grad=False"):
        model.backward(np.ones_like(out))
    with pytest.raises(errors.ConfigError, match="'input_grad' parameter must be a bool"):
        Linear(2, 2, input_grad="no")
