"""The doctor: checks that find why a network does not train, with evidence and fixes.

- ``doctor(model, loss_fn, X, y, ...)``: lint, data checks, sanity routines and a
  short monitored training run on copies; returns a ``Report``.
- ``watch(model, optimizer, loss_fn)``: a context manager around a hand-written
  loop; ``.report()`` catches what only such a loop can get wrong.
- ``DoctorCallback``: the same monitor inside ``fit()``.
Every finding's code is documented in ``CATALOG`` (and docs/doctor-catalog.md).
No layer contains diagnostic code: all of this attaches through hooks.
"""

from minnet.diagnostics.callback import DoctorCallback  # noqa: F401
from minnet.diagnostics.catalog import CATALOG, make_finding  # noqa: F401
from minnet.diagnostics.data_checks import check_data  # noqa: F401
from minnet.diagnostics.doctor import doctor  # noqa: F401
from minnet.diagnostics.finding import Finding, Report  # noqa: F401
from minnet.diagnostics.lint import lint  # noqa: F401
from minnet.diagnostics.monitor import Monitor  # noqa: F401
from minnet.diagnostics.sanity import run_sanity  # noqa: F401
from minnet.diagnostics.watch import Watcher, watch  # noqa: F401
