"""watch(): a context manager around any hand-written training loop.

::

    with watch(model, optimizer, loss_fn) as watcher:
        for epoch in range(epochs):
            for X_batch, y_batch in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(X_batch), y_batch)
                model.backward(loss_fn.backward())
                optimizer.step()
    print(watcher.report())

It catches what only a hand-written loop can get wrong (a forgotten
``zero_grad``, evaluation with dropout or batch norm left in training mode,
batches that are not shuffled) besides everything the monitor's rules see.
Pass the optimizer and the loss: without the optimizer a step ends with each
backward pass; without the loss there are no loss, label or softmax checks.
Evaluation passes (forwards with no backward) give the validation curve,
unless ``watcher.record_validation(loss)`` is called.
"""

from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.report.finding import Report
from minnet.diagnostics.rules import run_rules


class Watcher:
    """What ``watch`` returns: the attached monitor, and ``report()``.

    Attributes
    ----------
    monitor : Monitor
    """

    def __init__(self, model, optimizer=None, loss_fn=None, **options):
        options.setdefault("eval_as_validation", True)
        self.monitor = Monitor(model, optimizer, loss_fn, **options)

    def __enter__(self):
        self.monitor.attach()
        return self

    def __exit__(self, *exc_info):
        self.monitor.detach()
        return False

    def attach(self):
        self.monitor.attach()
        return self

    def detach(self):
        self.monitor.detach()

    @property
    def step(self):
        """Training steps seen so far."""
        return self.monitor.step

    @property
    def records(self):
        """A copy of the statistics gathered so far (see ``minnet.diagnostics.monitor.records``)."""
        return self.monitor.snapshot()

    def paused(self):
        """A context manager: what runs inside is not watched."""
        return self.monitor.paused()

    def record_validation(self, loss, accuracy=None):
        """Record a validation loss measured now (replaces the evaluation-pass losses)."""
        self.monitor.record_validation(loss, accuracy)

    def report(self):
        """A ``Report`` of the findings from what was seen so far, with the records."""
        records = self.monitor.snapshot()
        return Report(run_rules(records), records)

    def __repr__(self):
        state = "attached" if self.monitor.attached else "detached"
        return f"Watcher({state}, step={self.monitor.step})"


def watch(model, optimizer=None, loss_fn=None, **options):
    """Watch a hand-written training loop; use as ``with watch(model, opt, loss_fn) as w:``.

    Parameters
    ----------
    model : Module
    optimizer : optional, the optimizer whose ``step()`` ends each training step
    loss_fn : optional, the loss object the loop calls
    **options : passed to ``Monitor`` -- ``every`` (default 10: sample the
        per-layer statistics every 10 steps, and on the first ``first`` = 3),
        ``bins``, ``max_rows``, ``eval_as_validation`` (default True here)

    Returns
    -------
    Watcher, attached on ``__enter__`` and detached (everything restored) on
    ``__exit__``; ``watcher.report()`` returns a ``Report``.
    """
    return Watcher(model, optimizer, loss_fn, **options)
