"""The MNIST-1D paper's four models in PyTorch, trained as ``minnet.mnist1d_models`` trains them.

Used by ``mnist1d_table.py`` for its PyTorch column (torch is optional; this
module imports it only when called). Same layers, Adam (lr 1e-2), batches of
100 in a new random order every epoch, the test set evaluated after every
epoch in eval mode (as ``minnet.fit`` does with validation data), and the same
number of optimizer steps.

Same start and same batches: ``train_mnist1d`` draws the initial weights
(``init="pytorch"``, PyTorch's default distributions) and then every epoch's
order from one generator, ``default_rng(seed)``; ``train`` here draws them from
the same generator in the same order, and copies those weights into the
PyTorch model. The two runs then differ only in their arithmetic (round-off,
and each library's own kernels).
"""

import time

import numpy as np

from minnet.mnist1d_models import BUILDERS


def build(name, torch):
    """The PyTorch twin of ``minnet.mnist1d_models.BUILDERS[name]``: (N, 40) -> (N, 10)."""
    nn = torch.nn

    class ResidualMLP(nn.Module):
        """40 -> 100 ReLU -> x + ReLU(Linear 100 -> 100) -> 10."""

        def __init__(self, hidden=100):
            super().__init__()
            self.first, self.inner, self.last = (nn.Linear(40, hidden), nn.Linear(hidden, hidden),
                                                 nn.Linear(hidden, 10))

        def forward(self, x):
            h = torch.relu(self.first(x))
            return self.last(h + torch.relu(self.inner(h)))

    class GRUModel(nn.Module):
        """(N, 40) -> (N, 40, 1) -> GRU(1, 6) -> all 40 states, flattened -> Linear(240, 10)."""

        def __init__(self, hidden=6):
            super().__init__()
            self.gru = nn.GRU(1, hidden, batch_first=True)
            self.head = nn.Linear(40 * hidden, 10)

        def forward(self, x):
            states, _ = self.gru(x.unsqueeze(-1))
            return self.head(states.flatten(1))

    if name == "logistic":
        return nn.Linear(40, 10)
    if name == "mlp":
        return ResidualMLP()
    if name == "cnn":
        channels = 25
        return nn.Sequential(
            nn.Unflatten(1, (1, 40)),
            nn.Conv1d(1, channels, 5, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(channels * 5, 10))
    if name == "gru":
        return GRUModel()
    raise ValueError(f"unknown model {name!r}")


def copy_parameters(source, model, torch):
    """Copy the minnet model ``source``'s parameters into the PyTorch ``model``, in order.

    The twins list their parameters in the same order with the same shapes
    (minnet keeps PyTorch's names, layouts and GRU gate order); a mismatch is
    a ValueError, never a silent partial copy.
    """
    ours, theirs = list(source.parameters()), list(model.parameters())
    shapes = [tuple(parameter.data.shape) for parameter in ours]
    if shapes != [tuple(parameter.shape) for parameter in theirs]:
        raise ValueError(f"the models' parameters differ: minnet {shapes}, "
                         f"torch {[tuple(parameter.shape) for parameter in theirs]}")
    with torch.no_grad():
        for mine, its in zip(ours, theirs):
            its.copy_(torch.from_numpy(np.ascontiguousarray(mine.data)))


def _accuracy(model, X, y, torch, batch_size=256):
    """Mean accuracy on (X, y) in eval mode, in batches, without gradients."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(X[start:start + batch_size])
            correct += int((logits.argmax(1) == y[start:start + batch_size]).sum())
    model.train()
    return correct / len(X)


def train(name, data, torch, steps=6000, batch_size=100, lr=1e-2, seed=0, dtype=np.float32):
    """Train ``build(name)`` on data; return (test accuracy, seconds of training).

    Starts from the weights ``minnet.mnist1d_models.train_mnist1d`` starts from
    with this seed and reads the same batches (module docstring).
    """
    torch.manual_seed(seed)
    torch_dtype = torch.float32 if np.dtype(dtype) == np.float32 else torch.float64
    X_train, y_train, X_test, y_test = (torch.from_numpy(np.ascontiguousarray(array))
                                        for array in data)
    X_train, X_test = X_train.to(torch_dtype), X_test.to(torch_dtype)
    rng = np.random.default_rng(seed)  # minnet's initial weights, then the epochs' orders
    model = build(name, torch).double()
    copy_parameters(BUILDERS[name](rng=rng), model, torch)
    model = model.to(torch_dtype)  # rounded as minnet's model.to(dtype) rounds
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = -(-len(X_train) // batch_size)
    epochs = max(1, -(-steps // steps_per_epoch))
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X_train)))
        for first in range(0, len(X_train), batch_size):
            batch = order[first:first + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
        model.eval()  # the per-epoch validation minnet's fit runs: loss and accuracy
        with torch.no_grad():
            for first in range(0, len(X_test), 256):
                loss_fn(model(X_test[first:first + 256]), y_test[first:first + 256])
        model.train()
    seconds = time.perf_counter() - start
    return _accuracy(model, X_test, y_test, torch), seconds
