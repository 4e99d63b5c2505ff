"""DoctorCallback: the monitor as a ``fit()`` callback.

::

    doctor_callback = DoctorCallback()
    fit(model, loss_fn, optimizer, X, y, X_val=X_val, y_val=y_val, callbacks=[doctor_callback])
    print(doctor_callback.report())

The callback attaches a ``Monitor`` to fit's model, optimizer and loss when
training begins and detaches it when training ends; the validation loss of
each epoch (fit's ``val_loss``) feeds the overfitting and underfitting rules.
If ``fit`` raises, call ``report()`` or ``detach()``: both detach.
"""

from minnet.callbacks import Callback
from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.report.finding import Report
from minnet.diagnostics.rules import run_rules


class DoctorCallback(Callback):
    """Watch a ``fit()`` run; ``report()`` returns a ``Report`` of the findings.

    Parameters
    ----------
    **options : passed to ``Monitor`` (``every``, ``first``, ``bins``, ``max_rows``)

    Attributes
    ----------
    monitor : Monitor or None (None before training begins)
    """

    def __init__(self, **options):
        options["eval_as_validation"] = False  # fit's epoch logs give val_loss
        self.options = options
        self.monitor = None

    def on_train_begin(self, state):
        self.detach()
        self.monitor = Monitor(state.model, state.optimizer, state.loss_fn, **self.options)
        self.monitor.attach()

    def on_epoch_end(self, epoch, logs):
        if self.monitor is not None and "val_loss" in logs:
            self.monitor.record_validation(logs["val_loss"], logs.get("val_acc"))
        return None

    def on_train_end(self, state):
        self.detach()

    def detach(self):
        """Detach the monitor (restoring model, optimizer and loss); safe to call twice."""
        if self.monitor is not None:
            self.monitor.detach()

    def report(self):
        """The findings of the last run, with its records (detaches a monitor still attached)."""
        if self.monitor is None:
            return Report()
        self.detach()
        records = self.monitor.snapshot()
        return Report(run_rules(records), records)

    def __repr__(self):
        options = ", ".join(f"{key}={value!r}" for key, value in self.options.items()
                            if key != "eval_as_validation")
        return f"DoctorCallback({options})"
