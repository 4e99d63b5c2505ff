"""Module's own guards: to() arguments, constructor arguments, replaced parameters, apply().

Each test shows a bad input that used to end in a raw NumPy/Python exception
(or in nothing at all) ending in a minnet error that names the layer.
"""

import copy
import inspect
import pickle
import warnings

import numpy as np
import pytest

import minnet as mn
from minnet import errors
from minnet.core import Module, Parameter, Sequential
from minnet.layers.linear import Linear

# --- Module.to -------------------------------------------------------------------

@pytest.mark.parametrize("target", ["cpu", "cuda", "cuda:0", "mps"])
def test_to_a_device_says_minnet_runs_on_the_cpu(target):
    with pytest.raises(errors.ConfigError, match="runs on the CPU.*float32 or float64"):
        Linear(2, 2, rng=0).to(target)


def test_to_a_foreign_dtype_object_says_which_dtypes_work():
    class FakeTorchDtype:  # what torch.float32 looks like to NumPy: not a dtype
        def __repr__(self):
            return "torch.float32"

    with pytest.raises(errors.ConfigError, match=r"got torch\.float32.*np\.float32"):
        Linear(2, 2, rng=0).to(FakeTorchDtype())


@pytest.mark.parametrize("dtype", [np.int64, np.float16, "complex128", None,
                                   ","])  # "," made NumPy's dtype parser raise SyntaxError
def test_to_a_non_float_dtype_is_a_config_error(dtype):
    with pytest.raises(errors.ConfigError, match="float32 or float64"):
        Linear(2, 2, rng=0).to(dtype)


def test_to_still_accepts_every_spelling_of_the_float_dtypes():
    layer = Linear(2, 2, rng=0)
    for dtype in (np.float32, "float32", np.dtype("float64"), float, "f4"):
        assert layer.to(dtype) is layer
    assert layer.weight.dtype == np.float32


# --- constructor arguments -------------------------------------------------------

def test_unknown_keyword_names_the_public_class_and_the_accepted_arguments():
    # BatchNorm2d's __init__ is its private base's, _BatchNorm.__init__
    with pytest.raises(errors.ArgumentError) as info:
        mn.BatchNorm2d(3, foo=1)
    assert str(info.value) == ("BatchNorm2d: unknown argument 'foo'; accepted: num_features, "
                               "eps, momentum, affine, track_running_stats")


@pytest.mark.parametrize("build, name", [
    (lambda: mn.Conv1d(1, 2, 3, fo=1), "Conv1d"),
    (lambda: mn.MaxPool2d(2, foo=1), "MaxPool2d"),
    (lambda: mn.BatchNorm2d(3, foo=1), "BatchNorm2d"),
    (lambda: mn.GRU(), "GRU"),
    (lambda: mn.Linear(1, 2, True, "he", None, True, 7), "Linear"),
])
def test_every_argument_mismatch_names_the_public_class(build, name):
    with pytest.raises(errors.ArgumentError, match=f"^{name}: ") as info:
        build()
    assert "__init__" not in str(info.value) and "_ConvNd" not in str(info.value)


def test_a_typo_gets_a_close_match_suggestion():
    with pytest.raises(errors.ArgumentError, match="did you mean 'negative_slope'"):
        mn.LeakyReLU(slope=0.1)
    with pytest.raises(errors.ArgumentError, match="did you mean 'momentum'"):
        mn.BatchNorm1d(3, momentun=0.2)


def test_no_suggestion_from_a_one_letter_overlap():
    # 'p' is inside 'inplace', yet Dropout(inplace=True) does not mean p
    with pytest.raises(errors.ArgumentError) as info:
        mn.Dropout(inplace=True)
    assert "did you mean" not in str(info.value) and "accepted: p, rng" in str(info.value)


def test_argument_error_is_a_config_error_and_a_type_error():
    # minnet's errors derive from the built-in a Python user expects; Python (and
    # PyTorch) raise TypeError for a bad call signature, so both clauses catch it.
    for parent in (errors.ConfigError, errors.MinnetError, TypeError, ValueError):
        with pytest.raises(parent):
            mn.LayerNorm(3, foo=1)


def test_signature_check_keeps_inspect_copy_and_pickle_working():
    assert list(inspect.signature(mn.BatchNorm2d).parameters)[:2] == ["num_features", "eps"]
    layer = mn.BatchNorm2d(3)
    layer.running_mean = np.arange(3.0)
    for twin in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        np.testing.assert_array_equal(twin.running_mean, layer.running_mean)


def test_a_subclass_taking_kwargs_is_not_second_guessed():
    class Wrapper(Linear):
        def __init__(self, *args, **kwargs):
            extra = kwargs.pop("extra", None)
            super().__init__(*args, **kwargs)
            self.extra = extra

    assert Wrapper(2, 3, extra=1, rng=0).extra == 1
    with pytest.raises(TypeError):  # the inner Linear still refuses an unknown name
        Wrapper(2, 3, nope=1)


# --- replaced parameters -----------------------------------------------------------

def test_replacing_a_parameter_with_the_wrong_shape_fails_at_assignment():
    layer = Linear(2, 4, rng=0)
    with pytest.raises(errors.ShapeError) as info:
        layer.weight = Parameter(np.zeros((3, 3)))
    message = str(info.value)
    assert "Linear(in_features=2, out_features=4" in message
    assert "'weight'" in message and "(4, 2)" in message and "(3, 3)" in message
    assert layer.weight.shape == (4, 2)  # the old parameter is still there


@pytest.mark.parametrize("value", [np.zeros((4, 2)), [[0.0] * 2] * 4, 0.0])
def test_assigning_a_plain_array_to_a_parameter_is_refused_as_in_pytorch(value):
    layer = Linear(2, 4, rng=0)
    with pytest.raises(errors.ConfigError, match=r"cannot assign .* as parameter 'weight'.*"
                                                 r"layer.weight.data\[...\] = values"):
        layer.weight = value
    assert isinstance(layer.weight, Parameter)
    layer.bias = None  # None removes it, as in PyTorch
    assert layer.bias is None and "bias" not in dict(layer.named_parameters())
    assert layer(np.ones((1, 2))).shape == (1, 4)


def test_replacing_a_parameter_with_the_right_shape_still_works():
    layer = Linear(2, 4, rng=0)
    layer.weight = Parameter(np.ones((4, 2)))
    np.testing.assert_array_equal(layer(np.ones((1, 2))), 2 * np.ones((1, 4)))


def test_deleting_then_assigning_a_parameter_is_surgery_and_allowed():
    layer = Linear(2, 4, rng=0)
    del layer.bias
    layer.bias = Parameter(np.zeros(5))  # the user took responsibility
    assert layer.bias.shape == (5,)


@pytest.mark.parametrize("data", [np.zeros((3, 3)), np.zeros((4, 2, 1)), [[1.0, 2.0]] * 4,
                                  np.zeros((4, 2), dtype=np.int64)])
def test_parameter_data_of_the_wrong_shape_or_kind_fails_at_the_next_forward(data):
    layer = Linear(2, 4, rng=0)
    layer.weight.data = data
    with pytest.raises(errors.MinnetError, match=r"^Linear\(in_features=2.*: expected weight "):
        layer(np.ones((5, 2)))


def test_a_wrong_parameter_deep_in_a_model_is_named_by_its_layer():
    model = Sequential(Linear(2, 3, rng=0), mn.ReLU(), Linear(3, 1, rng=1))
    model[2].bias.data = np.zeros(2)
    with pytest.raises(errors.ShapeError, match=r"Linear\(in_features=3, out_features=1.*: "
                                                r"expected bias of shape \(1,\) .*got \(2,\)"):
        model(np.ones((4, 2)))


# --- Module.apply ----------------------------------------------------------------

def test_apply_visits_children_first_then_self_and_returns_self():
    inner = Sequential(Linear(2, 2, rng=0), mn.ReLU())
    model = Sequential(inner, Linear(2, 1, rng=1))
    seen = []
    assert model.apply(seen.append) is model
    assert seen == [inner[0], inner[1], inner, model[1], model]


@pytest.mark.torch
def test_apply_matches_pytorch_order():
    torch = pytest.importorskip("torch")
    ours = Sequential(Sequential(Linear(2, 2, rng=0), mn.ReLU()), Linear(2, 1, rng=1))
    theirs = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()),
                                 torch.nn.Linear(2, 1))
    our_order, their_order = [], []
    ours.apply(lambda module: our_order.append(type(module).__name__))
    theirs.apply(lambda module: their_order.append(type(module).__name__))
    assert our_order == their_order


def test_apply_can_reinitialize_weights():
    def zero_linear(module):
        if isinstance(module, Linear):
            module.weight.data[...] = 0.0

    model = Sequential(Linear(2, 3, rng=0), mn.ReLU(), Linear(3, 1, rng=1)).apply(zero_linear)
    assert all(not layer.weight.data.any() for layer in (model[0], model[2]))


def test_apply_refuses_a_non_callable():
    with pytest.raises(errors.ConfigError, match="apply.*callable"):
        Linear(2, 2, rng=0).apply("xavier")


# --- inputs that are not arrays ----------------------------------------------------

@pytest.mark.parametrize("build", [lambda: Linear(2, 2, rng=0), lambda: mn.BatchNorm1d(2),
                                   lambda: mn.LayerNorm(2), mn.Flatten, mn.ReLU,
                                   mn.Identity, lambda: mn.Embedding(5, 2)])
def test_a_ragged_list_is_a_shape_error_naming_the_layer(build):
    layer = build()
    with pytest.raises(errors.ShapeError, match="ragged") as info:
        layer([[1.0, 2.0], [3.0]])
    assert type(layer).__name__ in str(info.value)


class _Plain(Module):
    def forward(self, x):
        return x


def test_module_base_class_needs_no_arguments():
    with pytest.raises(errors.ArgumentError, match="^_Plain: "):
        _Plain(3)


def test_a_float64_input_too_large_for_a_float32_layer_becomes_inf_quietly():
    # PyTorch's cast gives inf; NumPy's warns "overflow encountered in cast".
    layer = mn.LayerNorm(2).to(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(np.array([[1e39, 1.0]]))
    assert out.dtype == np.float32 and np.isnan(out).all()


@pytest.mark.parametrize("grad_out, error, match", [
    (np.array([[1.0, None]], dtype=object), errors.DTypeError, "float grad_out.*object"),
    (np.ones((1, 2), dtype=complex), errors.DTypeError, "float grad_out.*complex"),
    ([[1.0, 2.0], [3.0]], errors.ShapeError, "ragged"),
])
def test_backward_refuses_a_gradient_that_is_not_real_numbers(grad_out, error, match):
    layer = Linear(3, 2, rng=0)
    layer(np.ones((1, 3)))
    with pytest.raises(error, match=match):
        layer.backward(grad_out)
    assert layer.pending_forwards == 1  # the forward still waits for a proper backward


@pytest.mark.parametrize("mode", [1, "eval", None])
def test_train_takes_a_bool_as_pytorch_does(mode):
    with pytest.raises(errors.ConfigError, match="'mode' parameter must be a bool"):
        Linear(2, 2, rng=0).train(mode)


def test_load_state_dict_strict_must_be_a_bool():
    layer = Linear(2, 2, rng=0)
    with pytest.raises(errors.ConfigError, match="'strict' parameter must be a bool"):
        layer.load_state_dict(layer.state_dict(), strict="no")


def test_an_int_beyond_float_range_is_a_config_error():
    with pytest.raises(errors.ConfigError, match="'eps' parameter must be a finite float"):
        mn.BatchNorm1d(3, eps=10**400)


@pytest.mark.torch
def test_to_a_real_torch_dtype_or_device_says_what_minnet_takes():
    torch = pytest.importorskip("torch")
    for target in (torch.float32, torch.float64, torch.device("cpu")):
        with pytest.raises(errors.ConfigError, match="runs on the CPU.*np.float32"):
            Linear(2, 2, rng=0).to(target)


@pytest.mark.parametrize("data, error", [
    (np.zeros((4, 2), dtype=np.int64), errors.DTypeError), ([[1.0], [2.0, 3.0]], errors.DTypeError),
    (np.zeros((2, 4)), errors.ShapeError),
])
def test_the_parameter_check_says_whether_the_shape_or_the_kind_is_wrong(data, error):
    layer = Linear(2, 4, rng=0)
    layer.weight.data = data
    with pytest.raises(error):
        layer(np.ones((1, 2)))
