"""fit(), History, evaluate() and predict(): the training loop, written out once.

One optimizer step is exactly what a hand-written loop does::

    optimizer.zero_grad()
    out = model(X_batch)
    loss = loss_fn(out, y_batch)
    model.backward(loss_fn.backward())
    optimizer.step()

``fit`` adds shuffling (a ``DataLoader`` per run), validation in eval mode,
a learning-rate schedule stepped once per epoch, callbacks, a progress bar,
and a ``History`` of the run (``minnet.history``). Callbacks live in
``minnet.callbacks``; both are re-exported here.

Non-finite loss: when a step's loss is NaN or infinite, ``fit`` stops before
that step's backward pass and update (so the model keeps its last finite
weights), warns with a ``NonFiniteLossWarning``, and records
``History.stopped_reason = "non-finite loss (nan) at epoch E, step S of T"``
(counted from 1). The loss is in ``History.step_loss``; the unfinished epoch
is not added to the per-epoch records. Nothing is raised.
"""

import contextlib
import math
import time
import warnings

import numpy as np

from minnet.callbacks import (  # noqa: F401  (re-exported)
    Callback,
    EarlyStopping,
    ModelCheckpoint,
    ProgressBar,
    TrainerState,
)
from minnet.core import Module
from minnet.data.loader import DataLoader
from minnet.errors import ConfigError, ShapeError
from minnet.grad_mode import no_grad
from minnet.history import History  # noqa: F401  (re-exported)
from minnet.losses import RegularizedLoss
from minnet.losses.base import check_reduces_to_float
from minnet.optim import ReduceLROnPlateau
from minnet.optim.optimizer import current_lr
from minnet.random import make_rng
from minnet.runs.recording import RunRecorder, fit_run
from minnet.validation import as_array, check_bool, check_int


class NonFiniteLossWarning(UserWarning):
    """fit() stopped because a step's loss was NaN or infinite."""


# --- accuracy ----------------------------------------------------------------

def accuracy_function(loss_fn):
    """The accuracy that fits ``loss_fn``, or None when accuracy means nothing (regression).

    The classification losses carry it as their ``accuracy(out, target)``:
    CrossEntropyLoss and NLLLoss, argmax over the class axis (targets equal
    to ignore_index not counted); BCEWithLogitsLoss, logit > 0; BCELoss,
    probability > 0.5. A RegularizedLoss is judged by the loss it wraps
    (``.loss_fn``).
    """
    while isinstance(loss_fn, RegularizedLoss):
        loss_fn = loss_fn.loss_fn
    return getattr(loss_fn, "accuracy", None)


# --- argument checks ---------------------------------------------------------

def _check_pair(owner, X, y, names):
    X, y = (as_array(owner, array, what=name) for array, name in zip((X, y), names, strict=True))
    for name, array in zip(names, (X, y), strict=True):
        if array.ndim == 0:
            raise ShapeError(f"{owner}: expected {name} of shape (N, ...), got a scalar")
    if len(X) != len(y):
        raise ShapeError(
            f"{owner}: {names[0]} and {names[1]} must have the same number of samples "
            f"(first axis), got len({names[0]})={len(X)} and len({names[1]})={len(y)}"
        )
    return X, y


def _check_model_and_loss(owner, model, loss_fn):
    if not isinstance(model, Module):
        raise ConfigError(f"{owner}: model must be a minnet Module, got {type(model).__name__}")
    if not callable(loss_fn) or not callable(getattr(loss_fn, "backward", None)):
        raise ConfigError(
            f"{owner}: loss_fn must be a loss object such as CrossEntropyLoss() (callable, "
            f"with backward()), got {loss_fn!r}"
        )
    check_reduces_to_float(owner, loss_fn, "it records and averages one loss per batch")


def _check_fit_arguments(model, loss_fn, optimizer, scheduler, callbacks, X_val, y_val):
    _check_model_and_loss("fit()", model, loss_fn)
    for method in ("zero_grad", "step"):
        if not callable(getattr(optimizer, method, None)):
            raise ConfigError(
                f"fit(): optimizer must be an optimizer such as SGD(model.parameters(), "
                f"lr=0.1) (with zero_grad() and step()), got {optimizer!r}"
            )
    for schedule in _schedulers(scheduler):
        if not callable(getattr(schedule, "step", None)):
            raise ConfigError(f"fit(): scheduler must have a step() method, got {schedule!r}")
        if getattr(schedule, "optimizer", optimizer) is not optimizer:
            raise ConfigError(
                "fit(): the scheduler drives a different optimizer than the one passed to "
                "fit(); build it on the same optimizer"
            )
    _check_optimizer_holds_model(model, optimizer)
    for callback in callbacks:
        if not isinstance(callback, Callback):
            hint = "; did you forget the parentheses?" if isinstance(callback, type) else ""
            raise ConfigError(
                f"fit(): every callback must be a Callback instance, got {callback!r}{hint}"
            )
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ConfigError(f"fit(): {given} was given without {missing}; pass both or neither")


def _schedulers(scheduler):
    """``fit``'s ``scheduler`` argument as a list: None, one schedule, or several chained."""
    if scheduler is None:
        return []
    return list(scheduler) if isinstance(scheduler, (list, tuple)) else [scheduler]


def _check_optimizer_holds_model(model, optimizer):
    """Refuse an optimizer that would update none of the model's trainable parameters.

    The classic case is a notebook cell re-run: the model is built again, the
    optimizer still holds the old model's parameters, and training moves nothing.
    """
    held = getattr(optimizer, "params", None)
    if held is None:
        return  # a duck-typed optimizer: nothing to compare
    trainable = [param for param in model.parameters() if param.requires_grad]
    if not trainable:
        raise ConfigError(
            f"fit(): the model has no trainable parameter (all {len(model.parameters())} have "
            f"requires_grad=False); unfreeze some before training")
    held_ids = {id(param) for param in held}
    if not any(id(param) in held_ids for param in trainable):
        raise ConfigError(
            f"fit(): the optimizer holds none of this model's trainable parameters (it has "
            f"{len(held)} others): was the model built again after the optimizer (a notebook "
            f"cell run twice)? Build the optimizer on model.parameters() of this model")


@contextlib.contextmanager
def _modes_restored(model):
    """Put every submodule back in the train/eval mode it had on entry."""
    modes = [(module, module.training) for module in model.modules()]
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


# --- the loop ----------------------------------------------------------------

def _call_hook(callbacks, hook, *arguments):
    """Call ``hook`` on every callback; return the first stop request's reason, else None.

    Every callback sees the event even when an earlier one asks to stop.
    """
    results = [(callback, getattr(callback, hook)(*arguments)) for callback in callbacks]
    for callback, result in results:
        if result:
            return result if isinstance(result, str) else f"stopped by {callback!r}"
    return None


def _train_epoch(state, loader, callbacks, accuracy):
    """Run one epoch of steps; return (epoch logs or None, stop reason or None)."""
    model, loss_fn, optimizer = state.model, state.loss_fn, state.optimizer
    model.train()
    loss_sum = accuracy_sum = 0.0
    count = 0
    for batch, (X_batch, y_batch) in enumerate(loader):
        logs = {"epoch": state.epoch, "batch": batch, "X_batch": X_batch,
                "y_batch": y_batch, "batch_size": len(X_batch)}
        _call_hook(callbacks, "on_batch_begin", state.step, logs)
        optimizer.zero_grad()
        out = model(X_batch)
        loss = float(loss_fn(out, y_batch))
        state.history.step_loss.append(loss)
        if not math.isfinite(loss):
            model.clear_caches()  # this forward gets no backward
            reason = (f"non-finite loss ({loss}) at epoch {state.epoch + 1}, step "
                      f"{batch + 1} of {state.steps_per_epoch}")
            warnings.warn(f"fit() stopped: {reason}; the model keeps the weights from "
                          f"before this step", NonFiniteLossWarning, stacklevel=4)
            return None, reason
        model.backward(loss_fn.backward())
        optimizer.step()
        loss_sum += loss * len(X_batch)
        if accuracy is not None:
            accuracy_sum += accuracy(out, y_batch) * len(X_batch)
        count += len(X_batch)
        logs.update(loss=loss, output=out)
        step, state.step = state.step, state.step + 1
        reason = _call_hook(callbacks, "on_batch_end", step, logs)
        if reason:
            return None, reason
    logs = {"train_loss": loss_sum / count}
    if accuracy is not None:
        logs["train_acc"] = accuracy_sum / count
    return logs, None


def _run_epoch(state, loader, callbacks, accuracy, validation, batch_size):
    """Train, validate, record, step the schedule, tell the callbacks; return a stop reason."""
    lr = current_lr(state.optimizer)
    _call_hook(callbacks, "on_epoch_begin", state.epoch, {"lr": lr})
    start = time.perf_counter()
    logs, reason = _train_epoch(state, loader, callbacks, accuracy)
    if logs is None:
        return reason
    if validation is not None:
        scores = evaluate(state.model, state.loss_fn, *validation,
                          batch_size=max(batch_size, 256))
        logs["val_loss"] = scores["loss"]
        if "accuracy" in scores:
            logs["val_acc"] = scores["accuracy"]
    logs.update(lr=lr, epoch_time=time.perf_counter() - start)
    state.history.record(logs)
    for scheduler in _schedulers(state.scheduler):  # in the order given, as PyTorch users do
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(logs.get("val_loss", logs["train_loss"]))
        else:
            scheduler.step()
    return _call_hook(callbacks, "on_epoch_end", state.epoch, dict(logs))


def fit(model, loss_fn, optimizer, X, y, *, X_val=None, y_val=None, epochs=10, batch_size=64,
        shuffle=True, scheduler=None, callbacks=(), progress=True, rng=None, run=None):
    """Train ``model`` on (X, y) with mini-batches; return the ``History`` of the run.

    Parameters
    ----------
    model : Module
    loss_fn : a loss (CrossEntropyLoss, BCEWithLogitsLoss, MSELoss, RegularizedLoss, ...)
    optimizer : an optimizer built on ``model.parameters()``
    X : array (N, ...); y : array (N, ...) of targets
    X_val, y_val : optional validation arrays, evaluated after each epoch in eval mode
    epochs : int >= 1
    batch_size : int >= 1 (the last batch of an epoch may be smaller)
    shuffle : bool, a new order of the samples every epoch
    scheduler : optional learning-rate schedule, or a list of schedules on the
        optimizer (they compose, as in PyTorch), each stepped once after each
        epoch in the order given; ``ReduceLROnPlateau`` is given the validation
        loss (the training loss without validation data). History records the
        lr of the first parameter group.
    callbacks : iterable of Callback (see ``minnet.callbacks``)
    progress : bool, show a tqdm bar on stderr; False prints nothing
    rng : None, int or numpy.random.Generator, the source of the shuffling
    run : None, str or ``mn.Run``: record this fit in the run store. A str
        starts a new run of that name (in ``$MINNET_RUNS`` or
        ``./minnet-runs.sqlite``) and finishes it; a ``Run`` is started if it
        is not (and then finished by fit); None records into the open
        ``mn.Run`` block, if any. Recorded: the setup (model, optimizer,
        schedule, seed, data shapes, versions, git commit), the loss of every
        step, the History of every epoch, checkpoints, the doctor's findings
        and the wall time; a fit that raises leaves its run "failed". See
        ``minnet.runs.recording``; ``minnet runs list`` reads them back.

    The model is in training mode during the epochs and in eval mode for
    validation; every submodule gets back the mode it had before fit. A run
    stops early when a callback asks (``EarlyStopping``) or a loss is not
    finite (see the module docstring); ``History.stopped_reason`` says why.
    """
    if isinstance(callbacks, (str, bytes)) or not (isinstance(callbacks, Callback)
                                                   or hasattr(callbacks, "__iter__")):
        raise ConfigError(f"fit(): callbacks must be a list of Callback instances, got "
                          f"{callbacks!r}")
    callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks)
    _check_fit_arguments(model, loss_fn, optimizer, scheduler, callbacks, X_val, y_val)
    progress = check_bool("fit()", "progress", progress)
    epochs = check_int("fit()", "epochs", epochs, minimum=1)
    batch_size = check_int("fit()", "batch_size", batch_size, minimum=1)
    X, y = _check_pair("fit()", X, y, ("X", "y"))
    validation = None
    if X_val is not None:
        validation = _check_pair("fit()", X_val, y_val, ("X_val", "y_val"))
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, rng=make_rng(rng))
    state = TrainerState(model=model, loss_fn=loss_fn, optimizer=optimizer,
                         scheduler=scheduler, history=History(), epochs=epochs,
                         steps_per_epoch=len(loader))
    if progress:
        callbacks.insert(0, ProgressBar())
    accuracy = accuracy_function(loss_fn)
    settings = dict(epochs=epochs, batch_size=batch_size, shuffle=shuffle, rng=rng, X=X, y=y,
                    X_val=X_val, y_val=y_val)
    with _modes_restored(model), fit_run(run) as recording:
        if recording is not None:  # last: it sees what the other callbacks did
            callbacks.append(RunRecorder(recording, settings, callbacks))
        try:
            for callback in callbacks:
                callback.state = state
            _call_hook(callbacks, "on_train_begin", state)
            for epoch in range(epochs):
                state.epoch = epoch
                reason = _run_epoch(state, loader, callbacks, accuracy, validation, batch_size)
                if reason:
                    state.history.stopped_reason = state.stop_reason = reason
                    break
            _call_hook(callbacks, "on_train_end", state)
        except BaseException:
            if progress:
                callbacks[0].on_train_end(state)  # close the bar, then let the error through
            raise
    return state.history


# --- inference -----------------------------------------------------------------

def _batches(X, batch_size):
    for start in range(0, len(X), batch_size):
        yield slice(start, start + batch_size)


def evaluate(model, loss_fn, X, y, batch_size=256):
    """Loss (and accuracy, for classification losses) of ``model`` on (X, y), in eval mode.

    Returns ``{"loss": float, "accuracy": float}``; ``"accuracy"`` is absent
    for losses where it means nothing (MSELoss). Both are means over all
    samples (batch means weighted by batch size). The model's modes are
    restored afterwards; ``loss_fn.backward`` is not called, and the forwards
    run under ``no_grad()`` (they keep no cache).
    """
    _check_model_and_loss("evaluate()", model, loss_fn)
    batch_size = check_int("evaluate()", "batch_size", batch_size, minimum=1)
    X, y = _check_pair("evaluate()", X, y, ("X", "y"))
    accuracy = accuracy_function(loss_fn)
    loss_sum = accuracy_sum = 0.0
    with _modes_restored(model), no_grad():
        model.eval()
        for batch in _batches(X, batch_size):
            out = model(X[batch])
            size = len(X[batch])
            loss_sum += float(loss_fn(out, y[batch])) * size
            if accuracy is not None:
                accuracy_sum += accuracy(out, y[batch]) * size
    scores = {"loss": loss_sum / len(X)}
    if accuracy is not None:
        scores["accuracy"] = accuracy_sum / len(X)
    return scores


def predict(model, X, batch_size=256):
    """The model's outputs (logits for a classifier) on X, in eval mode and under ``no_grad()``:
    array (N, ...)."""
    if not isinstance(model, Module):
        raise ConfigError(f"predict(): model must be a minnet Module, got {type(model).__name__}")
    batch_size = check_int("predict()", "batch_size", batch_size, minimum=1)
    X = as_array("predict()", X, what="X")
    if X.ndim == 0 or len(X) == 0:
        raise ShapeError(f"predict(): expected X of shape (N, ...) with N >= 1, got {X.shape}")
    with _modes_restored(model), no_grad():
        model.eval()
        return np.concatenate([model(X[batch]) for batch in _batches(X, batch_size)])
