"""The life of a forward pass: training (it reaches backward) or evaluation (it does not).

A ``ForwardPass`` holds what the monitor learns about one top-level forward:
its input, the train/eval modes of dropout and batch-norm layers, the loss
computed on its output, the activations captured on sampled steps. At the
first backward it is a training pass (``PassesMixin._commit``); when the next
forward starts first, it was an evaluation: ``PassesMixin`` turns it into a
validation record (``watch``) and, with dropout or batch norm in training
mode, into an ``eval_in_train_mode`` event. The mirror image: a training
pass (it reached backward) made while the model and every dropout and
batch-norm layer were in eval mode (``model.eval()`` left on) becomes a
``train_in_eval_mode`` event (records["events"]["train_in_eval_mode"]:
{"step", "modules"}).
"""

import math

import numpy as np

from minnet.diagnostics.monitor.stats import (
    all_finite,
    batch_accuracy,
    locate_non_finite,
)


class ForwardPass:
    """One top-level forward pass, from its forward to its first backward (if any)."""

    __slots__ = ("step", "x", "batch_size", "modes", "buffers", "loss", "data_loss",
                 "reg_loss", "pred", "target", "captured", "committed")

    def __init__(self, step, x=None, modes=(), buffers=()):
        self.step = step
        self.x = x
        shape = getattr(x, "shape", None)
        self.batch_size = shape[0] if shape else None
        self.modes = modes
        self.buffers = buffers
        self.loss = self.data_loss = self.reg_loss = None
        self.pred = self.target = None
        self.captured = {}
        self.committed = False


class PassesMixin:
    """The Monitor's handling of finished passes, validation records and non-finite losses."""

    def _on_loss(self, pred, target, value):
        current = self._pass
        if current is None or current.committed:
            current = self._pass = ForwardPass(self.step)
        current.loss = loss = float(value)
        current.pred, current.target = pred, target
        if self._regularized:
            current.data_loss = float(self.loss_fn.data_loss)
            current.reg_loss = float(self.loss_fn.reg_loss)
        if not math.isfinite(loss):
            self._non_finite_loss(current)

    def _commit(self, current):
        """The pass reached backward: it was a training pass; record it."""
        current.committed = True
        if self._eval_group is not None:
            self._flush_eval_group()
        if current.batch_size is not None:
            self._train_batch_sizes.add(current.batch_size)
        if self._mode_modules and not self.model.training:
            self._record_train_in_eval_mode(current.step)
        if current.loss is not None:
            self._record_training_loss(current, self._sampled)
        if current.captured:
            with np.errstate(all="ignore"):
                self._record_activations(current.step, current.captured)
            self._sample_done = True
            current.captured = {}
        current.pred = current.target = None

    def _record_train_in_eval_mode(self, step):
        """A training pass with the model in eval mode: dropout off, batch norm frozen.

        Only when EVERY dropout/batch-norm layer is in eval mode: freezing the
        batch-norm layers of a model in training mode is a deliberate technique.
        """
        if any(layer.training for _, layer in self._mode_modules):
            return
        events = self.records["events"].setdefault("train_in_eval_mode",
                                                   {"step": [], "modules": []})
        if events["step"] and events["step"][-1] == step:
            return  # one record per step (a step may run several backward passes)
        events["step"].append(step)
        events["modules"].append(", ".join(where for where, _ in self._mode_modules))

    def _finish_pass(self, final):
        """Close the current pass; one that never reached backward was an evaluation."""
        current, self._pass = self._pass, None
        if current is None or current.committed:
            return
        if current.loss is not None and not math.isfinite(current.loss):
            return  # a training step stopped by its non-finite loss, not an evaluation
        if final and not self._looks_like_evaluation(current):
            return  # a loop left between its forward and its backward
        if (self.eval_as_validation and not self._explicit_validation
                and current.loss is not None):
            self._add_to_eval_group(current)
        if current.modes:
            changed = any(not np.array_equal(np.asarray(layer._buffers.get(name)), saved)
                          for layer, name, saved in current.buffers)
            events = self.records["events"]["eval_in_train_mode"]
            events["step"].append(current.step)
            events["modules"].append(", ".join(current.modes))
            events["running_stats_changed"].append(bool(changed))

    def _looks_like_evaluation(self, current):
        return (current.loss is None or not self._train_batch_sizes
                or current.batch_size not in self._train_batch_sizes)

    def _non_finite_loss(self, current):
        if "loss" in self.records["events"]["non_finite"]["kind"]:
            return
        where = None
        if current.x is not None:
            with self.paused():
                where = locate_non_finite(self.model, current.x)
        if where is None:
            target = np.asarray(current.target)
            if target.dtype.kind == "f" and not all_finite(target):
                where = "y"
            else:
                where = "loss"
        self._record_non_finite(current.step, "loss", where, current.loss)

    def _add_to_eval_group(self, current):
        """Evaluation passes at one step (a validation set in batches) make one record."""
        size = current.batch_size or 1
        accuracy = batch_accuracy(current.pred, current.target, self.loss_fn)
        group = self._eval_group
        if group is not None and group[0] != current.step:
            self._flush_eval_group()
            group = None
        if group is None:
            group = self._eval_group = [current.step, 0.0, 0, 0.0]
        group[1] += current.loss * size
        group[2] += size
        group[3] += accuracy * size

    def _flush_eval_group(self, records=None):
        group = self._eval_group
        if group is None:
            return
        if records is None:
            records, self._eval_group = self.records, None
        step, loss_sum, count, accuracy_sum = group
        loss = records["loss"]
        loss["val_step"].append(step)
        loss["val"].append(loss_sum / count)
        loss["val_accuracy"].append(accuracy_sum / count)

    def record_validation(self, loss, accuracy=None, step=None):
        """Record a validation loss (and accuracy) measured at ``step`` (default: now).

        The first explicit record replaces any validation losses taken from
        evaluation passes.
        """
        loss_records = self.records["loss"]
        if not self._explicit_validation:
            self._explicit_validation = True
            self._eval_group = None
            for key in ("val_step", "val", "val_accuracy"):
                loss_records[key].clear()
        loss_records["val_step"].append(self.step if step is None else int(step))
        loss_records["val"].append(float(loss))
        loss_records["val_accuracy"].append(math.nan if accuracy is None else float(accuracy))
