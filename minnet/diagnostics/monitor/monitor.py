"""Monitor: statistics of a training run, gathered from outside the model.

``Monitor(model, optimizer, loss_fn).attach()`` installs hooks on the model
(forward pre and backward pre hooks on the top-level model; on sampled steps,
forward hooks on the activation layers) and wraps the INSTANCE methods
``loss_fn.forward`` (and ``backward`` of a RegularizedLoss) and
``optimizer.step``; ``detach()`` removes every hook and wrapper. No layer
contains diagnostic code.

What is measured (the records, see ``new_records``):

- every step (cheap): the loss (with ``data_loss``/``reg_loss`` of a
  RegularizedLoss), the learning rate, the class counts of the batch targets,
  whether ``.grad`` was already non-zero at the first backward after an
  optimizer step (a forgotten ``zero_grad``), and evaluation passes (a
  forward with no backward before the next forward) made while dropout or
  batch norm were in training mode;
- on sampled steps (the first ``first`` steps, then every ``every`` steps):
  per-layer activation statistics and histograms, gradient norm per layer
  (read at ``optimizer.step``, before the update), update/weight ratio and
  weight std per weight tensor, the regularization and data gradient norms,
  batch accuracy, whether the logits reaching the loss look like
  probabilities, and the gradient reaching each time step of a recurrent
  layer (``time_steps``).

A step ends at ``optimizer.step()``; without an optimizer, at the end of each
backward pass of the model. The first non-finite loss triggers a probe
forward on a private copy of the model to name the first layer whose output
is NaN or Inf. ``paused()`` switches everything off (the doctor's own
evaluation passes are not the user's).
"""

import contextlib

import numpy as np

from minnet.core import Module
from minnet.diagnostics._shared import layer_where, task_of
from minnet.diagnostics.monitor.fresh import FreshGradientsMixin
from minnet.diagnostics.monitor.passes import ForwardPass, PassesMixin
from minnet.diagnostics.monitor.records import RecordsMixin, new_records
from minnet.diagnostics.monitor.stats import (
    HISTOGRAM_BINS,
    MAX_ROWS,
    activation_kind,
    coupled_weight_decays,
    decoupled_weight_decays,
    is_embedding,
    is_mode_dependent,
    sample_index,
    sampled_values,
)
from minnet.diagnostics.monitor.time_steps import TimeSteps
from minnet.errors import ConfigError
from minnet.losses import RegularizedLoss
from minnet.losses.base import check_reduces_to_float
from minnet.validation import check_int


def _marked(function):
    function._minnet_monitor = True
    return function


class Monitor(RecordsMixin, PassesMixin, FreshGradientsMixin):
    """Watch a model, optimizer and loss during training; gather ``records``.

    Parameters
    ----------
    model : Module, the top-level model (its forward and backward mark the steps)
    optimizer : optional; its ``step()`` ends a training step
    loss_fn : optional; without it no loss, label or softmax statistics
    every : int >= 1, sample the expensive statistics every ``every`` steps
    first : int >= 0, and on each of the first ``first`` steps
    bins : int, histogram bins
    max_rows : int, statistics of larger batches use their first ``max_rows`` samples
    eval_as_validation : bool, record the loss of evaluation passes as the
        validation loss (``watch`` does; ``fit`` and ``doctor`` give it explicitly)
    """

    def __init__(self, model, optimizer=None, loss_fn=None, *, every=10, first=3,
                 bins=HISTOGRAM_BINS, max_rows=MAX_ROWS, eval_as_validation=False):
        if not isinstance(model, Module):
            raise ConfigError(f"Monitor: model must be a minnet Module, got {type(model).__name__}")
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise ConfigError(f"Monitor: optimizer must have a step() method, got {optimizer!r}")
        if loss_fn is not None and not callable(getattr(loss_fn, "forward", None)):
            raise ConfigError(f"Monitor: loss_fn must be a loss such as CrossEntropyLoss(), "
                              f"got {loss_fn!r}")
        if loss_fn is not None:
            check_reduces_to_float("watch()", loss_fn, "it records one loss per step")
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.every = check_int("Monitor", "every", every, minimum=1)
        self.first = check_int("Monitor", "first", first, minimum=0)
        self.bins = check_int("Monitor", "bins", bins, minimum=1)
        self.max_rows = check_int("Monitor", "max_rows", max_rows, minimum=1)
        self.eval_as_validation = bool(eval_as_validation)
        self.task = task_of(loss_fn) if loss_fn is not None else None
        self.records = new_records(self.every, self.task, optimizer)
        self.step = 0
        self.attached = False
        self._paused = 0
        self._handles, self._wrapped = [], []
        self._pass = None
        self._capture_handles = []
        self._sample_done = False
        self._checked_step = -1
        self._pending_update = None
        self._eval_group = None
        self._explicit_validation = False
        self._train_batch_sizes = set()
        self._sampled = self._is_sampled(0)
        self._regularized = isinstance(loss_fn, RegularizedLoss)
        self._weight_decays = coupled_weight_decays(optimizer)
        self._decoupled_decays = decoupled_weight_decays(optimizer)  # AdamW
        self._time_steps = TimeSteps(model)  # gradients through time of recurrent layers

    # --- attaching -------------------------------------------------------------

    def attach(self):
        """Install the hooks and wrappers; return self. Attaching twice does nothing."""
        if self.attached:
            return self
        self._scan_model()
        model = self.model
        self._handles = [model.register_forward_pre_hook(self._on_forward_pre),
                         model.register_backward_pre_hook(self._on_backward_pre)]
        if self.optimizer is None:  # then the end of a backward pass ends a step
            self._handles.append(model.register_backward_hook(self._on_backward))
        else:  # the gradient check (fresh.py): what backward produced, before step() reads it
            self._handles.append(model.register_backward_hook(self._on_backward_end))
            self._optimizer_coverage()
        if self.loss_fn is not None:
            self._wrap(self.loss_fn, "forward", self._loss_forward_wrapper)
            if self._regularized:  # its backward adds the penalty's gradient into .grad
                self._wrap(self.loss_fn, "backward", self._loss_backward_wrapper)
        if self.optimizer is not None:
            self._wrap(self.optimizer, "step", self._step_wrapper)
        self._time_steps.attach(self.records, lambda: not self._paused)
        self.attached = True
        return self

    def detach(self):
        """Remove every hook and wrapper, restoring the objects as they were."""
        if not self.attached:
            return
        self._finish_pass(final=True)
        self._apply_pending_update()
        self._stop_capture()
        for handle in self._handles:
            handle.remove()
        self._time_steps.detach()
        for obj, name, had, previous, wrapper in reversed(self._wrapped):
            if obj.__dict__.get(name) is wrapper:
                if had:
                    obj.__dict__[name] = previous
                else:
                    del obj.__dict__[name]
        self._handles, self._wrapped = [], []
        self.attached = False

    def __enter__(self):
        return self.attach()

    def __exit__(self, *exc_info):
        self.detach()
        return False

    @contextlib.contextmanager
    def paused(self):
        """Run a block (an evaluation, a probe) that the monitor must not see."""
        self._paused += 1
        try:
            yield self
        finally:
            self._paused -= 1

    def _scan_model(self):
        """List the activation layers, mode-dependent layers, parametrized layers and weights.

        Frozen parameters (``requires_grad=False``) are left out: no gradient and
        no update is what they are meant to have.
        """
        self._activations, self._mode_modules, self._layers, self._weights = [], [], [], []
        names = {id(param): name for name, param in self.model.named_parameters()
                 if param.requires_grad}
        seen = set()
        for name, module in self.model.named_modules():
            where = layer_where(name, module)
            kind = activation_kind(module)
            if kind is not None:
                self._activations.append((where, module, kind))
            if is_mode_dependent(module):
                self._mode_modules.append((where, module))
            own = [(names[id(p)], p) for p in module._parameters.values() if id(p) in names]
            if own:
                self._layers.append((where, own, is_embedding(module)))
            for param_name, param in own:
                if param.data.ndim >= 2 and id(param) not in seen:
                    seen.add(id(param))
                    index = sample_index(param.size)
                    self._weights.append((param_name, param, len(self._weights), index))
        params = getattr(self.optimizer, "params", None)
        self._zero_params = list(params) if params is not None else self.model.parameters()
        self._stale_views = {}

    def _wrap(self, obj, name, factory):
        state = obj.__dict__
        had, previous = name in state, state.get(name)
        wrapper = _marked(factory(getattr(obj, name)))
        state[name] = wrapper  # an instance attribute shadows the class's method
        self._wrapped.append((obj, name, had, previous, wrapper))

    def _is_sampled(self, step):
        return step < self.first or step % self.every == 0

    # --- hooks and wrappers ------------------------------------------------------
    # These run on every step: the watch() budget is 10% of a step, so the
    # common path is a few attribute reads and appends; sampled steps do more.

    def _on_forward_pre(self, module, x):
        if self._paused:
            return None
        current = self._pass
        if current is not None and not current.committed:
            self._finish_pass(final=False)
        if self._pending_update is not None:
            self._apply_pending_update()
        if self._capture_handles:  # the last sampled forward raised before it ended
            self._stop_capture()
        modes = buffers = ()
        if self._mode_modules:
            modes = [where for where, layer in self._mode_modules if layer.training]
            if modes:  # batch norm in training mode updates its running statistics
                buffers = [(layer, name, np.array(buffer, copy=True))
                           for _, layer in self._mode_modules if layer.training
                           for name, buffer in layer._buffers.items() if buffer is not None]
        self._pass = ForwardPass(self.step, x, modes, buffers)
        if self._sampled and not self._sample_done:
            self._start_capture()
        return None

    def _start_capture(self):
        """Hooks on the activation layers for this (sampled) forward pass only."""
        self._stop_capture()
        captured = self._pass.captured
        for where, module, kind in self._activations:
            def hook(layer, x, out, where=where, kind=kind):
                captured[where] = (kind, out)
            self._capture_handles.append(module.register_forward_hook(hook))
        self._capture_handles += self._time_steps.capture(self.step)
        self._capture_handles.append(self.model.register_forward_hook(self._on_forward))

    def _on_forward(self, module, x, out):
        self._stop_capture()
        return None

    def _stop_capture(self):
        for handle in self._capture_handles:
            handle.remove()
        self._capture_handles = []

    def _on_backward_pre(self, module, grad_out):
        if self._paused:
            return
        if self._checked_step != self.step:
            self._check_stale_grads()
            self._fresh_start()
        current = self._pass
        if current is not None and not current.committed:
            self._commit(current)

    def _on_backward(self, module, grad_in, grad_out):
        if not self._paused:
            # Without an optimizer the step ends with the backward pass; the
            # update happens (by hand) before the next forward.
            if self._sampled:
                self._gradient_statistics()
                self._pending_update = (self.step, self._weight_snapshot())
            self._end_step()
        return None

    def _loss_forward_wrapper(self, original):
        def forward(pred, target, *args, **kwargs):
            value = original(pred, target, *args, **kwargs)
            if not self._paused:
                self._on_loss(pred, target, value)
            return value
        return forward

    def _loss_backward_wrapper(self, original):
        def backward(*args, **kwargs):
            # Look for stale gradients before the penalty's gradient is added.
            if not self._paused and self._checked_step != self.step:
                self._check_stale_grads()
                self._fresh_start()
            return original(*args, **kwargs)
        return backward

    def _step_wrapper(self, original):
        def step(*args, **kwargs):
            if self._paused:
                return original(*args, **kwargs)
            if not self._sampled:
                result = original(*args, **kwargs)
            else:
                self._fresh_compare()  # what backward produced against what step() will use
                self._gradient_statistics()  # before the update changes anything
                snapshot = self._weight_snapshot()
                result = original(*args, **kwargs)
                self._update_statistics(self.step, snapshot)
            self._end_step()
            return result
        return step

    # --- steps ------------------------------------------------------------------------

    def _end_step(self):
        self.step = step = self.step + 1
        self._sampled = step < self.first or step % self.every == 0
        self._sample_done = False
        self.records["info"]["steps"] = step

    def _weight_snapshot(self):
        return [sampled_values(param.data, index) for _, param, _, index in self._weights]

    def _apply_pending_update(self):
        if self._pending_update is not None:
            step, snapshot = self._pending_update
            self._pending_update = None
            self._update_statistics(step, snapshot)

    # --- what a report reads ---------------------------------------------------------

    def snapshot(self):
        """A copy of the records so far, with a pending evaluation included.

        Dicts and lists are copied (the monitor keeps appending to its own);
        the values in them (numbers, strings, arrays, histogram tuples) are
        never changed once recorded, so they are shared.
        """
        records = _copy_containers(self.records)
        if self._eval_group is not None:
            self._flush_eval_group(records)
        return records


def _copy_containers(value):
    if isinstance(value, dict):
        return {key: _copy_containers(item) for key, item in value.items()}
    if isinstance(value, list):  # the records' lists hold one kind of item each
        if value and isinstance(value[0], (dict, list)):
            return [_copy_containers(item) for item in value]
        return list(value)
    return value
