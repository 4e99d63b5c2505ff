"""Finding and Report: what the doctor found, as data; ``make_finding`` builds one.

A ``Finding`` has a stable ``code`` from the catalog (``minnet.diagnostics.catalog``),
a ``severity`` (``"error"``: certainly wrong; ``"warning"``: very likely wrong,
never raised on a healthy setup; ``"info"``: a hint), ``where`` (the layer or
data it concerns), ``evidence`` (the numbers that triggered it), a
plain-language ``explanation`` and a concrete ``fix``. A ``Report`` is a
ranked list of findings plus what the doctor recorded on the way (for plots).
"""

from dataclasses import dataclass, field

from minnet.diagnostics.catalog import CATALOG, SEVERITIES
from minnet.diagnostics.report.markdown import save_report

_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass
class Finding:
    """One diagnosis: code, severity, where, evidence, explanation, fix.

    ``step`` is the training step at which a monitor rule first fired (None
    for checks that run before training): the time to detection.
    """

    code: str
    severity: str
    where: str
    evidence: dict
    explanation: str
    fix: str
    step: int = None

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"Finding: severity must be one of {SEVERITIES}, "
                             f"got {self.severity!r}")

    def evidence_text(self):
        """The evidence as ``name=value`` pairs, numbers shown with 3 significant digits."""
        parts = []
        for name, value in self.evidence.items():
            if isinstance(value, float):
                value = f"{value:.3g}"
            parts.append(f"{name}={value}")
        return ", ".join(parts)

    def __str__(self):
        step = f" (step {self.step})" if self.step is not None else ""
        return (f"[{self.severity.upper()}] {self.code} at {self.where}{step}\n"
                f"    evidence: {self.evidence_text()}\n"
                f"    why: {self.explanation}\n"
                f"    fix: {self.fix}")


@dataclass
class Report:
    """The doctor's findings, ranked error > warning > info, then in the order found.

    ``records`` holds what was measured on the way (loss curves, per-layer
    statistics over time) for ``minnet.diagnostics.report.plots``.
    """

    findings: list = field(default_factory=list)
    records: dict = field(default_factory=dict)

    def __post_init__(self):
        self.findings = self.ranked(self.findings)

    @staticmethod
    def ranked(findings):
        order = {id(finding): index for index, finding in enumerate(findings)}
        return sorted(findings, key=lambda f: (_RANK[f.severity], order[id(f)]))

    def add(self, findings):
        """Add findings (one or a list), dropping exact repeats of (code, where)."""
        if isinstance(findings, Finding):
            findings = [findings]
        seen = {(f.code, f.where) for f in self.findings}
        fresh = [f for f in findings if (f.code, f.where) not in seen]
        self.findings = self.ranked(self.findings + fresh)
        return self

    @property
    def codes(self):
        """The set of codes found (any severity)."""
        return {finding.code for finding in self.findings}

    def problems(self, minimum="warning"):
        """Findings at ``minimum`` severity or worse (default: warnings and errors)."""
        return [f for f in self.findings if _RANK[f.severity] <= _RANK[minimum]]

    def by_code(self, code):
        return [finding for finding in self.findings if finding.code == code]

    @property
    def has_errors(self):
        return any(finding.severity == "error" for finding in self.findings)

    @property
    def healthy(self):
        """True when there is no warning and no error."""
        return not self.problems("warning")

    def save(self, directory):
        """Write ``report.md`` and its PNG figures into ``directory``; return the .md path."""
        return save_report(self, directory)

    def __str__(self):
        if not self.findings:
            return "minnet doctor: no findings. The setup looks healthy."
        counts = {severity: sum(f.severity == severity for f in self.findings)
                  for severity in SEVERITIES}
        head = ("minnet doctor: " + ", ".join(f"{n} {s}{'s' if n != 1 else ''}"
                                               for s, n in counts.items() if n))
        return head + "\n\n" + "\n\n".join(str(finding) for finding in self.findings)


def make_finding(code, where, evidence, summary=None, severity=None, step=None):
    """Build a Finding for ``code`` with the catalog's explanation and fix.

    ``summary`` is the specific sentence for this case ("layer 2: 87% of units
    dead"), placed before the catalog's general explanation.
    """
    entry = CATALOG[code]
    explanation = entry.explanation if summary is None else f"{summary} {entry.explanation}"
    return Finding(code=code, severity=severity or entry.severity, where=where,
                   evidence=dict(evidence), explanation=explanation, fix=entry.fix, step=step)
