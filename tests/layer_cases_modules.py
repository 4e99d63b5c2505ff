"""Common-check cases for issue 7's small modules: containers, Identity, GroupNorm,
Dropout2d, Embedding(padding_idx=), SiLU, Softplus, LogSoftmax and Linear on (N, *, D).

ModuleList and ModuleDict have no forward (as in PyTorch); they are checked
inside the small models below, written the way a user writes them.
"""

from minnet.core import Module
from minnet.layers.activations import LogSoftmax, SiLU, Softplus, Tanh
from minnet.layers.containers import Identity, ModuleDict, ModuleList
from minnet.layers.dropout import Dropout2d
from minnet.layers.embedding import Embedding
from minnet.layers.groupnorm import GroupNorm
from minnet.layers.linear import Linear


class Tower(Module):
    """A chain kept in a ModuleList: forward in order, backward in reverse."""

    def __init__(self, rng=None):
        super().__init__()
        self.blocks = ModuleList([Linear(3, 4, rng=rng), Tanh()])
        self.blocks.append(Linear(4, 2, rng=None if rng is None else rng + 1))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x

    def backward(self, grad_out):
        for block in reversed(self.blocks):
            grad_out = block.backward(grad_out)
        return grad_out


class TwoHeads(Module):
    """A shared trunk and two heads kept in a ModuleDict; the heads' outputs are added."""

    def __init__(self, rng=None):
        super().__init__()
        seed = 0 if rng is None else rng
        self.trunk = Linear(3, 4, rng=seed)
        self.heads = ModuleDict({"left": Linear(4, 2, rng=seed + 1)})
        self.heads["right"] = Linear(4, 2, bias=False, rng=seed + 2)

    def forward(self, x):
        features = self.trunk(x)
        return self.heads["left"](features) + self.heads["right"](features)

    def backward(self, grad_out):
        grad_features = self.heads["right"].backward(grad_out)
        grad_features = grad_features + self.heads["left"].backward(grad_out)
        return self.trunk.backward(grad_features)


def token_ids(shape, rng):
    """Integer ids in [0, 6) (the padding cases' vocabulary), padding id 0 included."""
    return rng.integers(0, 6, size=shape)


def ids_but_the_last(shape, rng):
    """Ids in [0, 5): every row but padding_idx=-1 gets a gradient, so gradcheck applies."""
    return rng.integers(0, 5, size=shape)


CASES = [
    (lambda seed: Identity(), (4, 5)),
    (lambda seed: Tower(rng=seed), (5, 3)),
    (lambda seed: TwoHeads(rng=seed), (5, 3)),
    (lambda seed: GroupNorm(2, 4), (3, 4, 5)),
    (lambda seed: GroupNorm(1, 3), (4, 3)),
    (lambda seed: GroupNorm(3, 6, eps=1e-3), (2, 6, 2, 3)),
    (lambda seed: GroupNorm(4, 4, affine=False), (2, 4, 3)),
    (lambda seed: GroupNorm(2, 4, bias=False), (1, 4, 2, 2)),
    (lambda seed: Dropout2d(0.5, rng=seed), (3, 4, 2, 2)),
    (lambda seed: Dropout2d(0.25, rng=seed).eval(), (2, 3, 2, 2)),
    (lambda seed: Embedding(6, 3, padding_idx=0, rng=seed), (4, 5), {"input_fn": token_ids}),
    (lambda seed: Embedding(6, 2, padding_idx=-1, rng=seed), (7,), {"input_fn": ids_but_the_last}),
    (lambda seed: SiLU(), (4, 5)),
    (lambda seed: Softplus(), (4, 5)),
    (lambda seed: Softplus(beta=2.0, threshold=1.0), (4, 5)),
    (lambda seed: LogSoftmax(), (4, 5)),
    (lambda seed: LogSoftmax(axis=1), (2, 3, 4)),
    (lambda seed: Linear(3, 4, rng=seed), (2, 5, 3)),
    (lambda seed: Linear(3, 2, bias=False, rng=seed), (2, 2, 2, 3)),
]

EXEMPT = {
    "check_gradcheck": (
        {"Embedding(6, 3, padding_idx=0)"},
        "the padding_idx row is a fixed pad (as in PyTorch): no gradient reaches it, on purpose",
    ),
    "check_bad_ndim": (
        {"Identity()", "SiLU()", "Softplus(beta=1.0, threshold=20.0)",
         "Softplus(beta=2.0, threshold=1.0)", "LogSoftmax(axis=-1)"},
        "Identity and elementwise layers (and log-softmax on the last axis) accept any rank",
    ),
}
