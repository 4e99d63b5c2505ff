"""The doctor: checks that find why a network does not train, with evidence and fixes.

- ``doctor(model, loss_fn, X, y, ...)``: lint, data checks, sanity routines and a
  short monitored training run on copies; returns a ``Report``.
- ``watch(model, optimizer, loss_fn)``: a context manager around a hand-written
  loop; ``.report()`` catches what only such a loop can get wrong.
- ``DoctorCallback``: the same monitor inside ``fit()``.
Every finding's code is documented in ``CATALOG`` (and docs/doctor-catalog.md).
No layer contains diagnostic code: all of this attaches through hooks.

The rooms, one sub-package each: ``lint`` (the model as written), ``data``
(the arrays), ``sanity`` (quick experiments before training), ``monitor``
(statistics during training) and ``rules`` (from statistics to findings),
``catalog`` (every code's text) and ``report`` (findings, Markdown, plots).
The bug zoo that the doctor is judged on lives apart, in ``minnet.zoo``.
"""

from minnet.diagnostics.callback import DoctorCallback
from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.data import check_data
from minnet.diagnostics.doctor import doctor
from minnet.diagnostics.lint import lint
from minnet.diagnostics.monitor import Monitor
from minnet.diagnostics.report.finding import Finding, Report, make_finding
from minnet.diagnostics.sanity import run_sanity
from minnet.diagnostics.watch import Watcher, watch

__all__ = ["CATALOG", "DoctorCallback", "Finding", "Monitor", "Report", "Watcher",
           "check_data", "doctor", "lint", "make_finding", "run_sanity", "watch"]
