"""Save a doctor Report as Markdown with PNG figures: ``save_report(report, directory)``.

``directory/report.md`` names the root causes, then lists the findings ranked by
cause (each root cause followed by the symptoms it explains, marked "explained
by"), each with its code, severity, where, an evidence table, the explanation and the fix,
then links the figures written next to it (one PNG per kind of record that the
report holds; ``figures`` draws them).
"""

import os

from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.catalog.causes import why
from minnet.diagnostics.report.figures import recorded_figures, render
from minnet.diagnostics.report.ranking import severity_counts, value_text

REPORT_NAME = "report.md"
CATALOG_DOC = "docs/doctor-catalog.md"


def _cell(value):
    """A value as Markdown table text (``ranking.value_text``), pipes escaped."""
    return value_text(value).replace("|", "\\|")


def _summary(findings):
    if not findings:
        return "No findings: the setup looks healthy."
    text = ", ".join(f"**{count}**" for count in severity_counts(findings)) + \
        (" (ranked by cause: each root cause comes first, the findings it explains under it; "
         "then errors, warnings, hints).")
    roots = [f for f in findings if f.explained_by is None and f.severity != "info"]
    if roots:
        text += "\n\n**Root causes, in the order to fix them:** " + \
            ", ".join(f"`{f.code}`" for f in roots) + "."
    return text


def _finding_section(number, finding, numbers):
    """One finding; ``numbers`` maps id(finding) to its number (for cross-references)."""
    entry = CATALOG.get(finding.code)
    title = f": {entry.title}" if entry is not None else ""
    folded = f" (explained by `{finding.explained_by}`)" if finding.explained_by else ""
    lines = [f"### {number}. `{finding.code}`{title}{folded}", "",
             f"- **Severity:** {finding.severity}", f"- **Where:** `{finding.where}`"]
    if finding.explained_by:
        lines.append(f"- **Explained by:** `{finding.explained_by}`: "
                     f"{why(finding.explained_by, finding.code)}")
    if finding.step is not None:
        lines.append(f"- **Step:** {finding.step} (when the monitor first saw it)")
    lines.append("")
    if finding.evidence:
        lines += ["| evidence | value |", "| --- | --- |"]
        lines += [f"| {_cell(name)} | {_cell(value)} |"
                  for name, value in finding.evidence.items()]
        lines.append("")
    lines += [f"**What is happening.** {finding.explanation}", "", f"**Fix.** {finding.fix}"]
    if finding.explains:
        lines += ["", "**Explains** (fix this first; these may then go away):"]
        lines += [f"- `{child.code}` (#{numbers[id(child)]}): {why(finding.code, child.code)}"
                  for child in finding.explains]
    if entry is not None:
        lines += ["", f"*Source:* {entry.source}. *Catalog:* `{finding.code}` in {CATALOG_DOC}."]
    return "\n".join(lines)


def report_markdown(report, figures=()):
    """The Markdown text of ``report``; ``figures`` lists ``(file name, heading, caption)``."""
    findings = list(report.findings)
    parts = ["# minnet doctor report", "", _summary(findings), ""]
    if findings:
        numbers = {id(f): i for i, f in enumerate(findings, 1)}
        parts += ["| # | severity | code | where | step | explained by |",
                  "| --- | --- | --- | --- | --- | --- |"]
        parts += [f"| {i} | {f.severity} | {'↳ ' if f.explained_by else ''}`{f.code}` | "
                  f"{_cell(f.where)} | {'' if f.step is None else f.step} | "
                  f"{'`' + f.explained_by + '`' if f.explained_by else ''} |"
                  for i, f in enumerate(findings, 1)]
        parts += ["", "## Findings", ""]
        parts += [_finding_section(i, f, numbers) + "\n" for i, f in enumerate(findings, 1)]
    parts += ["## Figures", ""]
    if not figures:
        parts += ["No figures: the report holds no recorded statistics.", ""]
    for name, heading, caption in figures:
        parts += [f"### {heading}", "", f"![{heading}]({name})", "", f"*{caption}.*", ""]
    return "\n".join(parts).rstrip() + "\n"


def save_report(report, directory):
    """Write ``report.md`` and its PNG figures into ``directory``; return the path of report.md.

    ``directory`` is created if needed; files of an earlier report there are
    overwritten. A figure is written only for records the report holds.
    """
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    written = []
    for figure in recorded_figures(report):
        render(figure.display, os.path.join(directory, figure.name))
        written.append((figure.name, figure.heading, figure.caption))
    path = os.path.join(directory, REPORT_NAME)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(report_markdown(report, written))
    return path
