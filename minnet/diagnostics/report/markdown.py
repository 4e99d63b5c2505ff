"""Save a doctor Report as Markdown with PNG figures: ``save_report(report, directory)``.

``directory/report.md`` names the root causes, then lists the findings ranked by
cause (each root cause followed by the symptoms it explains, marked "explained
by"), each with its code, severity, where, an evidence table, the explanation and the fix,
then links the figures written next to it (one PNG per kind of record that the
report holds). Figures are drawn on ``matplotlib.figure.Figure`` objects with
the Agg canvas: no window opens, pyplot's global state and backend are left
alone, and ``import minnet`` still does not import matplotlib.
"""

import os

import numpy as np

from minnet.diagnostics.catalog import CATALOG, SEVERITIES
from minnet.diagnostics.catalog.causes import why
from minnet.diagnostics.report.plots import (
    ActivationHistogramDisplay,
    GradientNormDisplay,
    LossCurveDisplay,
    UpdateRatioDisplay,
    WeightStdDisplay,
    grid_shape,
)
from minnet.diagnostics.report.plots_sanity import LRRangeDisplay, OverfitBatchDisplay
from minnet.diagnostics.report.ranking import format_value

REPORT_NAME = "report.md"
CATALOG_DOC = "docs/doctor-catalog.md"

# (file name, heading, display class, what the figure shows)
FIGURES = [
    ("loss.png", "Loss", LossCurveDisplay,
     "training loss per step, validation loss at its checks"),
    ("activations.png", "Activation histograms", ActivationHistogramDisplay,
     "each layer's activations, early (dark) to late (light): look for piles at 0 "
     "(dead ReLUs) or at the limits (saturated tanh/sigmoid)"),
    ("grad_norm.png", "Gradient norm per layer", GradientNormDisplay,
     "lines that fan out by orders of magnitude mean vanishing or exploding gradients"),
    ("update_ratio.png", "Update/weight ratio", UpdateRatioDisplay,
     "healthy between 1e-4 and 1e-2 (shaded), about 1e-3 is typical"),
    ("weight_std.png", "Weight std by depth", WeightStdDisplay,
     "a healthy network keeps a similar scale at every depth"),
    ("lr_range.png", "Learning-rate range test", LRRangeDisplay,
     "pick a rate where the loss falls fastest, before it turns up"),
    ("overfit.png", "Overfitting one batch", OverfitBatchDisplay,
     "a working network drives the loss near zero on 16 samples"),
]


def _has_data(records, key):
    value = (records or {}).get(key)
    if not value:
        return False
    if key == "activations":
        return any(layer.get("histogram") for layer in value.values())
    if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
        return any(len(entry.get("value", [])) for entry in value.values())  # per layer
    return any(len(v) for v in value.values() if isinstance(v, (list, tuple, np.ndarray)))


def _render(display, path):
    """Draw ``display`` on a fresh Agg figure and write it to ``path`` (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if isinstance(display, ActivationHistogramDisplay):
        panels = max(len(display.layers), 1)
        rows, columns = grid_shape(panels)
        figure = Figure(figsize=(4 * columns, 3 * rows), layout="constrained")
        grid = figure.subplots(rows, columns, squeeze=False).ravel()
        for extra in grid[panels:]:
            extra.set_visible(False)
        display.plot(ax=grid[:panels])
    else:
        figure = Figure(figsize=(6.4, 4.2), layout="constrained")
        display.plot(ax=figure.add_subplot())
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=100)


def _cell(value):
    """A value as Markdown table text: floats with 3 significant digits, pipes escaped."""
    if isinstance(value, (float, np.floating)):
        value = f"{float(value):.3g}"
    elif isinstance(value, dict):  # a merged finding: one value per place
        value = format_value(value)
    elif isinstance(value, np.ndarray):
        value = np.array2string(value, precision=3, threshold=8)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _summary(findings):
    if not findings:
        return "No findings: the setup looks healthy."
    counts = [(severity, sum(f.severity == severity for f in findings))
              for severity in SEVERITIES]
    words = {"error": "error", "warning": "warning", "info": "hint"}
    text = ", ".join(f"**{n} {words[s]}{'s' if n != 1 else ''}**" for s, n in counts if n) + \
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
    for name, heading, display_class, caption in FIGURES:
        if _has_data(report.records, display_class.records_key):
            _render(display_class.from_report(report), os.path.join(directory, name))
            written.append((name, heading, caption))
    path = os.path.join(directory, REPORT_NAME)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(report_markdown(report, written))
    return path
