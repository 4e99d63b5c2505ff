"""Sanity routines: the checks a careful practitioner runs before training for real.

Karpathy's "Recipe" and CS231n's "babysitting the learning process": check
the loss at initialization against ln C, check the gradients of the real
model numerically, overfit one small batch, and sweep the learning rate.
Every routine works on private copies of the model, loss and optimizer
(``copy.deepcopy``, without the modules' hooks, so that a watcher attached to
the user's model does not see the sanity runs): the user's parameters,
gradients, modes, caches, optimizer state and random generators are left
exactly as they were. ``rng=None`` uses a fixed seed, so a sanity run is
reproducible and leaves minnet's default random stream untouched.

``run_sanity`` runs them all; each lives in its own file, with the helpers
they share in ``common``: ``initial_loss_check`` (``initial_loss``),
``gradcheck_model`` (``gradcheck``), ``overfit_batch`` with the
"ignores-input" check (``overfit``) and ``lr_range_test`` (``lr_range``);
the yardsticks of an uninformed prediction are in ``uninformed``.
"""

import numpy as np

from minnet.diagnostics.sanity.common import sanity_rng
from minnet.diagnostics.sanity.gradcheck import gradcheck_model, gradcheck_with_tally
from minnet.diagnostics.sanity.initial_loss import initial_loss_check
from minnet.diagnostics.sanity.lr_range import lr_range_test
from minnet.diagnostics.sanity.overfit import overfit_batch
from minnet.errors import ConfigError, DataError, MinnetError

__all__ = ["CHECKS", "gradcheck_model", "initial_loss_check", "lr_range_test", "overfit_batch",
           "run_sanity"]

CHECKS = ("initial_loss", "gradcheck", "overfit", "lr_range")


def run_sanity(model, loss_fn, X, y, optimizer=None, *, rng=None, checks=CHECKS):
    """Run the sanity routines named in ``checks`` (default: all four) on private copies.

    Each routine gets its own seed drawn from ``rng``, so a report does not
    depend on which checks ran. A routine that meets bad data (labels out of
    range: a DataError) is skipped and its message kept in
    ``records["sanity_skipped"]``: the data checks report the data problem.
    So is a routine that crashes on a backward pass the gradient check has
    already found broken (a layer returning None instead of its gradient).

    Returns ``(findings, records)``; records: ``"gradcheck"`` (entries
    checked, kinks skipped, largest relative error), ``"overfit"`` and
    ``"lr_range"`` (see ``overfit_batch`` and ``lr_range_test``).
    """
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise ConfigError(f"run_sanity: unknown checks {unknown}; expected some of {CHECKS}")
    X, y = np.asarray(X), np.asarray(y)

    def gradcheck(seed):
        found, tally = gradcheck_with_tally(model, loss_fn, X, y, rng=seed)
        return found, {"gradcheck": tally}

    routines = {
        "initial_loss": lambda seed: (initial_loss_check(model, loss_fn, X, y, rng=seed), {}),
        "gradcheck": gradcheck,
        "overfit": lambda seed: overfit_batch(model, loss_fn, X, y, optimizer, rng=seed),
        "lr_range": lambda seed: lr_range_test(model, loss_fn, X, y, optimizer, rng=seed),
    }
    seeds = sanity_rng(rng).integers(2**63, size=len(CHECKS)).tolist()
    findings, records = [], {}
    for name, seed in zip(CHECKS, seeds):
        if name not in checks:
            continue
        try:
            found, recorded = routines[name](seed)
        except DataError as error:
            records.setdefault("sanity_skipped", {})[name] = str(error)
            continue
        except MinnetError as error:  # a broken backward that the gradient check named
            if not any(f.code == "gradcheck-failed" and f.severity == "error"
                       for f in findings):
                raise
            records.setdefault("sanity_skipped", {})[name] = str(error)
            continue
        findings.extend(found)
        records.update(recorded)
    return findings, records
