"""What backward produced against what ``optimizer.step()`` sees: the gradient check.

On sampled steps (with an optimizer) the monitor copies the weights' gradients
twice: at the first backward of the step (before anything is added: they
should be zero) and at the end of each backward pass. ``after - before`` is
the gradient this step's backward passes computed, exactly what a fresh
recompute of the same batch would give, without a second forward (which would
draw new dropout masks) and without touching the model. At ``step()`` it is
compared with the gradient the optimizer is about to use:

- stale values (``before`` non-zero): the optimizer uses the sum of old and
  new gradients (a forgotten ``zero_grad``);
- a zero gradient at ``step()`` although backward produced one:
  ``zero_grad()`` between ``backward()`` and ``step()``, or ``step()``
  before ``backward()``;
- ``step()`` before any backward at all is recorded as an event.

Records: ``gradient_check {"step", "backward_norm", "optimizer_norm",
"stale_norm", "cosine"}`` (cosine of the optimizer's gradient with the
fresh one; NaN when either is zero or no backward ran since the last step)
and ``events["step_before_backward"] {"step"}``. Only weights of 2 or more
dimensions, on the same fixed subset of entries as the update ratios.
"""

import math

import numpy as np

from minnet.diagnostics.monitor.stats import sampled_values, squared_norm


def _norm(arrays):
    return math.sqrt(sum(squared_norm(a) for a in arrays))


class FreshGradientsMixin:
    """The Monitor's gradient check (reads ``self._weights``, ``self.records``, ``self.step``)."""

    _fresh_before = None
    _fresh_after = None
    _backward_seen = False

    def _fresh_gradients(self):
        return [sampled_values(param.grad, index) for _, param, _, index in self._weights]

    def _fresh_start(self):
        """At the first backward of a step: the gradients before this step added any."""
        if self._sampled and self.optimizer is not None:
            self._fresh_before = self._fresh_gradients()
            self._fresh_after = None

    def _on_backward_end(self, module, grad_in, grad_out):
        """A backward hook on the model: the gradients once this backward has added its share."""
        if not self._paused:
            self._backward_seen = True
            if self._sampled and self._fresh_before is not None:
                self._fresh_after = self._fresh_gradients()
        return None

    def _fresh_compare(self):
        """At ``step()`` on a sampled step, before the update: compare and record."""
        step = self.step
        if not self._backward_seen:
            events = self.records["events"].setdefault("step_before_backward", {"step": []})
            if not events["step"]:
                events["step"].append(step)
        before, after = self._fresh_before, self._fresh_after
        self._fresh_before = self._fresh_after = None
        current = self._fresh_gradients()
        nan = math.nan
        with np.errstate(all="ignore"):
            optimizer_norm = _norm(current)
            if before is None or after is None:  # no backward since the last step
                backward_norm = stale_norm = cosine = nan
            else:
                fresh = [a - b for a, b in zip(after, before)]
                backward_norm, stale_norm = _norm(fresh), _norm(before)
                dot = sum(float(np.vdot(c, f)) for c, f in zip(current, fresh))
                scale = optimizer_norm * backward_norm
                cosine = dot / scale if scale > 0 else nan
        entry = self.records.setdefault("gradient_check", {
            "step": [], "backward_norm": [], "optimizer_norm": [], "stale_norm": [],
            "cosine": []})
        entry["step"].append(step)
        entry["backward_norm"].append(backward_norm)
        entry["optimizer_norm"].append(optimizer_norm)
        entry["stale_norm"].append(stale_norm)
        entry["cosine"].append(cosine)

    def _optimizer_coverage(self):
        """How many of the model's trainable weights the optimizer holds (``info``)."""
        params = getattr(self.optimizer, "params", None)
        if params is None:
            return
        held = {id(param) for param in params}
        info = self.records["info"]
        info["model_weights"] = len(self._weights)
        info["model_weights_in_optimizer"] = sum(
            id(param) in held for _, param, _, _ in self._weights)
