"""What the doctor's rooms share (minnet/diagnostics/_shared.py): one definition each."""

import numpy as np
import pytest

from minnet.core import Sequential
from minnet.diagnostics._shared import (
    class_names,
    data_loss_of,
    forward_with_hooks,
    layer_where,
    submodule_where,
    task_of,
)
from minnet.layers import Linear, ReLU, Softmax
from minnet.losses import (
    BCELoss,
    CrossEntropyLoss,
    HuberLoss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
)


def test_layer_where_names_the_model_itself_as_each_room_does():
    relu = ReLU()
    assert layer_where("2", relu) == "2 (ReLU)"
    assert layer_where("", relu) == "model (ReLU)"  # the monitor's records
    assert layer_where("", relu, root="Sequential") == "Sequential (ReLU)"
    assert layer_where("", Softmax(), root=None) == "Softmax"  # lint: the class alone
    assert layer_where("1.block.0", Linear(2, 2, rng=0), root=None) == "1.block.0 (Linear)"


def test_submodule_where_finds_a_layer_by_identity():
    inner = Linear(3, 3, rng=0)
    model = Sequential(Linear(2, 3, rng=0), Sequential(ReLU(), inner))
    assert submodule_where(model, inner) == "1.1 (Linear)"
    assert submodule_where(model, model) == "Sequential (Sequential)"
    assert submodule_where(model, Linear(3, 3, rng=0)) == "(Linear)"  # an equal copy is not it


def test_data_loss_of_unwraps_every_regularized_layer_and_nothing_else():
    model = Sequential(Linear(2, 2, rng=0))
    data_loss = CrossEntropyLoss()
    wrapped = RegularizedLoss(RegularizedLoss(data_loss, model, l2=1e-3), model, l1=1e-4)
    assert data_loss_of(wrapped) is data_loss
    assert data_loss_of(data_loss) is data_loss
    assert data_loss_of(None) is None


@pytest.mark.parametrize("loss, task", [(CrossEntropyLoss(), "multiclass"),
                                        (NLLLoss(), "multiclass"), (BCELoss(), "binary"),
                                        (MSELoss(), "regression"), (HuberLoss(), "regression"),
                                        (object(), None)])
def test_task_of_reads_through_a_regularized_loss(loss, task):
    assert task_of(loss) == task
    if task is not None:
        model = Sequential(Linear(2, 2, rng=0))
        assert task_of(RegularizedLoss(loss, model, l2=1e-3)) == task


def test_class_names_follow_the_method_resolution_order():
    class MyReLU(ReLU):
        pass

    names = class_names(MyReLU())
    assert names[:2] == ("MyReLU", "ReLU") and names[-1] == "object"


def test_forward_with_hooks_removes_its_hooks_even_when_the_forward_raises():
    model = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 2, rng=0))
    seen = []
    out = forward_with_hooks(model, np.ones((4, 2)), list(model.children()),
                             lambda module, inputs, out: seen.append(type(module).__name__))
    assert seen == ["Linear", "ReLU", "Linear"] and out.shape == (4, 2)
    assert all(not m.__dict__.get("_cache_stack") for m in model.modules())  # under no_grad
    inputs = []
    forward_with_hooks(model, np.ones((1, 2)), [model], lambda module, x: inputs.append(x),
                       pre=True)
    assert len(inputs) == 1 and inputs[0].shape == (1, 2)
    with pytest.raises(Exception, match="Linear"):
        forward_with_hooks(model, np.ones((4, 5)), model.modules(), lambda *args: None)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
