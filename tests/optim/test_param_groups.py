"""Parameter groups: construction, per-group options in step(), add_param_group, checked
writes into a group, and the optimizer-wide attributes over several groups."""

import copy
import pickle

import numpy as np
import pytest

from minnet.core import Parameter
from minnet.errors import ConfigError
from minnet.optim import SGD, Adam, ParamGroup, RMSprop


def make_params(count=3):
    return [Parameter(np.full(2, float(index + 1))) for index in range(count)]


def two_groups(cls=SGD, **defaults):
    params = make_params()
    defaults = {"lr": 0.1, **defaults}
    optimizer = cls([{"params": params[:1]},
                     {"params": params[1:], "lr": 0.01, "weight_decay": 0.5}], **defaults)
    return optimizer, params


def test_groups_hold_params_and_every_option_with_defaults_filled():
    optimizer, params = two_groups(momentum=0.9)
    first, second = optimizer.param_groups
    assert isinstance(first, ParamGroup) and isinstance(first, dict)
    assert first["params"] == (params[0],) and second["params"] == tuple(params[1:])
    assert first == {"params": (params[0],), "lr": 0.1, "momentum": 0.9, "nesterov": False,
                     "weight_decay": 0.0, "dampening": 0.0}
    assert (second["lr"], second["weight_decay"], second["momentum"]) == (0.01, 0.5, 0.9)
    assert optimizer.params == params  # flat, group after group
    assert len(optimizer.state) == 3
    assert optimizer.defaults == {"lr": 0.1, "momentum": 0.9, "nesterov": False,
                                  "weight_decay": 0.0, "dampening": 0.0}


def test_plain_parameters_make_one_group():
    params = make_params(2)
    optimizer = Adam(params, lr=0.01)
    assert len(optimizer.param_groups) == 1
    assert optimizer.param_groups[0]["params"] == tuple(params)


def test_each_group_steps_with_its_own_lr_and_weight_decay():
    optimizer, params = two_groups()
    grads = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 3.0])]
    before = [param.data.copy() for param in params]
    for param, grad in zip(params, grads, strict=True):
        param.add_grad(grad)
    optimizer.step()
    np.testing.assert_allclose(params[0].data, before[0] - 0.1 * grads[0])
    for index in (1, 2):
        expected = before[index] - 0.01 * (grads[index] + 0.5 * before[index])
        np.testing.assert_allclose(params[index].data, expected)


def test_a_group_lr_written_by_hand_is_used():
    optimizer, params = two_groups()
    optimizer.param_groups[0]["lr"] = 0.5
    params[0].add_grad(np.ones(2))
    optimizer.step()
    np.testing.assert_allclose(params[0].data, [0.5, 0.5])


def test_add_param_group_fills_defaults_and_steps_the_new_parameters():
    params = make_params()
    optimizer = SGD(params[:1], lr=0.1, momentum=0.9)
    optimizer.add_param_group({"params": params[1], "lr": 0.2})  # a single Parameter
    group = optimizer.param_groups[1]
    assert group["params"] == (params[1],) and group["lr"] == 0.2 and group["momentum"] == 0.9
    assert optimizer.params == params[:2] and len(optimizer.state) == 2
    params[1].add_grad(np.ones(2))
    optimizer.step()
    np.testing.assert_allclose(params[1].data, [2.0 - 0.2, 2.0 - 0.2])


def test_an_empty_group_is_allowed_but_not_an_empty_optimizer():
    params = make_params(1)
    optimizer = SGD([{"params": params}, {"params": []}], lr=0.1)
    assert optimizer.param_groups[1]["params"] == ()
    with pytest.raises(ConfigError, match="SGD: every parameter group is empty"):
        SGD([{"params": []}], lr=0.1)


BAD_GROUPS = [
    ({"params": make_params(1)}, r"SGD: got a single dict; pass a list of parameter groups"),
    ([{"params": make_params(1)}, make_params(1)[0]],
     r"SGD: element 1 of params is a Parameter but others are parameter-group dicts"),
    ([{"lr": 0.1}], r"SGD \(param_groups\[0\]\): a parameter group needs a 'params' key"),
    ([{"params": make_params(1), "lr": -1.0}],
     r"SGD \(param_groups\[0\]\): the 'lr' parameter must be a float in the range \(0.0"),
    ([{"params": make_params(1)}, {"params": make_params(1), "momentum": 1.5}],
     r"SGD \(param_groups\[1\]\): the 'momentum' parameter .*never forgets"),
    ([{"params": make_params(1), "nesterov": True}],
     r"SGD \(param_groups\[0\]\): the 'nesterov' parameter needs momentum > 0"),
    ([{"params": make_params(1), "maximize": True}],
     r"SGD \(param_groups\[0\]\): unknown option\(s\) 'maximize' in a parameter group; SGD "
     r"takes 'lr', 'momentum'"),
    ([{"params": [np.ones(2)]}], r"SGD \(param_groups\[0\]\): element 0 of params must be a "
                                 r"Parameter"),
]


@pytest.mark.parametrize("params, message", BAD_GROUPS, ids=range(len(BAD_GROUPS)))
def test_bad_groups_raise(params, message):
    with pytest.raises(ConfigError, match=message):
        SGD(params, lr=0.1)


def test_a_parameter_in_two_groups_is_refused():
    params = make_params(2)
    with pytest.raises(ConfigError, match=r"SGD \(param_groups\[1\]\): params\[0\] .* is "
                                          r"already in param_groups\[0\]; a parameter may "
                                          r"belong to one group only"):
        SGD([{"params": params}, {"params": params[1:]}], lr=0.1)
    optimizer = SGD(params, lr=0.1)
    with pytest.raises(ConfigError, match=r"already in param_groups\[0\]"):
        optimizer.add_param_group({"params": [params[0]]})
    with pytest.raises(ConfigError, match="a parameter group must be a dict"):
        optimizer.add_param_group(params)
    assert len(optimizer.param_groups) == 1 and len(optimizer.params) == 2


@pytest.mark.parametrize("key, value, message", [
    ("lr", -0.1, r"the 'lr' parameter must be a float in the range \(0.0"),
    ("lr", 0.0, r"the 'lr' parameter must be a float in the range \(0.0"),
    ("momentum", 1.5, r"the 'momentum' parameter .*never forgets"),
    ("dampening", 0.5, r"the 'nesterov' parameter needs .* dampening == 0"),
    ("weight_decay", "0.1", r"the 'weight_decay' parameter must be a finite float"),
    ("params", [], r"the 'params' of a group cannot be replaced; .*add_param_group"),
    ("maximize", True, r"unknown option\(s\) 'maximize'"),
    ("initial_lr", -1.0, r"the 'initial_lr' parameter must be a float in the range \[0.0"),
])
def test_writes_into_a_group_are_checked(key, value, message):
    optimizer = SGD([{"params": make_params(1), "momentum": 0.9, "nesterov": True}], lr=0.1)
    group = optimizer.param_groups[0]
    before = dict(group)
    with pytest.raises(ConfigError, match=rf"^SGD \(param_groups\[0\]\): {message}"):
        group[key] = value
    with pytest.raises(ConfigError):
        group.update({key: value})
    assert dict(group) == before


def test_group_dict_methods_keep_the_options():
    optimizer, _ = two_groups()
    group = optimizer.param_groups[0]
    group.update(lr=0.3, momentum=0.5)
    assert (group["lr"], group["momentum"]) == (0.3, 0.5)
    assert group.setdefault("initial_lr", 0.3) == 0.3
    assert group.pop("initial_lr") == 0.3  # a schedule's key may go
    for remove in (lambda: group.pop("lr"), lambda: group.__delitem__("momentum"),
                   group.clear, group.popitem):
        with pytest.raises(ConfigError, match="cannot"):
            remove()
    assert group["lr"] == 0.3


def test_lr_reads_the_shared_value_and_raises_when_groups_differ():
    optimizer, _ = two_groups()
    with pytest.raises(ConfigError, match=r"SGD: its 2 parameter groups have different 'lr' "
                                          r"values \(0.1, 0.01\); read optimizer.param_groups"
                                          r"\[i\]\['lr'\]"):
        _ = optimizer.lr
    with pytest.raises(ConfigError, match="different 'weight_decay' values"):
        _ = optimizer.weight_decay
    with pytest.raises(ConfigError, match="different 'weight_decay' values"):
        optimizer.hyperparameters()
    assert optimizer.momentum == 0.0  # the groups agree on it
    optimizer.lr = 0.2
    assert optimizer.lr == 0.2
    assert [group["lr"] for group in optimizer.param_groups] == [0.2, 0.2]
    assert optimizer.defaults["lr"] == 0.2


def test_setting_an_option_sets_every_group_and_the_default_for_new_groups():
    optimizer, params = two_groups()
    optimizer.weight_decay = 0.25
    assert [group["weight_decay"] for group in optimizer.param_groups] == [0.25, 0.25]
    optimizer.add_param_group({"params": [Parameter(np.ones(2))]})
    assert optimizer.param_groups[2]["weight_decay"] == 0.25
    assert optimizer.weight_decay == 0.25


def test_setting_an_option_checks_every_group_before_changing_any():
    params = make_params(2)
    optimizer = SGD([{"params": params[:1]},
                     {"params": params[1:], "nesterov": True}], lr=0.1, momentum=0.9)
    with pytest.raises(ConfigError, match=r"SGD \(param_groups\[1\]\): the 'nesterov' "
                                          r"parameter needs momentum > 0"):
        optimizer.momentum = 0.0
    assert [group["momentum"] for group in optimizer.param_groups] == [0.9, 0.9]
    assert optimizer.defaults["momentum"] == 0.9
    with pytest.raises(ConfigError, match=r"^SGD \(param_groups\[0\]\): the 'lr' parameter"):
        optimizer.lr = 0.0
    assert optimizer.lr == 0.1


def test_unknown_attribute_is_an_attribute_error():
    optimizer, _ = two_groups()
    with pytest.raises(AttributeError, match="'SGD' object has no attribute 'betas'"):
        _ = optimizer.betas
    assert not hasattr(optimizer, "betas")


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda obj: pickle.loads(pickle.dumps(obj))])
def test_deepcopy_and_pickle_keep_checked_groups_on_the_copied_parameters(duplicate):
    optimizer, params = two_groups(cls=Adam)
    params[0].add_grad(np.ones(2))
    optimizer.step()
    copied = duplicate(optimizer)
    group = copied.param_groups[1]
    assert isinstance(group, ParamGroup) and group["lr"] == 0.01
    assert copied.params[0] is copied.param_groups[0]["params"][0]
    assert copied.params[0] is not params[0]
    with pytest.raises(ConfigError, match=r"Adam \(param_groups\[1\]\): the 'betas\[0\]'"):
        group["betas"] = (1.0, 0.999)
    copied.params[0].add_grad(np.ones(2))
    copied.step()
    assert copied.state[0]["step"] == 2 and optimizer.state[0]["step"] == 1


def test_rebuilding_from_lr_and_hyperparameters_as_the_doctor_does():
    params = make_params(2)
    optimizer = RMSprop(params, lr=0.02, momentum=0.5, centered=True)
    rebuilt = type(optimizer)(params, lr=optimizer.lr, **optimizer.hyperparameters())
    assert rebuilt.param_groups[0] == optimizer.param_groups[0]
