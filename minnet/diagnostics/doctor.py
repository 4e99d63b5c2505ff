"""doctor(): every check on a training setup, in seconds, with one ranked report.

In order: lint of the model and loss, checks of the data, the sanity
routines (initial loss, gradient check, overfitting one batch, a learning-rate
range test), then a short monitored training run. Everything runs on private
copies: the user's model, optimizer and loss are left exactly as they were
(parameters, gradients, buffers, train/eval modes, random generators,
optimizer state). An error raised by the user's model, loss or data in any
stage is reported as a ``setup-error`` finding and the other stages still
run (``stage_errors``); a bug in minnet itself is raised.
"""

import math

import numpy as np

from minnet.core import Module
from minnet.data.loader import DataLoader
from minnet.diagnostics._shared import class_names, private_copies, task_of
from minnet.diagnostics.data import check_data
from minnet.diagnostics.lint import lint
from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.report.finding import Report
from minnet.diagnostics.rules import run_rules
from minnet.diagnostics.sanity import run_sanity
from minnet.diagnostics.stage_errors import (
    describe,
    is_users_error,
    run_stage,
    setup_error_findings,
)
from minnet.errors import ConfigError, DataError
from minnet.grad_mode import no_grad
from minnet.losses.base import check_reduces_to_float
from minnet.random import make_rng
from minnet.validation import check_int

CHECKS = ("lint", "data", "sanity", "monitor")
# The monitored run: about 20 epochs, at least 150 steps (the rules judge
# windows of the loss curve) and at most 300 (seconds, not minutes).
RUN_EPOCHS = 20
MIN_STEPS, MAX_STEPS = 150, 300
MAX_BATCH_SIZE = 64
EVALUATIONS = 20  # validation evaluations per run, about
MAX_VAL_SAMPLES = 1024  # a larger validation set is evaluated on its first 1024 samples
SAMPLE_EVERY = 5  # the monitor's sampling period in the (short) run
DEFAULT_SEED = 0  # the seed of rng=None


class _UserState:
    """A snapshot of everything the doctor must leave as it found it; ``restore()`` puts it back."""

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.params = [(p, p.data.copy(), p.grad.copy()) for p in model.parameters()]
        self.buffers = [(module, dict(module._buffers)) for module in model.modules()]
        self.buffer_values = [(module, name, np.array(value, copy=True))
                              for module in model.modules()
                              for name, value in module._buffers.items() if value is not None]
        self.modes = [(module, module.training) for module in model.modules()]
        self.generators = [(value, value.bit_generator.state) for module in model.modules()
                           for value in vars(module).values()
                           if isinstance(value, np.random.Generator)]
        self.optimizer_state = optimizer.state_dict() if hasattr(optimizer, "state_dict") else None

    def restore(self):
        for param, data, grad in self.params:
            if not np.array_equal(param.data, data, equal_nan=True):
                np.copyto(param.data, data)
            if not np.array_equal(param.grad, grad, equal_nan=True):
                np.copyto(param.grad, grad)
        for module, buffers in self.buffers:
            module._buffers.clear()
            module._buffers.update(buffers)
        for module, name, value in self.buffer_values:
            if not np.array_equal(module._buffers[name], value, equal_nan=True):
                np.copyto(module._buffers[name], value)
        for module, training in self.modes:
            object.__setattr__(module, "training", training)
        for generator, state in self.generators:
            generator.bit_generator.state = state
        if self.optimizer_state is not None:
            current = self.optimizer.state_dict()
            if (current.keys() != self.optimizer_state.keys() or any(
                    not np.array_equal(current[key], value)
                    for key, value in self.optimizer_state.items())):
                self.optimizer.load_state_dict(self.optimizer_state)


def _check_arguments(model, loss_fn, X, y, X_val, y_val, checks):
    if not isinstance(model, Module):
        raise ConfigError(f"doctor(): model must be a minnet Module, got {type(model).__name__}")
    if not callable(loss_fn) or not callable(getattr(loss_fn, "backward", None)):
        raise ConfigError(f"doctor(): loss_fn must be a loss such as CrossEntropyLoss(), "
                          f"got {loss_fn!r}")
    check_reduces_to_float("doctor()", loss_fn, "the doctor compares one loss per step")
    if isinstance(checks, str) or not set(checks) <= set(CHECKS):
        raise ConfigError(f"doctor(): checks must be a subset of {CHECKS}, got {checks!r}")
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or len(X) == 0 or len(X) != len(y):
        raise ConfigError(f"doctor(): X and y must hold the same number (>= 1) of samples, "
                          f"got shapes {X.shape} and {y.shape}")
    if (X_val is None) != (y_val is None):
        raise ConfigError("doctor(): pass both X_val and y_val, or neither")
    if X_val is not None:
        X_val, y_val = np.asarray(X_val), np.asarray(y_val)
        if len(X_val) != len(y_val) or len(X_val) == 0:
            raise ConfigError(f"doctor(): X_val and y_val must hold the same number (>= 1) of "
                              f"samples, got shapes {X_val.shape} and {y_val.shape}")
    return X, y, X_val, y_val


def _num_classes(model, loss_fn, X):
    """The output width of a multiclass model (from a forward on a copy), or None."""
    if task_of(loss_fn) != "multiclass":
        return None
    (probe,) = private_copies(model)
    probe.eval()
    try:
        with np.errstate(all="ignore"), no_grad():
            out = np.asarray(probe(X[:2]))
    except Exception as error:  # noqa: BLE001 - the user's error: the later stages report it
        if not is_users_error(error):
            raise
        return None
    return int(out.shape[1]) if out.ndim >= 2 else None  # classes on axis 1, as the loss


def _evaluate(model, loss_fn, X, y):
    """(loss, accuracy or None) on (X, y) in eval mode; the modes are restored."""
    from minnet.training import evaluate

    scores = evaluate(model, loss_fn, X, y, batch_size=max(256, len(X)))
    return scores["loss"], scores.get("accuracy")


def monitored_run(model, loss_fn, X, y, X_val=None, y_val=None, optimizer=None, *, steps=None,
                  batch_size=None, rng=None):
    """A short training run on private copies, watched by a Monitor; return its records.

    ``steps`` default: about 20 epochs, between 150 and 300 steps. The data
    are shuffled every epoch; the validation set (its first 1024 samples) is
    evaluated about 20 times, in eval mode, unseen by the monitor.
    """
    model, optimizer, loss_fn = private_copies(model, optimizer, loss_fn)
    if optimizer is None:
        from minnet.optim import Adam

        optimizer = Adam(model.parameters(), lr=1e-3)
    model.train()
    batch_size = batch_size or min(MAX_BATCH_SIZE, len(X))
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, rng=rng)
    if steps is None:
        steps = min(MAX_STEPS, max(MIN_STEPS, RUN_EPOCHS * len(loader)))
    eval_every = max(1, min(len(loader), steps // EVALUATIONS))
    if X_val is not None:
        X_val, y_val = X_val[:MAX_VAL_SAMPLES], y_val[:MAX_VAL_SAMPLES]
    monitor = Monitor(model, optimizer, loss_fn, every=SAMPLE_EVERY)
    with monitor, np.errstate(all="ignore"):
        if X_val is not None:
            with monitor.paused():
                monitor.record_validation(*_evaluate(model, loss_fn, X_val, y_val))
        step = 0
        while step < steps:
            for X_batch, y_batch in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(X_batch), y_batch)
                if not math.isfinite(loss):
                    return monitor.snapshot()  # the monitor has recorded where it came from
                model.backward(loss_fn.backward())
                optimizer.step()
                step += 1
                if X_val is not None and step % eval_every == 0:
                    with monitor.paused():
                        monitor.record_validation(*_evaluate(model, loss_fn, X_val, y_val))
                if step >= steps:
                    break
    return monitor.snapshot()


def doctor(model, loss_fn, X, y, *, X_val=None, y_val=None, optimizer=None, steps=None,
           batch_size=None, rng=None, checks=CHECKS):
    """Diagnose a training setup: lint, data checks, sanity routines and a monitored run.

    Parameters
    ----------
    model : Module; loss_fn : a loss; X : (N, ...) inputs; y : (N, ...) targets
    X_val, y_val : optional validation data (overfitting, underfitting, overlap)
    optimizer : optional, the optimizer the user trains with (copied); default
        Adam(lr=1e-3) for the monitored run
    steps : int, length of the monitored run (default: ~20 epochs, 150 to 300 steps)
    batch_size : int, default min(64, N)
    rng : None, int or Generator, for the sanity routines and the shuffling
        (None: a fixed seed; the report is reproducible)
    checks : a subset of ("lint", "data", "sanity", "monitor")

    Returns
    -------
    Report, findings ranked error > warning > info, with ``records`` for the
    plots (loss curves, per-layer statistics, lr range, overfit curve).
    The user's model, optimizer and loss are left exactly as they were.
    """
    X, y, X_val, y_val = _check_arguments(model, loss_fn, X, y, X_val, y_val, checks)
    if steps is not None:
        steps = check_int("doctor()", "steps", steps, minimum=1)
    if batch_size is not None:
        batch_size = check_int("doctor()", "batch_size", batch_size, minimum=1)
    # rng=None: a fixed seed, so that the same setup gives the same report and
    # minnet's default random stream is left as it was (as the sanity routines do)
    generator = np.random.default_rng(DEFAULT_SEED) if rng is None else make_rng(rng)
    sanity_seed, run_seed = (int(seed) for seed in generator.integers(2**63, size=2))
    report = Report()
    records = {}
    errors = []  # errors raised by the user's setup, stage by stage (stage_errors)
    user_state = _UserState(model, optimizer)
    try:
        if "lint" in checks:
            report.add(run_stage("lint", lambda: lint(model, loss_fn, y=y), errors) or [])
        if "data" in checks:
            report.add(run_stage("data", lambda: check_data(
                X, y, X_val, y_val, loss_fn=loss_fn, num_classes=_num_classes(model, loss_fn, X),
                integer_ids=integer_inputs_are_ids(model)), errors) or [])
        if "sanity" in checks:
            found = run_stage("sanity", lambda: run_sanity(model, loss_fn, X, y, optimizer,
                                                           rng=sanity_seed), errors)
            if found is not None:
                report.add(found[0])
                records.update(found[1])
        if "monitor" in checks:
            _monitor_stage(report, records, errors, lambda: monitored_run(
                model, loss_fn, X, y, X_val, y_val, optimizer, steps=steps,
                batch_size=batch_size, rng=run_seed))
        report.add(setup_error_findings(errors, report))
        if errors:
            records["stage_errors"] = describe(errors)
    finally:
        user_state.restore()
    report.records = records
    return report


def _monitor_stage(report, records, errors, run):
    """The monitored run's findings and records; an error of the user's setup is kept in
    ``errors`` (bad data, a DataError, is also noted as ``records["monitor_skipped"]``)."""
    run_records = run_stage("monitor", run, errors)
    if run_records is None:
        if errors and errors[-1].stage == "monitor" and isinstance(errors[-1].error, DataError):
            records["monitor_skipped"] = str(errors[-1].error)
        return
    # the rules also read the sanity records (lr_range: a large step's damage)
    report.add(run_rules({**records, **run_records}))
    records.update(run_records)


def integer_inputs_are_ids(model):
    """True when the model's first layer with parameters is an embedding (a class named
    *Embedding*, a user's own included: integer inputs are token ids), False when it is
    anything else (a Linear, a Conv: integers are values such as pixels); True for a model
    without parameters (nothing tells)."""
    for module in model.modules():
        if module._parameters:
            return any("Embedding" in name for name in class_names(module))
    return True
