"""The monitor's records: their layout, and the methods that fill them.

``new_records`` gives the layout (read by ``minnet.diagnostics.rules`` and by
the plots); every value is a plain list, float, string or ndarray, so a
report can be saved::

    loss          {"step", "train", "data", "reg", "accuracy", "lr", "baseline",
                   "val_step", "val", "val_accuracy"}      one entry per training pass
                   (data/reg: RegularizedLoss parts; accuracy: on sampled steps;
                   baseline: variance of the regression targets; NaN where it
                   does not apply or was not measured)
    activations   {layer: {"kind", "step", "dead_fraction", "saturated_fraction",
                           "histogram": [(counts, edges), ...]}}
    grad_norm     {layer: {"step", "value", "rms", "embedding"}}
    update_ratio  {param: {"step", "value"}}
    weight_std    {param: {"depth", "step", "value"}}
    global_grad_norm {"step", "value"}
    regularization   {"step", "reg_grad_norm", "data_grad_norm"}
    labels        {"step", "counts"}                       class counts per training batch
    events        grads_not_zeroed {"step"}
                  eval_in_train_mode {"step", "modules", "running_stats_changed"}
                  probability_checks {"step", "row_sum_error"}   (NaN: not probabilities)
                  non_finite {"step", "kind", "where", "value"}  (first of each kind)
                  step_before_backward {"step"}   (with an optimizer; see fresh.py)
    gradient_check {"step", "backward_norm", "optimizer_norm", "stale_norm", "cosine"}
                  with an optimizer, on sampled steps: what backward produced against
                  what step() sees (``monitor/fresh.py``)
    info          {"task", "num_classes", "every", "steps", "optimizer"}, and with an
                  optimizer {"model_weights", "model_weights_in_optimizer"}
"""

import math

import numpy as np

from minnet.diagnostics.monitor.stats import (
    STALE_CHECK_VALUES,
    activation_statistics,
    batch_accuracy,
    first_array,
    label_counts,
    probability_rows_error,
    sampled_values,
    squared_norm,
)
from minnet.optim.optimizer import group_values

PROBABILITY_CHECKS = 5  # sampled steps on which the logits are always checked


def new_records(every=10, task=None, optimizer=None):
    """Empty records (see the module docstring)."""
    return {
        "loss": {key: [] for key in ("step", "train", "data", "reg", "accuracy", "lr",
                                     "baseline", "val_step", "val", "val_accuracy")},
        "activations": {},
        "grad_norm": {},
        "update_ratio": {},
        "weight_std": {},
        "global_grad_norm": {"step": [], "value": []},
        "regularization": {"step": [], "reg_grad_norm": [], "data_grad_norm": []},
        "labels": {"step": [], "counts": []},
        "events": {
            "grads_not_zeroed": {"step": []},
            "eval_in_train_mode": {"step": [], "modules": [], "running_stats_changed": []},
            "probability_checks": {"step": [], "row_sum_error": []},
            "non_finite": {"step": [], "kind": [], "where": [], "value": []},
        },
        "info": {"task": task, "num_classes": None, "every": every, "steps": 0,
                 "optimizer": None if optimizer is None else type(optimizer).__name__},
    }


def _append(entry, **values):
    for key, value in values.items():
        entry[key].append(value)


class RecordsMixin:
    """The Monitor's recording methods (they read ``self.records`` and the scanned model)."""

    def _lr(self):
        """The first parameter group's lr (NaN without an optimizer or a numeric lr)."""
        lr = group_values(self.optimizer, "lr")[0] if self.optimizer is not None else None
        return float(lr) if isinstance(lr, (int, float)) else math.nan

    def _check_stale_grads(self):
        """At the first backward of a step: is a gradient already non-zero?

        Cheap: the first entries of one parameter in turn (a forgotten
        ``zero_grad`` leaves every gradient non-zero, step after step). How
        the stale gradients grow shows in the global gradient norm.
        """
        self._checked_step = step = self.step
        params = self._zero_params
        if not params:
            return
        param = params[step % len(params)]
        grad, view = self._stale_views.get(id(param), (None, None))
        if grad is not param.grad:  # zero_grad fills .grad in place; a new array needs a view
            grad = param.grad
            view = grad.reshape(-1)[:STALE_CHECK_VALUES]
            self._stale_views[id(param)] = (grad, view)
        if view.any():
            self.records["events"]["grads_not_zeroed"]["step"].append(step)

    def _record_training_loss(self, current, sampled):
        # Every step: keep it to a few appends (the watch() overhead budget is 10%).
        pred, target, task = current.pred, current.target, self.task
        nan = math.nan
        loss = self.records["loss"]
        loss["step"].append(current.step)
        loss["train"].append(current.loss)
        loss["data"].append(nan if current.data_loss is None else current.data_loss)
        loss["reg"].append(nan if current.reg_loss is None else current.reg_loss)
        # accuracy on sampled steps only (it feeds the plateau rule, window by window)
        loss["accuracy"].append(batch_accuracy(pred, target, self.loss_fn)
                                if sampled else nan)
        loss["lr"].append(self._lr())
        baseline = nan
        if task == "regression" and target is not None:
            with np.errstate(all="ignore"):
                baseline = float(np.var(np.asarray(target, dtype=np.float64)))
        loss["baseline"].append(baseline)
        if (task == "multiclass" and type(target) is np.ndarray and target.ndim == 1
                and target.dtype.kind in "iu" and target.size and target.min() >= 0):
            counts = np.bincount(target)  # the common case, without a function call
        else:
            counts = label_counts(target, task)
        if counts is not None:
            labels = self.records["labels"]
            labels["step"].append(current.step)
            labels["counts"].append(counts)
        if sampled and task == "multiclass" and np.ndim(pred) == 2:
            info = self.records["info"]
            info["num_classes"] = max(info["num_classes"] or 0, int(np.shape(pred)[1]))
            checks = self.records["events"]["probability_checks"]
            # A softmax in the model is there from the first step: check the first
            # sampled steps, then one sampled step in ten.
            if len(checks["step"]) < PROBABILITY_CHECKS or current.step % (10 * self.every) == 0:
                with np.errstate(all="ignore"):
                    error = probability_rows_error(pred)
                _append(checks, step=current.step, row_sum_error=nan if error is None else error)

    def _record_activations(self, step, captured):
        table = self.records["activations"]
        for where, (kind, out) in captured.items():
            array = first_array(out)
            if array is None or array.dtype.kind != "f":
                continue
            result = activation_statistics(array, kind, self.bins, self.max_rows)
            entry = table.get(where)
            if entry is None:
                entry = table[where] = {"kind": kind, "step": [], "dead_fraction": [],
                                        "saturated_fraction": [], "histogram": []}
            entry["step"].append(step)
            entry["dead_fraction"].append(result["dead_fraction"])
            entry["saturated_fraction"].append(result["saturated_fraction"])
            entry["histogram"].append(result["histogram"])
            if not result["finite"]:
                self._record_non_finite(step, "activation", where, math.nan)

    def _record_non_finite(self, step, kind, where, value):
        events = self.records["events"]["non_finite"]
        if kind not in events["kind"]:
            _append(events, step=step, kind=kind, where=where, value=float(value))

    def _gradient_statistics(self):
        """Gradient norm per parametrized layer, read before the optimizer's update."""
        step, total = self.step, 0.0
        table = self.records["grad_norm"]
        with np.errstate(all="ignore"):
            for where, params, embedding in self._layers:
                squared = size = 0.0
                for _, param in params:
                    squared += squared_norm(param.grad)
                    size += param.size
                entry = table.get(where)
                if entry is None:
                    entry = table[where] = {"step": [], "value": [], "rms": [],
                                            "embedding": embedding}
                entry["step"].append(step)
                entry["value"].append(math.sqrt(squared))
                entry["rms"].append(math.sqrt(squared / max(size, 1)))
                total += squared
                if not math.isfinite(squared):
                    self._record_non_finite(step, "gradient", where, squared)
            global_norm = self.records["global_grad_norm"]
            global_norm["step"].append(step)
            global_norm["value"].append(math.sqrt(total))
            if (self._regularized and (self.loss_fn.l1 or self.loss_fn.l2)) or any(
                    decay for _, decay in self._weight_decays):
                self._regularization_statistics(step)

    def _regularization_statistics(self, step):
        """Norms of the penalty's gradient and of the data loss's gradient."""
        loss_fn = self.loss_fn
        reg_squared = data_squared = 0.0
        if self._regularized:
            for _, param in loss_fn.penalized_parameters():
                penalty = loss_fn.l1 * np.sign(param.data) + loss_fn.l2 * param.data
                reg_squared += squared_norm(penalty)
                data_squared += squared_norm(param.grad - penalty)
        else:  # SGD and Adam add weight_decay * w to the gradient (L2 in the gradient)
            for param, decay in self._weight_decays:
                reg_squared += decay * decay * squared_norm(param.data)
                data_squared += squared_norm(param.grad)
        _append(self.records["regularization"], step=step, reg_grad_norm=math.sqrt(reg_squared),
                data_grad_norm=math.sqrt(data_squared))

    def _decoupled_decay_statistics(self, step, snapshot):
        """AdamW's decay against the rest of its update, as the regularization record.

        AdamW moves a weight by ``-lr * wd * w`` (the decay) plus the Adam step; the
        update measured around step() minus the decay is the Adam step, the data's
        part. Their norms' ratio is the penalty-gradient / data-gradient ratio that
        ``regularization-dominates`` reads for a coupled L2 (same record layout).
        """
        decay_squared = data_squared = 0.0
        with np.errstate(all="ignore"):
            for (_, param, _, index), before in zip(self._weights, snapshot):
                group = self._decoupled_decays.get(id(param))
                if group is None or not isinstance(group.get("lr"), (int, float)):
                    continue
                decay = group["lr"] * group["weight_decay"] * before
                after = sampled_values(param.data, index)
                decay_squared += squared_norm(decay)
                data_squared += squared_norm(after - before + decay)
        if decay_squared:
            _append(self.records["regularization"], step=step,
                    reg_grad_norm=math.sqrt(decay_squared), data_grad_norm=math.sqrt(data_squared))

    def _update_statistics(self, step, snapshot):
        """Update/weight ratio ||W_after - W_before|| / ||W_before|| and weight std per weight.

        Large weights are measured on a fixed subset of their entries
        (``stats.sample_index``): the ratio of norms and the std of
        4096 entries spread over the tensor estimate those of the whole.
        """
        ratios, stds = self.records["update_ratio"], self.records["weight_std"]
        if self._decoupled_decays:
            self._decoupled_decay_statistics(step, snapshot)
        with np.errstate(all="ignore"):
            for (name, param, depth, index), before in zip(self._weights, snapshot):
                after = sampled_values(param.data, index)
                norm = math.sqrt(squared_norm(before))
                change = math.sqrt(squared_norm(after - before))
                # std from the sums (np.std is several times slower on small arrays)
                size, total, squared = after.size, float(after.sum()), squared_norm(after)
                std = math.sqrt(max(squared / size - (total / size) ** 2, 0.0))
                if name not in ratios:
                    ratios[name] = {"step": [], "value": []}
                    stds[name] = {"depth": depth, "step": [], "value": []}
                ratios[name]["step"].append(step)
                ratios[name]["value"].append(change / norm if norm > 0 else math.nan)
                stds[name]["step"].append(step)
                stds[name]["value"].append(std)
                if not (math.isfinite(squared) and math.isfinite(total)):
                    self._record_non_finite(step, "weight", name, math.nan)
