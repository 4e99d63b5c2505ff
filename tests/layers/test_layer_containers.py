"""ModuleList, ModuleDict and Identity: list/dict semantics, registration, errors, PyTorch keys."""

import numpy as np
import pytest

import minnet as mn
from minnet.core import Module, Sequential
from minnet.errors import ConfigError, DTypeError, MinnetError, ShapeError
from minnet.gradcheck import gradcheck
from minnet.layers.activations import ReLU, Tanh
from minnet.layers.containers import Identity, ModuleDict, ModuleList
from minnet.layers.groupnorm import GroupNorm
from minnet.layers.linear import Linear


def linears(*sizes):
    return [Linear(n, n + 1, rng=n) for n in sizes]


# --- ModuleList ----------------------------------------------------------------------------


def test_module_list_registers_children_under_their_positions():
    blocks = ModuleList(linears(2, 3))
    blocks.append(ReLU())
    assert len(blocks) == 3 and [name for name, _ in blocks.named_children()] == ["0", "1", "2"]
    assert list(blocks.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert blocks.num_parameters() == (2 * 3 + 3) + (3 * 4 + 4)
    assert isinstance(blocks[-1], ReLU) and blocks[1].in_features == 3
    assert [type(m).__name__ for m in reversed(blocks)] == ["ReLU", "Linear", "Linear"]


def test_module_list_extend_insert_pop_setitem_delitem_renumber():
    a, b, c, d = linears(1, 2, 3, 4)
    blocks = ModuleList([a, b])
    assert blocks.extend([c]) is blocks and list(blocks) == [a, b, c]
    blocks.insert(1, d)
    assert list(blocks) == [a, d, b, c]
    assert [name for name, _ in blocks.named_children()] == ["0", "1", "2", "3"]
    assert blocks.pop(1) is d and list(blocks) == [a, b, c]
    blocks[-1] = d
    assert list(blocks) == [a, b, d] and blocks[2] is d
    del blocks[0]
    assert list(blocks) == [b, d] and list(dict(blocks.named_children())) == ["0", "1"]
    assert list(blocks.state_dict())[:2] == ["0.weight", "0.bias"]
    del blocks[:]
    assert len(blocks) == 0 and blocks.parameters() == []


def test_module_list_slices_add_and_iadd_share_the_modules():
    a, b, c = linears(1, 2, 3)
    blocks = ModuleList([a, b, c])
    part = blocks[1:]
    assert isinstance(part, ModuleList) and list(part) == [b, c]
    assert list(part.named_children())[0] == ("0", b)
    joined = blocks + ModuleList([a])
    assert list(joined) == [a, b, c, a] and len(blocks) == 3
    blocks += [Tanh()]
    assert len(blocks) == 4 and blocks.parameters() == [p for m in (a, b, c) for p in
                                                        m.parameters()]


def test_module_list_train_eval_and_zero_grad_reach_every_child():
    blocks = ModuleList([Linear(2, 2, rng=0), mn.Dropout(0.5)])
    blocks.eval()
    assert not any(m.training for m in blocks.modules())
    blocks[0].weight.grad[...] = 1.0
    blocks.zero_grad()
    assert not blocks[0].weight.grad.any()


@pytest.mark.parametrize("build, error, message", [
    (lambda: ModuleList([Linear(2, 2), 3]), ConfigError,
     r"ModuleList: expected a Module at index 1, got int"),
    (lambda: ModuleList([Linear]), ConfigError, r"a class: did you mean an instance"),
    (lambda: ModuleList(Linear(2, 2)), ConfigError, r"expected an iterable of Modules"),
    (lambda: ModuleList(5), ConfigError, r"expected an iterable of Modules .*got int"),
    (lambda: ModuleList([ReLU()]).append("relu"), ConfigError,
     r"ModuleList.append: expected a Module at index 1, got str"),
    (lambda: ModuleList([ReLU()])[3], IndexError,
     r"ModuleList: index 3 is out of range for a list of 1 module"),
    (lambda: ModuleList([ReLU()])[-2], IndexError, r"index -2 is out of range"),
    (lambda: ModuleList([ReLU()])["0"], TypeError, r"str"),
    (lambda: ModuleList(foo=1), TypeError, r"^ModuleList: unknown argument 'foo'"),
])
def test_module_list_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_a_bad_extend_adds_nothing():
    blocks = ModuleList([ReLU()])
    with pytest.raises(ConfigError):
        blocks.extend([Tanh(), "tanh"])
    assert len(blocks) == 1


# --- ModuleDict ----------------------------------------------------------------------------


def test_module_dict_is_an_ordered_mapping_of_registered_modules():
    heads = ModuleDict({"cls": Linear(4, 3, rng=0)})
    heads["reg"] = Linear(4, 1, rng=1)
    heads.update([("aux", Tanh())])
    assert list(heads) == heads.keys() == ["cls", "reg", "aux"]
    assert "reg" in heads and "box" not in heads and len(heads) == 3
    assert [type(m).__name__ for m in heads.values()] == ["Linear", "Linear", "Tanh"]
    assert list(heads.state_dict()) == ["cls.weight", "cls.bias", "reg.weight", "reg.bias"]
    replaced = Linear(4, 2, rng=2)
    heads.update(ModuleDict({"reg": replaced}))
    assert heads["reg"] is replaced and list(heads) == ["cls", "reg", "aux"]
    assert heads.pop("cls").out_features == 3 and list(heads) == ["reg", "aux"]
    del heads["aux"]
    assert heads.items() == [("reg", replaced)]
    heads.clear()
    assert len(heads) == 0 and heads.parameters() == []


@pytest.mark.parametrize("build, error, message", [
    (lambda: ModuleDict({"train": ReLU()}), ConfigError,
     r"the key 'train' is already an attribute of ModuleDict"),
    (lambda: ModuleDict({"training": ReLU()}), ConfigError, r"'training' is already"),
    (lambda: ModuleDict({"a.b": ReLU()}), ConfigError,
     r"expected a key that is a non-empty string without '.', got 'a.b'"),
    (lambda: ModuleDict({"": ReLU()}), ConfigError, r"non-empty string"),
    (lambda: ModuleDict({1: ReLU()}), ConfigError, r"got 1"),
    (lambda: ModuleDict({"a": 3}), ConfigError, r"expected a Module for key 'a', got int"),
    (lambda: ModuleDict([("a", ReLU(), 3)]), ConfigError, r"expected \(key, module\) pairs"),
    (lambda: ModuleDict("ab"), ConfigError, r"expected a mapping or an iterable"),
    (lambda: ModuleDict({"a": ReLU()})["b"], KeyError, r"no key 'b'; its keys are \['a'\]"),
    (lambda: ModuleDict(foo=1), TypeError, r"^ModuleDict: unknown argument 'foo'"),
])
def test_module_dict_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_a_module_dict_key_never_replaces_an_attribute():
    heads = ModuleDict()
    with pytest.raises(ConfigError):
        heads["training"] = ReLU()
    assert heads.training is True and len(heads) == 0
    with pytest.raises(ConfigError):  # checked before anything is added
        heads.update({"ok": ReLU(), "eval": ReLU()})
    assert len(heads) == 0


# --- no forward ----------------------------------------------------------------------------


@pytest.mark.parametrize("container, shown", [
    (ModuleList([Linear(2, 2)]), r"for layer in self.layers: x = layer\(x\)"),
    (ModuleDict({"a": Linear(2, 2)}), r"x = self.heads\[name\]\(x\)"),
])
def test_containers_have_no_forward_or_backward_and_say_how_to_use_them(container, shown):
    name = type(container).__name__
    with pytest.raises(MinnetError, match=rf"^{name} is a container, not a layer: it has no "
                                          rf"forward\(\) \(as in PyTorch\).*{shown}"):
        container(np.ones((1, 2)))
    with pytest.raises(MinnetError, match=rf"{name} .* no backward\(\).*reverse"):
        container.backward(np.ones((1, 2)))


def test_a_model_built_on_the_containers_gradchecks(rng):
    class TwoHeads(Module):
        def __init__(self):
            super().__init__()
            self.blocks = ModuleList([Linear(3, 4, rng=0), Tanh(), Linear(4, 4, rng=1)])
            self.heads = ModuleDict({"a": Linear(4, 2, rng=2), "b": Linear(4, 2, rng=3)})

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x) + self.heads["b"](x)

        def backward(self, grad_out):
            grad = self.heads["b"].backward(grad_out) + self.heads["a"].backward(grad_out)
            for block in reversed(self.blocks):
                grad = block.backward(grad)
            return grad

    model = TwoHeads()
    assert len(model.parameters()) == 8
    assert gradcheck(model, rng.standard_normal((5, 3)))


# --- Identity ------------------------------------------------------------------------------


def test_identity_passes_input_and_gradient_through_unchanged(rng):
    layer = Identity()
    x = rng.standard_normal((3, 4)).astype(np.float32)
    assert layer(x) is x
    grad_out = rng.standard_normal((3, 4)).astype(np.float32)
    assert layer.backward(grad_out) is grad_out
    assert repr(layer) == "Identity()" and layer.parameters() == [] and not layer.state_dict()


def test_identity_ignores_constructor_arguments_as_pytorch_does():
    assert repr(Identity(54, unused_argument1=0.1)) == "Identity()"


def test_identity_errors(rng):
    with pytest.raises(DTypeError, match=r"Identity\(\): expected a numeric input, got .*<U1"):
        Identity()(np.array(["a"]))
    with pytest.raises(MinnetError, match=r"Identity\(\): backward\(\) called before forward"):
        Identity().backward(np.ones(3))
    layer = Identity()
    layer(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"expected grad_out of shape \(2, 3\)"):
        layer.backward(np.ones((3, 2)))


def test_identity_replaces_a_layer_inside_sequential(rng):
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    model.append(Identity())
    assert gradcheck(model, rng.standard_normal((4, 3)))


# --- PyTorch oracle: the same structure gives the same state_dict keys ----------------------


class Ours(Module):
    def __init__(self):
        super().__init__()
        self.stem = Linear(3, 8, rng=0)
        self.blocks = ModuleList([GroupNorm(2, 8), ReLU(), Linear(8, 8, rng=1)])
        self.blocks.insert(0, Identity())
        self.heads = ModuleDict({"cls": Linear(8, 4, rng=2), "reg": Linear(8, 1, rng=3)})
        self.heads["aux"] = ModuleList([Linear(8, 2, rng=4), Linear(2, 2, bias=False, rng=5)])


@pytest.mark.torch
def test_state_dict_keys_and_shapes_equal_pytorchs_and_load_both_ways():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Theirs(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(3, 8)
            self.blocks = nn.ModuleList([nn.GroupNorm(2, 8), nn.ReLU(), nn.Linear(8, 8)])
            self.blocks.insert(0, nn.Identity())
            self.heads = nn.ModuleDict({"cls": nn.Linear(8, 4), "reg": nn.Linear(8, 1)})
            self.heads["aux"] = nn.ModuleList([nn.Linear(8, 2), nn.Linear(2, 2, bias=False)])

    ours, theirs = Ours(), Theirs().double()
    our_state = ours.state_dict()
    their_state = theirs.state_dict()
    assert [(k, v.shape) for k, v in our_state.items()] == [
        (k, tuple(v.shape)) for k, v in their_state.items()]
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in our_state.items()}, strict=True)
    ours.load_state_dict({k: v.numpy() * 2 for k, v in theirs.state_dict().items()})
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, 2 * our_state[key])


@pytest.mark.parametrize("name", ["ModuleList", "ModuleDict", "Identity", "GroupNorm",
                                  "Dropout2d", "SiLU", "Softplus", "LogSoftmax"])
def test_issue_7_modules_are_exported_at_the_top_level_and_in_layers(name):
    import minnet.layers

    assert getattr(mn, name) is getattr(minnet.layers, name)


@pytest.mark.parametrize("name", ["silu", "softplus", "log_softmax", "dropout2d", "groupnorm"])
def test_their_functional_pairs_are_exported(name):
    assert callable(getattr(mn.functional, f"{name}_forward"))
    assert callable(getattr(mn.functional, f"{name}_backward"))
