"""Every claim of the catalog is backed by code: one test per sentence of each code's signal.

``CLAIMS`` maps each code to its signal's sentences (``sentences``, as
test_catalog.py splits them), each with the cases that exhibit it: a
function of the ``zoo_run`` fixture returning ``(findings, fires)``. A case
that ``fires`` must yield the code (any severity); a ``quiet`` case (an
exemption the sentence promises, or the healthy twin that shows the
measurement is not trivially true) must not. ``test_every_sentence_has_its_cases``
holds the table to the catalog: a new or reworded sentence without a case
fails it.
"""

import re

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.data import spiral
from minnet.diagnostics import doctor, lint
from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.data import check_data
from minnet.layers import (
    AvgPool1d,
    BatchNorm1d,
    Conv1d,
    Dropout,
    Dropout2d,
    Flatten,
    LayerNorm,
    Linear,
    ReLU,
    Residual,
    Sigmoid,
    Softmax,
)
from minnet.losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    NLLLoss,
)
from minnet.zoo import EXAMPLES

pytestmark = pytest.mark.usefixtures("mnist1d_cache")


def sentences(text):
    """The sentences of ``text``, as test_catalog.py splits them ("e.g." and "i.e." and
    decimals do not end one), each as written."""
    protected = text.replace("e.g.", "e\0g\0").replace("i.e.", "i\0e\0")
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", protected.strip())
    return [part.replace("\0", ".") for part in parts if part]


# --- small setups ----------------------------------------------------------------------------

def spirals(seed=0, n=60):
    return spiral(n, 3, rng=seed)


def mlp(*middle, inputs=2, hidden=16, outputs=3, seed=0):
    return Sequential(Linear(inputs, hidden, rng=seed), *middle, Linear(hidden, outputs,
                                                                       rng=seed + 1))


def fires(build):
    return lambda zoo_run: (build(zoo_run), True)


def quiet(build):
    return lambda zoo_run: (build(zoo_run), False)


def zoo(name):
    """The findings of zoo example ``name`` (doctor and its hand-written loop), seed 0."""
    return lambda zoo_run: zoo_run(name, 0).report.findings


def zoo_stage(name, *checks):
    """The findings of ``doctor(checks=checks)`` on zoo example ``name``'s setup alone."""
    def run(zoo_run):
        experiment = EXAMPLES[name].build(0)
        return doctor(experiment.model, experiment.loss_fn, experiment.X, experiment.y,
                      X_val=experiment.X_val, y_val=experiment.y_val,
                      optimizer=experiment.optimizer, rng=0, checks=checks).findings
    return run


def linted(model, loss_fn=None, y=None):
    return lambda zoo_run: lint(model, loss_fn, y=y)


def data(*arrays, **options):
    return lambda zoo_run: check_data(*arrays, **options)


# --- custom layers the claims need -------------------------------------------------------------

class SoftmaxInForward(Module):
    """A last layer that computes a softmax by hand: the lint cannot see it. (N, C) -> (N, C)."""

    def forward(self, x):
        exp = np.exp(x - x.max(axis=1, keepdims=True))
        self._p = exp / exp.sum(axis=1, keepdims=True)
        return self._p

    def backward(self, grad_out):
        p = self._p
        return p * (grad_out - (grad_out * p).sum(axis=1, keepdims=True))


class DropoutHalfStrength(Dropout):
    """A Dropout subclass named Dropout*, as a student's own variant would be."""


class IgnoresInput(Module):
    """Returns its bias whatever the input: (N, d) -> (N, C)."""

    def __init__(self, classes):
        super().__init__()
        self.bias = Parameter(np.zeros(classes))

    def forward(self, x):
        self._n = len(x)
        return np.tile(self.bias.data, (self._n, 1))

    def backward(self, grad_out):
        self.bias.add_grad(grad_out.sum(axis=0))
        return None


class NaNAfter(Module):
    """Identity until its ``after``-th forward, then NaN in its output (a broken custom op)."""

    def __init__(self, after):
        super().__init__()
        self.after, self.calls = after, 0

    def forward(self, x):
        self.calls += 1
        return x if self.calls < self.after else x * np.nan

    def backward(self, grad_out):
        return grad_out


class NaNGradient(Module):
    """A scale layer whose backward leaves NaN in its parameter's gradient. (N, d) -> (N, d)."""

    def __init__(self, width):
        super().__init__()
        self.scale = Parameter(np.ones(width))

    def forward(self, x):
        self._x = x
        return x * self.scale.data

    def backward(self, grad_out):
        self.scale.add_grad(np.full(self.scale.data.shape, np.nan))
        return grad_out * self.scale.data


def watched_loop(model, loss_fn, X, y, steps=40, lr=1e-2, during=None):
    """Findings of ``watch()`` over a plain loop; ``during(step, model)`` may break something."""
    from minnet.diagnostics import watch
    from minnet.optim import SGD

    optimizer = SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(0)
    with watch(model, optimizer, loss_fn) as watcher, np.errstate(all="ignore"):
        for step in range(steps):
            if during is not None:
                during(step, model)
            batch = rng.choice(len(X), 32, replace=False)
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch])
            model.backward(loss_fn.backward())
            optimizer.step()
    return watcher.report().findings


def _nan_weight(step, model):
    if step == 10:
        model[0].weight.data[0, 0] = np.nan


def _zero_output_layer(model):
    model[-1].weight.data[...] = 0.0
    return model


def _zero_residual_end(zoo_run):
    block = Sequential(Linear(16, 16, rng=2), ReLU(), Linear(16, 16, rng=3))
    block[-1].weight.data[...] = 0.0  # "zero-init the last layer of each residual block"
    return lint(Sequential(Linear(2, 16, rng=0), ReLU(), Residual(block), Linear(16, 3, rng=1)))


def _bce_with_big_bias(zoo_run):
    X, y = spirals()
    model = mlp(ReLU(), outputs=1)
    model[-1].bias.data[...] = 8.0  # every logit says "class 1" with confidence
    return doctor(model, BCEWithLogitsLoss(), X, (y > 0).astype(float)[:, None], rng=0,
                  checks=("sanity",)).findings


def _saturated_sigmoid(zoo_run):
    X, y = spirals()
    model = mlp(Sigmoid(), hidden=32)
    model[0].weight.data *= 60.0  # pre-activations in the hundreds: sigmoid is 0 or 1
    return doctor(model, CrossEntropyLoss(), X, y, rng=0, checks=("monitor",), steps=60).findings


def _ignores_float_input(zoo_run):
    X, y = spirals()
    return doctor(IgnoresInput(3), CrossEntropyLoss(), X, y, rng=0, checks=("sanity",)).findings


def _custom_layer_raises(zoo_run):
    class Broken(Module):
        def forward(self, x):
            raise RuntimeError("Broken.forward: not written yet")

        def backward(self, grad_out):
            return grad_out

    X, y = spirals()
    return doctor(Sequential(Linear(2, 3, rng=0), Broken()), CrossEntropyLoss(), X, y, rng=0,
                  steps=20).findings


# --- the table: code -> [(sentence of its signal, [cases])] --------------------------------------

X, Y = spirals()
ONE_HOT = np.eye(3)[Y]
RNG = np.random.default_rng(0)
NORMAL = RNG.standard_normal((300, 5))

def _stale_gradient_at_step(zoo_run):
    """Records in which step() sees 2.5x the gradient backward made (earlier steps' values
    left in .grad) while the per-step event never fired: the second signal alone."""
    from test_rules import healthy_losses, make_records

    from minnet.diagnostics.rules import run_rules

    records = make_records(healthy_losses())
    checks = [0, 1, 2, 10, 20, 30, 40, 50]
    records["update_ratio"] = {"0.weight": {"step": checks, "value": [1e-3] * len(checks)}}
    records["gradient_check"] = {
        "step": checks, "backward_norm": [1.0] * len(checks),
        "optimizer_norm": [3.0] * len(checks), "stale_norm": [2.5] * len(checks),
        "cosine": [0.99] * len(checks)}
    return run_rules(records)


CLAIMS = {
    "softmax-before-loss": [(CATALOG["softmax-before-loss"].signal, [
        fires(linted(Sequential(mlp(ReLU()), Softmax()), CrossEntropyLoss())),
        fires(linted(Sequential(mlp(ReLU(), outputs=1), Sigmoid()), BCEWithLogitsLoss())),
        fires(lambda _: watched_loop(Sequential(mlp(ReLU()), SoftmaxInForward()),
                                     CrossEntropyLoss(), X, Y)),  # at run time
        quiet(linted(mlp(ReLU()), CrossEntropyLoss())),
    ])],
    "relu-before-loss": [(CATALOG["relu-before-loss"].signal, [
        fires(linted(Sequential(mlp(ReLU()), ReLU()), CrossEntropyLoss())),
        fires(linted(Sequential(mlp(ReLU(), outputs=1), ReLU()), BCEWithLogitsLoss())),
    ])],
    "sigmoid-mse-classification": [(CATALOG["sigmoid-mse-classification"].signal, [
        fires(linted(Sequential(mlp(ReLU(), outputs=1), Sigmoid()), MSELoss(), y=Y[:, None] > 0)),
        fires(linted(Sequential(mlp(ReLU(), outputs=1), Sigmoid()), MSELoss(),
                     y=(Y[:, None] > 0).astype(int))),
        fires(linted(Sequential(mlp(ReLU()), Sigmoid()), MSELoss(), y=ONE_HOT)),
        quiet(linted(Sequential(mlp(ReLU(), outputs=1), Sigmoid()), MSELoss(),
                     y=RNG.uniform(0, 1, (len(Y), 1)))),
    ])],
    "stacked-linear": [(CATALOG["stacked-linear"].signal, [
        fires(linted(mlp())),
        fires(linted(mlp(Dropout(0.2), BatchNorm1d(16), LayerNorm(16)))),
        fires(linted(Sequential(Conv1d(1, 4, 3, rng=0), AvgPool1d(2), Conv1d(4, 4, 3, rng=1),
                                ReLU(), Flatten()))),
        quiet(linted(mlp(ReLU()))),
    ])],
    "dropout-before-batchnorm": [(CATALOG["dropout-before-batchnorm"].signal, [
        fires(linted(mlp(Dropout(0.2), BatchNorm1d(16), ReLU()))),
        fires(linted(mlp(Dropout(0.2), ReLU(), BatchNorm1d(16)))),
        quiet(linted(mlp(BatchNorm1d(16), ReLU(), Dropout(0.2)))),
    ])],
    "dropout-too-high": [(CATALOG["dropout-too-high"].signal, [
        fires(linted(mlp(ReLU(), Dropout(0.9)))),
        fires(linted(Sequential(Conv1d(1, 4, 3, rng=0), ReLU(), Dropout2d(0.95), Flatten()))),
        fires(linted(mlp(ReLU(), DropoutHalfStrength(0.9)))),
        quiet(linted(mlp(ReLU(), Dropout(0.5)))),
    ])],
    "symmetric-init": [(CATALOG["symmetric-init"].signal, [
        fires(zoo("zero-init")),
        fires(zoo("constant-init")),
        quiet(lambda _: lint(_zero_output_layer(mlp(ReLU())))),
        quiet(_zero_residual_end),
    ])],
    "weight-scale-skew": [(CATALOG["weight-scale-skew"].signal, [
        fires(zoo("init-std-x10")),
        fires(zoo("init-std-x0.01")),
        fires(zoo("vanishing-rnn")),  # recurrent weights a tenth of their scale
        quiet(linted(mlp(ReLU()))),
    ])],
    "non-finite": [(CATALOG["non-finite"].signal, [
        fires(data(np.where(NORMAL > 2, np.nan, NORMAL))),
        fires(data(NORMAL, np.where(NORMAL[:, 0] > 2, np.inf, NORMAL[:, 0]))),
        fires(zoo("nan-in-inputs")),
        fires(lambda _: watched_loop(mlp(ReLU(), NaNAfter(8)), CrossEntropyLoss(), X, Y)),
        fires(lambda _: watched_loop(mlp(NaNGradient(16), ReLU()), CrossEntropyLoss(), X, Y)),
        fires(lambda _: watched_loop(mlp(ReLU()), CrossEntropyLoss(), X, Y, during=_nan_weight)),
    ])],
    "inputs-not-centered": [(CATALOG["inputs-not-centered"].signal, [
        fires(zoo("inputs-offset-100")),
        fires(data(RNG.standard_normal((200, 3, 6, 6)) + 50.0)),  # images: per channel
        fires(data(NORMAL, X_val=NORMAL[:100] + 5.0)),  # validation against training
        quiet(data(NORMAL, X_val=NORMAL[:100])),
    ])],
    "inputs-not-scaled": [(CATALOG["inputs-not-scaled"].signal, [
        fires(zoo("inputs-x255")),
        fires(zoo("uint8-pixels-cnn")),
        fires(data(NORMAL, X_val=NORMAL[:100] * 8.0)),  # validation spread
        quiet(data(NORMAL)),
    ])],
    "constant-feature": [(CATALOG["constant-feature"].signal, [
        fires(zoo("constant-feature")),
        quiet(data(NORMAL)),
    ])],
    "class-imbalance": [(CATALOG["class-imbalance"].signal, [
        fires(zoo("class-imbalance-1-20")),
        quiet(data(X, Y, loss_fn=CrossEntropyLoss())),
    ])],
    "split-overlap": [(CATALOG["split-overlap"].signal, [
        fires(zoo("train-val-duplicates")),
        quiet(data(NORMAL[:200], X_val=NORMAL[200:])),
    ])],
    "labels-out-of-range": [(CATALOG["labels-out-of-range"].signal, [
        fires(zoo("labels-1-based")),
        fires(zoo("output-width-2-for-3-classes")),
        fires(data(X, Y, X, Y + 1, loss_fn=CrossEntropyLoss(), num_classes=3)),  # validation
    ])],
    "initial-loss-off": [(CATALOG["initial-loss-off"].signal, [
        fires(zoo("output-bias-counts")),
        fires(_bce_with_big_bias),
    ])],
    "gradcheck-failed": [(CATALOG["gradcheck-failed"].signal, [
        fires(zoo("flipped-gradient-sign")),  # a parameter's gradient
        fires(zoo("custom-layer-wrong-backward")),  # the input's gradient (no parameters)
    ])],
    "cannot-overfit-batch": [(CATALOG["cannot-overfit-batch"].signal, [
        fires(zoo("linear-model-on-xor")),
        fires(zoo("stacked-linear")),
    ])],
    "ignores-input": [(CATALOG["ignores-input"].signal, [
        fires(zoo("rnn-reads-padding")),  # integer token ids, replaced by 0
        fires(_ignores_float_input),
    ])],
    "one-hot-targets": [(CATALOG["one-hot-targets"].signal, [
        fires(zoo("one-hot-targets")),  # integer rows
        fires(data(X, ONE_HOT.astype(bool), loss_fn=CrossEntropyLoss(), num_classes=3)),
        fires(data(X, ONE_HOT, loss_fn=NLLLoss(), num_classes=3)),
        fires(data(X, np.eye(4)[Y], loss_fn=CrossEntropyLoss(), num_classes=3)),
        quiet(data(X, ONE_HOT, loss_fn=CrossEntropyLoss(), num_classes=3)),  # probabilities
    ])],
    "setup-error": [(CATALOG["setup-error"].signal, [
        fires(zoo("input-width-mismatch")),  # a ShapeError, minnet's
        fires(_custom_layer_raises),  # the user's own code
    ])],
    "lr-too-high": [(CATALOG["lr-too-high"].signal, [
        fires(zoo_stage("lr-x100", "sanity")),  # before training: the range test
        fires(zoo_stage("lr-x100", "monitor")),  # during training
    ])],
    "lr-too-low": [(CATALOG["lr-too-low"].signal, [
        fires(zoo_stage("lr-x1e-4", "sanity")),
        fires(zoo_stage("lr-x1e-4", "monitor")),
    ])],
    "update-ratio-high": [(CATALOG["update-ratio-high"].signal, [fires(zoo("lr-x100"))])],
    "update-ratio-low": [(CATALOG["update-ratio-low"].signal, [fires(zoo("lr-x1e-4"))])],
    "grads-not-zeroed": [
        (sentences(CATALOG["grads-not-zeroed"].signal)[0], [
            fires(zoo("no-zero-grad")),
            fires(zoo("rnn-story-1-no-zero-grad")),
        ]),
        (sentences(CATALOG["grads-not-zeroed"].signal)[1], [
            fires(_stale_gradient_at_step),
            quiet(zoo("healthy-hand-written-loop")),
        ]),
    ],
    "optimizer-not-updating": [(CATALOG["optimizer-not-updating"].signal, [
        fires(zoo("optimizer-on-another-copy")),
        fires(zoo("zero-grad-after-backward")),
        fires(zoo("step-before-backward")),
        quiet(zoo("healthy-hand-written-loop")),
    ])],
    "lr-schedule-collapse": [(CATALOG["lr-schedule-collapse"].signal, [
        fires(zoo("lr-schedule-per-batch")),
        quiet(zoo("rnn-story-fixed")),  # a cosine schedule over the whole run
    ])],
    "dead-relu": [(CATALOG["dead-relu"].signal, [fires(zoo("dead-relu-bias"))])],
    "saturated-activation": [(CATALOG["saturated-activation"].signal, [
        fires(zoo("rnn-story-3-saturated-tanh")),  # tanh
        fires(_saturated_sigmoid),  # sigmoid
    ])],
    "vanishing-gradients": [
        (sentences(CATALOG["vanishing-gradients"].signal)[0], [fires(zoo("sigmoid-stack-10"))]),
        (sentences(CATALOG["vanishing-gradients"].signal)[1], [fires(zoo("vanishing-rnn"))]),
    ],
    "exploding-gradients": [(CATALOG["exploding-gradients"].signal, [
        fires(zoo("exploding-rnn")),
        fires(zoo("rnn-story-4-exploding-gradients")),
    ])],
    "regularization-dominates": [
        (sentences(CATALOG["regularization-dominates"].signal)[0], [
            fires(zoo("regularization-x1000"))]),
        (sentences(CATALOG["regularization-dominates"].signal)[1], [
            fires(zoo("adamw-weight-decay-x1000")),
            quiet(zoo("healthy-adamw-spiral")),  # weight_decay=0.01
        ]),
    ],
    "loss-plateau": [(CATALOG["loss-plateau"].signal, [fires(zoo("lr-x1e-4"))])],
    "labels-sorted-no-shuffle": [(CATALOG["labels-sorted-no-shuffle"].signal, [
        fires(zoo("sorted-labels-no-shuffle")),
        fires(zoo("rnn-story-6-no-shuffle")),
    ])],
    "eval-in-train-mode": [(CATALOG["eval-in-train-mode"].signal, [
        fires(zoo("eval-in-train-mode")),
        fires(zoo("rnn-story-8-eval-in-train-mode")),
    ])],
    "overfitting": [(CATALOG["overfitting"].signal, [fires(zoo("overfitting"))])],
    "underfitting": [(CATALOG["underfitting"].signal, [fires(zoo("linear-model-on-xor"))])],
    "no-lr-schedule": [(CATALOG["no-lr-schedule"].signal, [
        fires(zoo("rnn-story-7-no-lr-schedule"))])],
    "train-in-eval-mode": [(CATALOG["train-in-eval-mode"].signal, [
        fires(zoo("model-left-in-eval-mode"))])],
}


def test_every_sentence_has_its_cases():
    assert set(CLAIMS) == set(CATALOG), "every catalog code needs its row in CLAIMS"
    for code, rows in CLAIMS.items():
        assert [sentence for sentence, _ in rows] == sentences(CATALOG[code].signal), code
        assert all(cases for _, cases in rows), code


def _cases():
    for code, rows in CLAIMS.items():
        for number, (sentence, cases) in enumerate(rows):
            for index, case in enumerate(cases):
                yield pytest.param(code, sentence, case, id=f"{code}-s{number}-case{index}")


@pytest.mark.parametrize("code, sentence, case", list(_cases()))
def test_the_claim_holds(code, sentence, case, zoo_run):
    findings, expected = case(zoo_run)
    found = code in {finding.code for finding in findings}
    assert found == expected, (
        f"{code}: {'expected' if expected else 'did not expect'} the finding for the claim "
        f"{sentence!r}; got {sorted({f.code for f in findings})}")
