"""The monitor: statistics of a training run, gathered from outside the model.

``Monitor`` (``monitor``) attaches hooks and wrappers; ``passes`` tells
training passes from evaluations, ``records`` fills the records, ``stats``
holds the statistics as pure functions. ``watch()``, ``DoctorCallback`` and
``doctor()`` drive it; the rules (``minnet.diagnostics.rules``) read its records.
"""

from minnet.diagnostics.monitor.monitor import Monitor

__all__ = ["Monitor"]
