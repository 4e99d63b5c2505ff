"""The doctor never crashes on the user's mistake: an error raised by the setup becomes a finding.

``run_stage(stage, function, errors)`` runs one stage of ``doctor()`` (lint,
data, sanity, monitor). An exception that comes from the user's setup is
kept in ``errors`` (a list of ``StageError``) and the stage returns None;
``setup_error_findings(errors, report)`` turns them into ``setup-error``
findings. Which exceptions are the user's:

- every ``MinnetError`` (ShapeError, DataError, ConfigError, ...): minnet
  raises them on purpose when the model, loss or data do not fit together;
- any other exception whose innermost frame outside NumPy and the standard
  library lies outside the minnet package (or in ``minnet.zoo``, whose
  setups stand for a user's): the user's own code (a custom layer, a
  custom loss) raised it.

Anything else (a TypeError raised inside minnet's own code) is a bug in
minnet and is raised as it is, never hidden in a report.
"""

import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from minnet.diagnostics.report.finding import make_finding
from minnet.errors import MinnetError

_MINNET = Path(__file__).resolve().parents[1]  # the minnet package (no import cycle)
_ZOO = _MINNET / "zoo"  # the zoo's setups stand for a user's code
# Library frames (NumPy, the standard library): an error raised there was caused by
# its caller, so the caller's frame decides whose error it is.
_LIBRARIES = tuple({Path(sysconfig.get_paths()[key]).resolve()
                    for key in ("stdlib", "platstdlib", "purelib", "platlib")})
# Codes that already name what made a stage fail: the error that follows adds nothing.
EXPLAINED_BY = ("one-hot-targets", "labels-out-of-range", "non-finite")


@dataclass
class StageError:
    """An exception raised by the user's setup while a stage of the doctor ran."""

    stage: str
    error: BaseException

    @property
    def key(self):
        """The error's type and message with its numbers blanked: the same mistake met by
        two stages on batches of different sizes is one finding."""
        return type(self.error).__name__, re.sub(r"\d+", "#", str(self.error))


def _is_library(path):
    return any(path.is_relative_to(root) for root in _LIBRARIES) and not path.is_relative_to(
        _MINNET)


def is_users_error(error):
    """True when ``error`` comes from the user's setup (see the module docstring)."""
    if isinstance(error, MinnetError):
        return True
    if not isinstance(error, Exception):
        return False  # KeyboardInterrupt, SystemExit: never swallowed
    owner = None
    traceback = error.__traceback__
    while traceback is not None:
        path = Path(traceback.tb_frame.f_code.co_filename).resolve()
        if not _is_library(path):
            owner = path
        traceback = traceback.tb_next
    return owner is not None and (not owner.is_relative_to(_MINNET) or owner.is_relative_to(_ZOO))


def run_stage(stage, function, errors):
    """``function()``, or None when it raised an error of the user's (appended to ``errors``)."""
    try:
        return function()
    except Exception as error:  # noqa: BLE001 - sorted by is_users_error, re-raised if ours
        if not is_users_error(error):
            raise
        errors.append(StageError(stage, error))
        return None


def setup_error_findings(errors, report):
    """One ``setup-error`` per distinct error (its stages listed), unless ``report``
    already holds an error finding that explains it (one-hot targets, labels out of range)."""
    if any(f.code in EXPLAINED_BY and f.severity == "error" for f in report.findings):
        return []
    groups = {}
    for stage_error in errors:
        groups.setdefault(stage_error.key, []).append(stage_error)
    findings = []
    for group in groups.values():
        first, stages = group[0], ", ".join(e.stage for e in group)
        name, message = type(first.error).__name__, str(first.error)
        findings.append(make_finding(
            "setup-error", first.stage, {"stages": stages, "error": name, "message": message},
            summary=f"The {stages} stage(s) stopped: {name}: {message}"))
    return findings


def describe(errors):
    """The errors as records: ``{stage: "ErrorType: message"}`` (for ``report.records``)."""
    return {e.stage: f"{type(e.error).__name__}: {e.error}" for e in errors}
