"""What the doctor's examples share: the Example and Experiment records, data, models, a loop.

An ``Example`` is one training setup of the bug zoo (``minnet.zoo``):
``build(seed)`` returns an ``Experiment`` (model, loss, optimizer, data and an
optional hand-written training loop), ready for ``minnet doctor --example NAME``.
Everything here is small on purpose: each setup is diagnosed in about a second.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from minnet.core import Sequential
from minnet.data import spiral, toy_phrases, train_val_split, xor
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d
from minnet.random import make_rng


@dataclass
class Experiment:
    """A training setup, as ``minnet doctor`` takes it (the attributes of ``experiment()``).

    ``train`` is None or ``train(model, loss_fn, optimizer, X, y)``: a
    hand-written training loop (perhaps a buggy one) that the doctor runs
    under ``watch()``. It may return a ``Report`` of its own (a ``fit()`` run
    watched by a ``DoctorCallback``); the zoo merges it.
    """

    model: object
    loss_fn: object
    optimizer: object
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray = None
    y_val: np.ndarray = None
    train: Callable = None


@dataclass
class Example:
    """One entry of the zoo.

    name : str, kebab-case (the id of ``minnet doctor --example NAME``)
    description : str, one line: the mistake it shows (the setup, for a healthy one)
    build : callable ``build(seed) -> Experiment``
    expected : tuple of finding codes that must fire (empty for a healthy setup)
    healthy : bool, True when no warning or error may be reported
    severity : the least severity at which ``expected`` must fire: "warning"
        (warning or error) for every example but the one whose code is only a
        hint ("info": ``no-lr-schedule``)
    """

    name: str
    description: str
    build: Callable
    expected: tuple = ()
    healthy: bool = False
    severity: str = "warning"


def broken(name, description, expected, severity="warning"):
    """Decorator: make ``build(seed)`` a broken example (``build.example``, see ``collect``)."""
    expected = (expected,) if isinstance(expected, str) else tuple(expected)

    def register(build):
        build.example = Example(name, description, build, expected, False, severity)
        return build

    return register


def healthy(name, description):
    """Decorator: make ``build(seed)`` a healthy example (no warning or error allowed)."""

    def register(build):
        build.example = Example(name, description, build, (), True)
        return build

    return register


def collect(namespace):
    """The examples registered by the decorators in a module's namespace, in order."""
    return [value.example for value in namespace.values() if hasattr(value, "example")]


# --- data -------------------------------------------------------------------------

def spiral_split(seed, n_per_class=100, n_classes=3, noise=0.2):
    """CS231n's spirals, shuffled and split 80/20: ``X, y, X_val, y_val`` (X: (N, 2)).

    The centre point (0, 0), shared by every arm, is dropped: it would be the
    same sample with different labels (and a train/validation duplicate).
    """
    X, y = spiral(n_per_class, n_classes, noise, rng=seed)
    keep = np.abs(X).sum(axis=1) > 0
    X_train, X_val, y_train, y_val = train_val_split(X[keep], y[keep], 0.2, stratify=True,
                                                     rng=seed)
    return X_train, y_train, X_val, y_val


def xor_split(seed, n=400, noise=0.25):
    """The XOR blobs split 80/20: ``X, y, X_val, y_val`` (X: (N, 2), labels 0/1)."""
    X, y = xor(n, noise, rng=seed)
    X_train, X_val, y_train, y_val = train_val_split(X, y, 0.2, rng=seed)
    return X_train, y_train, X_val, y_val


def phrases_split(seed, n=800, max_len=None):
    """toy_phrases, each message once, split 80/20: ``X, y, X_val, y_val``.

    X: token ids (N, T), left-padded; y: 1 = abusive. A large ``n`` repeats
    some messages; keeping one copy of each keeps the split free of overlap.
    """
    data = toy_phrases(n, rng=seed, max_len=max_len)
    _, first = np.unique(data.X, axis=0, return_index=True)
    first = np.sort(first)
    X_train, X_val, y_train, y_val = train_val_split(data.X[first], data.y[first], 0.2, rng=seed)
    return X_train, y_train, X_val, y_val


def mnist1d_split(seed, num_samples=1000):
    """MNIST-1D (40 features, 10 classes), generated once and cached (``MINNET_CACHE_DIR``).

    The package's own split: 80% training, 20% validation. ``seed`` does not
    change the data (the zoo's seeds vary the model and the run).
    """
    from minnet.data import mnist1d

    data = mnist1d(num_samples=num_samples)
    return data.X_train, data.y_train, data.X_test, data.y_test


# --- models -----------------------------------------------------------------------

def mlp(sizes, rng, activation=ReLU, init="he", last_init="he"):
    """``Linear - activation - ... - Linear`` with layer widths ``sizes`` (in, hidden..., out)."""
    rng = make_rng(rng)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = index == len(sizes) - 2
        layers.append(Linear(fan_in, fan_out, init=last_init if last else init, rng=rng))
        if not last:
            layers.append(activation())
    return Sequential(*layers)


def bn_dropout_mlp(seed, sizes=(2, 64, 64, 3), p=0.2):
    """Linear - BatchNorm - ReLU - Dropout blocks (the right order), then a Linear."""
    rng = make_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [Linear(fan_in, fan_out, rng=rng), BatchNorm1d(fan_out), ReLU(),
                   Dropout(p, rng=rng)]
    return Sequential(*layers, Linear(sizes[-2], sizes[-1], rng=rng))


# --- a hand-written training loop ----------------------------------------------------

def train_loop(model, loss_fn, optimizer, X, y, *, epochs, batch_size, rng, shuffle=True,
               zero_grad=True, X_val=None, y_val=None, eval_mode=True, clip=None,
               scheduler=None, scheduler_per_batch=False, train_mode=True):
    """Mini-batch training, written out by hand as a student would; returns nothing.

    Each keyword names one habit of a correct loop; turning one off is one
    classic mistake:

    - ``shuffle``: a new order of the samples every epoch (off: batches in
      file order, one class after another when the file is sorted);
    - ``zero_grad``: ``optimizer.zero_grad()`` before each backward pass (off:
      gradients add up across steps);
    - ``eval_mode``: ``model.eval()`` while the validation set is scored after
      each epoch, ``model.train()`` after (off: dropout drops and batch norm
      uses, and updates, batch statistics during evaluation);
    - ``clip``: ``clip_grad_norm_(params, clip)`` before each step (None: no clipping);
    - ``scheduler``: ``scheduler.step()`` after each epoch (None: a constant rate);
      ``scheduler_per_batch``: after each batch instead (a decay meant per epoch
      then acts within a few epochs);
    - ``train_mode``: ``model.train()`` before training (off: ``model.eval()``,
      as when it was called once for an evaluation and never undone).
    """
    from minnet.optim import clip_grad_norm_

    rng = make_rng(rng)
    model.train() if train_mode else model.eval()
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            if zero_grad:
                optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch])
            model.backward(loss_fn.backward())
            if clip is not None:
                clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            if scheduler is not None and scheduler_per_batch:
                scheduler.step()
        if X_val is not None:
            if eval_mode:
                model.eval()
            loss_fn(model(X_val), y_val)  # the validation loss (a real loop would log it)
            if eval_mode and train_mode:
                model.train()
        if scheduler is not None and not scheduler_per_batch:
            scheduler.step()


# --- more data, for the variations (added with minnet/zoo/variations_*.py) -------------

def regression_split(seed, n=400, features=4, noise=0.1):
    """A smooth regression task split 80/20: ``X, y, X_val, y_val``.

    X: (N, features) standard normal; y: (N, 1) = sin(x0) + x1 x2 + noise
    (the data of ``healthy-regression-mse``).
    """
    rng = make_rng(seed)
    X = rng.standard_normal((n, features))
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + noise * rng.standard_normal(n))[:, None]
    cut = int(0.8 * n)
    return X[:cut], y[:cut], X[cut:], y[cut:]


def bars_split(seed, n=480, size=8, noise=0.3):
    """Tiny images of one bar each, split 80/20: ``X, y, X_val, y_val``.

    X: (N, 1, size, size), a horizontal (label 0), vertical (1) or diagonal
    (2) bar of ones at a random position, plus Gaussian noise, then
    standardized with the training set's mean and std; y: (N,) labels.
    """
    rng = make_rng(seed)
    y = rng.integers(0, 3, n)
    X = noise * rng.standard_normal((n, 1, size, size))
    positions = rng.integers(0, size, n)
    for index, (label, position) in enumerate(zip(y, positions)):
        if label == 0:
            X[index, 0, position, :] += 1.0
        elif label == 1:
            X[index, 0, :, position] += 1.0
        else:
            X[index, 0] += np.eye(size, k=int(position) - size // 2)
    cut = int(0.8 * n)
    mean, std = X[:cut].mean(), X[:cut].std()
    X = (X - mean) / std
    return X[:cut], y[:cut], X[cut:], y[cut:]


def looped(seed, model, loss_fn, optimizer, X, y, X_val=None, y_val=None, *, epochs=10,
           batch_size=32, **loop):
    """An ``Experiment`` trained by ``train_loop`` (``loop``: habits switched off, a scheduler)."""
    import functools

    train = functools.partial(train_loop, epochs=epochs, batch_size=batch_size, rng=seed,
                              X_val=X_val, y_val=y_val, **loop)
    return Experiment(model, loss_fn, optimizer, X, y, X_val, y_val, train)
