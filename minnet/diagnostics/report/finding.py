"""Finding and Report: what the doctor found, as data; ``make_finding`` builds one.

A ``Finding`` has a stable ``code`` from the catalog (``minnet.diagnostics.catalog``),
a ``severity`` (``"error"``: certainly wrong; ``"warning"``: very likely wrong,
never raised on a healthy setup; ``"info"``: a hint), ``where`` (the layer or
data it concerns), ``evidence`` (the numbers that triggered it), a
plain-language ``explanation`` and a concrete ``fix``. A ``Report`` is a
list of findings ranked by cause (``ranking``: a root cause first, the
findings it explains folded under it; one finding per code, its layers
listed, see ``merging``) plus what the doctor recorded on the way (for plots).
"""

from dataclasses import dataclass, field

from minnet.diagnostics.catalog import CATALOG, SEVERITIES
from minnet.diagnostics.report.html import save_html
from minnet.diagnostics.report.markdown import save_report
from minnet.diagnostics.report.ranking import RANK, arrange, format_value, tree_text
from minnet.errors import ConfigError


@dataclass
class Finding:
    """One diagnosis: code, severity, where, evidence, explanation, fix.

    ``step`` is the training step at which a monitor rule first fired (None
    for checks that run before training): the time to detection.

    Set by a ``Report`` (not compared by ``==``): ``explained_by``, the code
    of the present root cause this finding is a symptom of (None for a root
    cause); ``explains``, the findings folded under this one; ``parts``, the
    per-layer findings merged into this one (empty when it stands alone).
    """

    code: str
    severity: str
    where: str
    evidence: dict
    explanation: str
    fix: str
    step: int = None
    explained_by: str = field(default=None, compare=False)
    explains: list = field(default_factory=list, compare=False, repr=False)
    parts: list = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"Finding: severity must be one of {SEVERITIES}, "
                             f"got {self.severity!r}")

    def evidence_text(self):
        """The evidence as ``name=value`` pairs, numbers shown with 3 significant digits."""
        return ", ".join(f"{name}={format_value(value)}" for name, value in self.evidence.items())

    def __str__(self):
        step = f" (step {self.step})" if self.step is not None else ""
        return (f"[{self.severity.upper()}] {self.code} at {self.where}{step}\n"
                f"    evidence: {self.evidence_text()}\n"
                f"    why: {self.explanation}\n"
                f"    fix: {self.fix}")


@dataclass
class Report:
    """The doctor's findings, ranked by cause, then error > warning > info, then as found.

    ``findings`` lists every finding once per code (and severity), each root
    cause followed by the findings it explains (``ranking.arrange``); the
    per-layer findings they were merged from stay in ``finding.parts``.
    ``records`` holds what was measured on the way (loss curves, per-layer
    statistics over time) for ``minnet.diagnostics.report.plots``.
    """

    findings: list = field(default_factory=list)
    records: dict = field(default_factory=dict)

    def __post_init__(self):
        self._found = []  # every finding as a check returned it, in the order found
        self.add(self.findings)

    @staticmethod
    def ranked(findings):
        """``findings`` merged per code, root causes first, symptoms folded under them."""
        return arrange(findings)

    def add(self, findings):
        """Add findings (one or a list), dropping repeats of (code, where), and re-rank.

        Of two findings with the same (code, where) the more severe is kept (a sanity
        routine's hint must not hide the monitor's warning of the same code); a merged
        finding (from another report) is added as the findings it was made of.
        """
        if isinstance(findings, Finding):
            findings = [findings]
        kept = {(f.code, f.where): index for index, f in enumerate(self._found)}
        for finding in findings:
            for part in finding.parts or [finding]:
                index = kept.get((part.code, part.where))
                if index is None:
                    kept[part.code, part.where] = len(self._found)
                    self._found.append(part)
                elif RANK[part.severity] < RANK[self._found[index].severity]:
                    self._found[index] = part
        self.findings = arrange(self._found)
        return self

    def root_causes(self, minimum="warning"):
        """Findings at ``minimum`` severity or worse that no other present finding explains,
        in the order to fix them."""
        return [f for f in self.problems(minimum) if f.explained_by is None]

    @property
    def codes(self):
        """The set of codes found (any severity)."""
        return {finding.code for finding in self.findings}

    def problems(self, minimum="warning"):
        """Findings at ``minimum`` severity or worse (default: warnings and errors)."""
        return [f for f in self.findings if RANK[f.severity] <= RANK[minimum]]

    def by_code(self, code):
        return [finding for finding in self.findings if finding.code == code]

    @property
    def has_errors(self):
        return any(finding.severity == "error" for finding in self.findings)

    @property
    def healthy(self):
        """True when there is no warning and no error."""
        return not self.problems("warning")

    def save(self, path, format="markdown"):
        """Write the report; return the path of the file written.

        ``format="markdown"`` (the default): ``path`` is a directory, which gets
        ``report.md`` and its PNG figures. ``format="html"``: ``path`` is the one
        self-contained HTML file (``.html`` added when it has no suffix).
        """
        if format not in SAVERS:
            raise ConfigError(f"Report.save: format must be one of "
                              f"{', '.join(map(repr, SAVERS))}, got {format!r}")
        return SAVERS[format](self, path)

    def __str__(self):
        if not self.findings:
            return "minnet doctor: no findings. The setup looks healthy."
        counts = {severity: sum(f.severity == severity for f in self.findings)
                  for severity in SEVERITIES}
        head = ("minnet doctor: " + ", ".join(f"{n} {s}{'s' if n != 1 else ''}"
                                               for s, n in counts.items() if n))
        roots = [f for f in self.findings if f.explained_by is None]
        return head + "\n\n" + "\n\n".join(tree_text(finding) for finding in roots)


SAVERS = {"markdown": save_report, "html": save_html}  # Report.save's formats


def make_finding(code, where, evidence, summary=None, severity=None, step=None, fix=None):
    """Build a Finding for ``code`` with the catalog's explanation and fix.

    ``summary`` is the specific sentence for this case ("layer 2: 87% of units
    dead"), placed before the catalog's general explanation. ``fix`` replaces
    the catalog's general fix with one written for this setup (the catalog's
    "use He init before ReLU" is no help to a network that already does).
    """
    entry = CATALOG[code]
    explanation = entry.explanation if summary is None else f"{summary} {entry.explanation}"
    return Finding(code=code, severity=severity or entry.severity, where=where,
                   evidence=dict(evidence), explanation=explanation,
                   fix=entry.fix if fix is None else fix, step=step)
