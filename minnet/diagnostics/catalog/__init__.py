"""The doctor's catalog: every finding code, its signal, threshold, explanation, fix, source.

Codes are stable (kebab-case) and never renamed once released; more may be
added. Each code is one keyword record, a ``CatalogEntry`` (``entry``):
``before_training`` holds the lint, data and sanity codes, ``training`` the
monitor's, ``sources`` the works they cite. ``docs/doctor-catalog.md`` is
generated from ``CATALOG`` (``python -m minnet.diagnostics.catalog.doc >
docs/doctor-catalog.md``) and a test keeps the two equal. Checks create
findings through ``minnet.diagnostics.report.finding.make_finding``, so that a
code's explanation and fix are written once, here.
"""

from minnet.diagnostics.catalog.before_training import BEFORE_TRAINING
from minnet.diagnostics.catalog.entry import SEVERITIES, CatalogEntry
from minnet.diagnostics.catalog.training import TRAINING

__all__ = ["BEFORE_TRAINING", "CATALOG", "SEVERITIES", "TRAINING", "CatalogEntry"]

# In the order of the document: lint, data, sanity, then the monitor's codes.
CATALOG = {entry.code: entry for entry in BEFORE_TRAINING + TRAINING}
