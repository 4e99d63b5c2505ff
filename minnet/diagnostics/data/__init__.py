"""Data checks: what is wrong with the arrays before any training step.

``check_data`` (in ``checks``: NaN/Inf, labels, class balance, train/validation
overlap) calls the input statistics of ``inputs`` (centring, scale, constant
features).
"""

from minnet.diagnostics.data.checks import check_data

__all__ = ["check_data"]
